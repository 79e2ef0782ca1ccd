// SPDX-License-Identifier: GPL-2.0
/*
 * The session's diagnosis (diagnosis.h, docs/diagnosis.md). Events are tallied into fixed
 * tables as they pass; end() ranks them, reads the settings as they are now and writes a text
 * block or one JSON line. The fix per cause comes from fixes[]: a line built from the latest
 * event's evidence, the largest requirement seen and the current settings, else the advice of
 * the latest event.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "cause.h"
#include "common.h"
#include "diagnosis.h"
#include "escape.h"
#include "procinfo.h"
#include "strpool.h"

#define WRAP_COLUMN 100
#define MIB (1LL << 20)
#define PAGE 4096LL /* x86: what the kernel rounds a request up to */

/* Every table entry starts with this: what it counts, keyed by a number (a pid, a hash, the
 * address of an interned string). */
struct tally {
	uint64_t key;
	uint64_t count;
};

struct diag_proc {
	struct tally t; /* key: pid */
	char comm[AF_COMM_LEN + 1];
};

struct diag_cgroup {
	struct tally t; /* key: the interned path */
	const char *path;
};

struct diag_stack {
	struct tally t; /* key: hash of the identity */
	unsigned int nuser, nkernel;
	bool user_more; /* more user frames than shown, or the capture was truncated */
	const char *user[DIAG_USER_FRAMES];
	const char *kernel[DIAG_KERNEL_FRAMES];
};

struct diag_memcg {
	struct tally t; /* key: the interned path */
	const char *path;
	struct memcg_info at_failure; /* as the latest event's enrich step read it */
	struct memcg_info now;	      /* read at end() */
	char dir[PATH_MAX];	      /* its directory, "" if the hierarchy was not found */
};

struct diag_cause {
	struct tally t; /* key: the interned code */
	const char *code;
	struct cause last; /* the latest event's verdict: summary, advice, evidence */
	bool has_last;
	int64_t need; /* the largest requirement seen (fix_rule.need), -1: none */
	struct diag_proc procs[DIAG_MAX_PROCS];
	unsigned int nprocs;
	uint64_t procs_other;
	struct diag_cgroup cgroups[DIAG_MAX_CGROUPS];
	unsigned int ncgroups;
	uint64_t cgroups_other;
	struct diag_stack stacks[DIAG_MAX_STACKS];
	unsigned int nstacks;
	uint64_t stacks_other;
};

struct diagnosis {
	struct sink sink; /* first: the sink handed out is the diagnosis */
	bool json;
	char root[1024]; /* short, so root + a mount point fits PATH_MAX */
	struct strpool *pool; /* names, codes and paths outlive the events they came from */
	uint64_t events;
	struct diag_cause causes[DIAG_MAX_CAUSES];
	unsigned int ncauses;
	uint64_t causes_other;
	struct diag_memcg memcgs[DIAG_MAX_MEMCGS];
	unsigned int nmemcgs;
	uint64_t memcgs_other;
	/* read at end() */
	struct sysinfo sys;
	char mount[PATH_MAX]; /* the memory controller's hierarchy, "" if not found */
	int version;
	struct diag_settings *settings; /* shared with a record, or NULL */
};

/* ---- tables ---- */

/* Adds count to key's entry of a table of *n entries (each `size` bytes, starting with a struct
 * tally), appending a zeroed one if there is room (*fresh set); NULL and count into *other when
 * the table is full. */
static void *tally_add(void *table, size_t size, unsigned int *n, unsigned int cap, uint64_t key,
		       uint64_t count, uint64_t *other, bool *fresh)
{
	struct tally *t = NULL;

	*fresh = false;
	for (unsigned int i = 0; i < *n && !t; i++)
		if (((struct tally *)((char *)table + i * size))->key == key)
			t = (struct tally *)((char *)table + i * size);
	if (!t && *n < cap) {
		t = (struct tally *)((char *)table + (*n)++ * size);
		memset(t, 0, size);
		t->key = key;
		*fresh = true;
	}
	if (!t) {
		*other += count;
		return NULL;
	}
	t->count += count;
	return t;
}

#define TALLY_ADD(tab, n, other, key, count, fresh)                                          \
	tally_add((tab), sizeof((tab)[0]), &(n), ARRAY_SIZE(tab), (key), (count), &(other), \
		  (fresh))

/* order[0..n) gets the table's indexes by count, largest first; ties keep their arrival. */
static void rank(const void *table, size_t size, unsigned int n, unsigned int *order)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t c = ((const struct tally *)((const char *)table + i * size))->count;
		unsigned int j = i;

		for (; j > 0; j--) {
			const struct tally *prev =
				(const void *)((const char *)table + order[j - 1] * size);

			if (prev->count >= c)
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
}

#define RANK(tab, n, order) rank((tab), sizeof((tab)[0]), (n), (order))

/* ---- tallying an event ---- */

static uint64_t key_of(const char *interned)
{
	return (uint64_t)(uintptr_t)interned;
}

/* A frame's name: its symbol; else its object's basename in brackets, since a frame carries an
 * absolute address and not its offset in the object (which ASLR would make differ anyway); else
 * "??". */
static const char *frame_name(const struct frame *f, char *buf, size_t len)
{
	const char *base;

	if (f->sym)
		return f->sym;
	if (!f->obj)
		return "??";
	base = strrchr(f->obj, '/');
	snprintf(buf, len, "[%s]", base ? base + 1 : f->obj);
	return buf;
}

/* FNV-1a over s and a separator. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0x1f) * 0x100000001b3ULL;
}

static unsigned int kernel_frames(const struct event *ev)
{
	return ev->kstack.n < DIAG_KERNEL_FRAMES ? ev->kstack.n : DIAG_KERNEL_FRAMES;
}

/* A stack's identity: every user frame's name, then the innermost kernel frames. */
static uint64_t stack_hash(const struct event *ev)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char buf[PATH_MAX + 2];

	for (unsigned int i = 0; i < ev->ustack.n; i++)
		h = hash_str(h, frame_name(&ev->ustack.frames[i], buf, sizeof(buf)));
	h = hash_str(h, "|kernel|");
	for (unsigned int i = 0; i < kernel_frames(ev); i++)
		h = hash_str(h, frame_name(&ev->kstack.frames[i], buf, sizeof(buf)));
	return h;
}

static const char *intern_frame(struct diagnosis *d, const struct frame *f)
{
	char buf[PATH_MAX + 2];
	const char *s = strpool__intern(d->pool, frame_name(f, buf, sizeof(buf)));

	return s ? s : "??";
}

static void note_stack(struct diagnosis *d, struct diag_cause *c, const struct event *ev)
{
	struct diag_stack *st;
	bool fresh;

	st = TALLY_ADD(c->stacks, c->nstacks, c->stacks_other, stack_hash(ev), ev->count, &fresh);
	if (!st || !fresh)
		return;
	st->nuser = ev->ustack.n < DIAG_USER_FRAMES ? ev->ustack.n : DIAG_USER_FRAMES;
	st->user_more = ev->ustack.n > DIAG_USER_FRAMES || ev->ustack.truncated;
	for (unsigned int i = 0; i < st->nuser; i++)
		st->user[i] = intern_frame(d, &ev->ustack.frames[i]);
	st->nkernel = kernel_frames(ev);
	for (unsigned int i = 0; i < st->nkernel; i++)
		st->kernel[i] = intern_frame(d, &ev->kstack.frames[i]);
}

static void note_process(struct diag_cause *c, const struct event *ev)
{
	struct diag_proc *p;
	bool fresh;

	p = TALLY_ADD(c->procs, c->nprocs, c->procs_other, ev->pid, ev->count, &fresh);
	if (p && fresh)
		snprintf(p->comm, sizeof(p->comm), "%s", ev->comm);
}

static void note_cgroup(struct diagnosis *d, struct diag_cause *c, const struct event *ev)
{
	const char *path = ev->cgroup ? strpool__intern(d->pool, ev->cgroup) : NULL;
	struct diag_cgroup *g;
	bool fresh;

	if (!path)
		return;
	g = TALLY_ADD(c->cgroups, c->ncgroups, c->cgroups_other, key_of(path), ev->count, &fresh);
	if (g)
		g->path = path;
}

static struct diag_memcg *tally_memcg(struct diagnosis *d, const char *name, uint64_t count)
{
	const char *path = name ? strpool__intern(d->pool, name) : NULL;
	struct diag_memcg *m;
	bool fresh;

	if (!path)
		return NULL;
	m = TALLY_ADD(d->memcgs, d->nmemcgs, d->memcgs_other, key_of(path), count, &fresh);
	if (m)
		m->path = path;
	return m;
}

/* The memory cgroup an event concerns: the one the kernel named, else the process's; and the
 * ancestor whose limit bound at the failure, if it was one: its limit is the one to raise. */
static void note_memcg(struct diagnosis *d, const struct event *ev)
{
	const struct memcg_info *mi = ev->memcg_info;
	struct diag_memcg *m = tally_memcg(d, ev->memcg ? ev->memcg : ev->cgroup, ev->count);

	if (!mi || !mi->valid)
		return;
	if (m) {
		m->at_failure = *mi;
		m->at_failure.bind_path = mi->bind_path ? strpool__intern(d->pool, mi->bind_path)
							: NULL;
	}
	if (!mi->at_failure || mi->bind_level <= 0 || !mi->bind_path)
		return;
	m = tally_memcg(d, mi->bind_path, ev->count);
	if (m)
		m->at_failure = (struct memcg_info){
			.valid = true, .version = mi->version, .at_failure = true,
			.limit_bytes = mi->bind_limit_bytes, .usage_bytes = mi->bind_usage_bytes,
			.failcnt = -1, .oom_events = -1, .oom_kill = -1, .oom_kill_disable = -1,
			.bind_level = 0, .bind_path = m->path,
			.bind_limit_bytes = mi->bind_limit_bytes,
			.bind_usage_bytes = mi->bind_usage_bytes,
			.bind_memsw = mi->bind_memsw, .memsw_read = mi->memsw_read,
			.truncated = mi->truncated,
		};
}

/* ---- evidence ---- */

/* A number of the evidence; -1 when absent or a string (and for "unlimited", which kv_u64
 * gives as -1 too). */
static int64_t num(const struct cause *v, const char *key)
{
	for (unsigned int i = 0; i < v->nevidence && i < CAUSE_MAX_EVIDENCE; i++)
		if (!strcmp(v->evidence[i].key, key))
			return v->evidence[i].is_str ? -1 : v->evidence[i].num;
	return -1;
}

static const char *str(const struct cause *v, const char *key)
{
	for (unsigned int i = 0; i < v->nevidence && i < CAUSE_MAX_EVIDENCE; i++)
		if (!strcmp(v->evidence[i].key, key))
			return v->evidence[i].is_str ? v->evidence[i].str : NULL;
	return NULL;
}

static bool same_value(const struct cause *a, const struct cause *b, const char *key)
{
	const char *x = str(a, key), *y = str(b, key);

	if (x || y)
		return x && y && !strcmp(x, y);
	return num(a, key) == num(b, key);
}

/*
 * Saturating arithmetic: the numbers come from evidence and settings, which a crafted record may
 * set to anything (docs/record-format.md), and a live system to more than anyone expected.
 */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	int64_t r;

	return __builtin_mul_overflow(a, b, &r) ? ((a < 0) != (b < 0) ? INT64_MIN : INT64_MAX) : r;
}

/* kB to bytes; unknown (negative) stays negative */
static int64_t kib(int64_t kb)
{
	return kb < 0 ? -1 : sat_mul(kb, 1024);
}

static int64_t round_up(int64_t v, int64_t to)
{
	return sat_add(v, to - 1) / to * to;
}

/* a + b rounded up to a page, the way the kernel counts a request; -1 if either is unknown */
static int64_t plus_request(const struct cause *v, const char *have, const char *request)
{
	int64_t x = num(v, have), y = num(v, request);

	return x >= 0 && y >= 0 ? sat_add(x, round_up(y, PAGE)) : -1;
}

/* ---- the fix per cause ---- */

/* "1.5 GiB", "512 B", "?" for an unknown (negative) size */
static const char *human(int64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b;
	unsigned int u = 0;

	if (b < 0)
		return "?";
	while (v >= 1024 && u < ARRAY_SIZE(units) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

#define H(b) human((b), (char[24]){ 0 }, 24)

struct fix_ctx {
	const struct diagnosis *d;
	const struct diag_cause *c;
	const struct cause *v; /* c->last */
	const struct diag_proc *top; /* the process with the most failures of the cause */
};

struct fix_rule {
	const char *code;
	/* what one failure needed (bytes, mappings, pages, order); the largest is kept, -1: none */
	int64_t (*need)(const struct cause *v);
	/* an evidence key naming what the requirement is for: it restarts when that changes */
	const char *scope;
	/* the checklist line; false: fall back to the advice */
	bool (*line)(const struct fix_ctx *x, char *buf, size_t len);
};

static int64_t need_as(const struct cause *v)
{
	return plus_request(v, "total_vm_bytes", "request_bytes");
}

static int64_t need_data(const struct cause *v)
{
	int64_t heap = num(v, "heap_bytes"), data = num(v, "data_segment_bytes");

	return heap >= 0 && data >= 0 ? sat_add(heap, data) :
					plus_request(v, "data_vm_bytes", "request_bytes");
}

static int64_t need_memlock(const struct cause *v)
{
	int64_t n = plus_request(v, "locked_vm_bytes", "request_bytes");

	return n >= 0 ? n : num(v, "total_vm_bytes"); /* mlockall(): the whole address space */
}

static int64_t need_map_count(const struct cause *v)
{
	return num(v, "map_count");
}

/* What CommitLimit less reserves had to reach, as cause.c's advice computes it. */
static int64_t need_commit(const struct cause *v)
{
	static const char *const keys[] = {
		"committed_as_bytes", "commit_request_bytes", "admin_reserve_bytes",
		"user_reserve_bytes", "counter_slack_bytes",
	};
	int64_t sum = PAGE;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		int64_t x = num(v, keys[i]);

		if (x < 0)
			return -1;
		sum = sat_add(sum, x);
	}
	return sum;
}

static int64_t need_commit_request(const struct cause *v)
{
	return num(v, "commit_request_bytes");
}

static int64_t need_request(const struct cause *v)
{
	return num(v, "request_bytes");
}

static int64_t need_huge_pages(const struct cause *v)
{
	return num(v, "huge_pages_needed");
}

static int64_t need_memcg(const struct cause *v)
{
	int64_t usage = num(v, "memcg_usage_bytes"), charge = num(v, "charge_bytes");

	return usage < 0 ? -1 : sat_add(usage, charge > 0 ? charge : 0);
}

static int64_t need_order(const struct cause *v)
{
	return num(v, "order");
}

/* ulimit -<opt> in KiB for the largest need; the hard limit too when it is below. */
static bool rlimit_line(const struct fix_ctx *x, char *buf, size_t len, const char *opt,
			const char *name, const char *hard_key, const char *extra)
{
	int64_t need = x->c->need, hard = num(x->v, hard_key);
	char hard_note[96] = "";

	if (need < 0)
		return false;
	if (hard >= 0 && hard < need)
		snprintf(hard_note, sizeof(hard_note),
			 "; the hard limit (%s) must go up first, as root", H(hard));
	snprintf(buf, len, "ulimit -%s %" PRId64 " before starting %s (%s to %s)%s%s", opt,
		 round_up(need, 1024) / 1024, x->top->comm, name, H(need), hard_note, extra);
	return true;
}

static bool fix_rlimit_as(const struct fix_ctx *x, char *buf, size_t len)
{
	return rlimit_line(x, buf, len, "v", "RLIMIT_AS", "rlimit_as_max", "");
}

static bool fix_rlimit_data(const struct fix_ctx *x, char *buf, size_t len)
{
	return rlimit_line(x, buf, len, "d", "RLIMIT_DATA", "rlimit_data_max", "");
}

static bool fix_rlimit_memlock(const struct fix_ctx *x, char *buf, size_t len)
{
	return rlimit_line(x, buf, len, "l", "RLIMIT_MEMLOCK", "rlimit_memlock_max",
			   "; or LimitMEMLOCK= in its systemd unit, or grant it CAP_IPC_LOCK");
}

static bool fix_max_map_count(const struct fix_ctx *x, char *buf, size_t len)
{
	int64_t cur = x->d->sys.max_map_count >= 0 ? x->d->sys.max_map_count :
						     num(x->v, "max_map_count");

	if (cur <= 0)
		return false;
	snprintf(buf, len,
		 "sysctl -w vm.max_map_count=%" PRId64 " (twice the current %" PRId64
		 "; a process had %" PRId64 " mappings), kept in /etc/sysctl.d/",
		 sat_mul(2, cur), cur, x->c->need);
	return true;
}

/* Pages of RAM the huge page pools hold, which vm_commit_limit() leaves out. */
static int64_t hugetlb_kb(const struct sysinfo *s)
{
	int64_t kb = 0;

	for (unsigned int i = 0; i < s->nhstates; i++)
		if (s->hstates[i].total > 0 && s->hstates[i].size_kb > 0)
			kb = sat_add(kb, sat_mul(s->hstates[i].total, s->hstates[i].size_kb));
	return kb;
}

static bool fix_overcommit_strict(const struct fix_ctx *x, char *buf, size_t len)
{
	const struct sysinfo *s = &x->d->sys;
	int64_t need_kb = x->c->need / 1024, ram_kb = s->mem_total_kb - hugetlb_kb(s);
	int64_t over_kb = need_kb - (s->swap_total_kb > 0 ? s->swap_total_kb : 0);

	if (s->overcommit_memory >= 0 && s->overcommit_memory != 2) {
		snprintf(buf, len,
			 "vm.overcommit_memory is %" PRId64 " now, not 2: strict accounting no "
			 "longer refuses; set it back only with a CommitLimit above %s",
			 s->overcommit_memory, H(x->c->need));
		return true;
	}
	if (x->c->need < 0 || s->mem_total_kb <= 0 || ram_kb <= 0)
		return false;
	if (s->commit_limit_kb >= need_kb) {
		snprintf(buf, len,
			 "CommitLimit is %s now, above the %s the failures needed: check "
			 "Committed_AS (%s now) before the next run",
			 H(kib(s->commit_limit_kb)), H(x->c->need), H(kib(s->committed_as_kb)));
		return true;
	}
	if (s->overcommit_kbytes > 0)
		snprintf(buf, len,
			 "sysctl -w vm.overcommit_kbytes=%" PRId64 " (now %" PRId64
			 "), or add swap; vm.overcommit_memory=0 would not refuse it",
			 over_kb, s->overcommit_kbytes);
	else
		snprintf(buf, len,
			 "sysctl -w vm.overcommit_ratio=%" PRId64 " (now %" PRId64
			 "; CommitLimit %s, Committed_AS %s), or add swap; vm.overcommit_memory=0 "
			 "would not refuse it",
			 sat_add(sat_mul(over_kb, 100), ram_kb - 1) / ram_kb, s->overcommit_ratio,
			 H(kib(s->commit_limit_kb)), H(kib(s->committed_as_kb)));
	return true;
}

static bool fix_overcommit_heuristic(const struct fix_ctx *x, char *buf, size_t len)
{
	const struct sysinfo *s = &x->d->sys;

	if (s->overcommit_memory >= 0 && s->overcommit_memory != 0) {
		snprintf(buf, len,
			 "vm.overcommit_memory is %" PRId64 " now, not 0: the heuristic no longer "
			 "refuses requests larger than RAM + swap",
			 s->overcommit_memory);
		return true;
	}
	if (x->c->need < 0 || s->mem_total_kb < 0 || s->swap_total_kb < 0)
		return false;
	snprintf(buf, len,
		 "requests of up to %s exceed RAM + swap (%s): allocate in smaller pieces or with "
		 "MAP_NORESERVE, add swap, or sysctl -w vm.overcommit_memory=1",
		 H(x->c->need), H(kib(sat_add(s->mem_total_kb, s->swap_total_kb))));
	return true;
}

static bool fix_address_space(const struct fix_ctx *x, char *buf, size_t len)
{
	if (x->c->need <= 0 || !x->v->advice[0])
		return false;
	snprintf(buf, len, "the largest failed request was %s: %s", H(x->c->need), x->v->advice);
	return true;
}

/* The pool of size_kb as it is now, else as the latest event saw it. */
static void hugetlb_pool(const struct fix_ctx *x, int64_t size_kb, struct sysinfo_hstate *h)
{
	const struct sysinfo *s = &x->d->sys;

	for (unsigned int i = 0; i < s->nhstates; i++) {
		if (s->hstates[i].size_kb == size_kb) {
			*h = s->hstates[i];
			return;
		}
	}
	*h = (struct sysinfo_hstate){
		.size_kb = size_kb,
		.total = num(x->v, "hugepages_total"),
		.free = num(x->v, "hugepages_free"),
		.rsvd = num(x->v, "hugepages_rsvd"),
	};
}

static bool fix_hugetlb_pool(const struct fix_ctx *x, char *buf, size_t len)
{
	int64_t size_kb = num(x->v, "huge_page_bytes") / 1024, avail;
	struct sysinfo_hstate h;

	if (size_kb <= 0 || x->c->need < 0)
		return false;
	hugetlb_pool(x, size_kb, &h);
	if (h.total < 0 || h.free < 0 || h.rsvd < 0)
		return false;
	avail = h.free - h.rsvd > 0 ? h.free - h.rsvd : 0;
	snprintf(buf, len,
		 "echo %" PRId64 " > /sys/kernel/mm/hugepages/hugepages-%" PRId64
		 "kB/nr_hugepages (now %" PRId64 " pages, %" PRId64 " free, %" PRId64
		 " reserved; %" PRId64 " needed at once)",
		 sat_add(h.total, x->c->need > avail ? x->c->need - avail : 0), size_kb, h.total,
		 h.free, h.rsvd, x->c->need);
	return true;
}

static const struct diag_memcg *find_memcg(const struct diagnosis *d, const char *path)
{
	for (unsigned int i = 0; i < d->nmemcgs; i++)
		if (!strcmp(d->memcgs[i].path, path))
			return &d->memcgs[i];
	return NULL;
}

/* The limit file of path's memory cgroup, absolute when the hierarchy is known; memsw: v1's
 * memory+swap one. */
static const char *limit_file(const struct diagnosis *d, const struct diag_memcg *m,
			      const char *path, bool memsw, char *buf, size_t len)
{
	const char *file = cause__limit_file(d->version, memsw);

	if (m && m->dir[0])
		snprintf(buf, len, "%s/%s", m->dir, file);
	else
		snprintf(buf, len, "%s of %s", file, path);
	return buf;
}

static bool fix_memcg_limit(const struct fix_ctx *x, char *buf, size_t len)
{
	const char *path = str(x->v, "memcg");
	/* the binding level named may not be the only full one */
	const char *trunc = num(x->v, "memcg_levels_truncated") > 0
				    ? "; " MEMCG_TRUNCATED_NOTE ": check theirs too"
				    : "";
	const struct diag_memcg *m;
	int64_t limit, target;
	char file[PATH_MAX + 32], file2[PATH_MAX + 32];

	if (!path || !strcmp(path, "?") || x->c->need < 0)
		return false;
	m = find_memcg(x->d, path);
	if (num(x->v, "memcg_memsw") > 0) {
		/* v1's memory+swap limit: cgroupfs' "now" is the memory one, so the snapshot's;
		 * the memory limit may not exceed it and is often equal: raise both */
		limit = num(x->v, "memcg_limit_bytes");
		if (limit < 0)
			return false;
		target = round_up(x->c->need > limit ? x->c->need : sat_add(limit, MIB), MIB);
		snprintf(buf, len,
			 "echo %" PRId64 " > %s; echo %" PRId64 " > %s (the memory+swap limit was "
			 "%s at the failure)%s",
			 target, limit_file(x->d, m, path, true, file, sizeof(file)), target,
			 limit_file(x->d, m, path, false, file2, sizeof(file2)), H(limit), trunc);
		return true;
	}
	limit = m && m->now.valid ? m->now.limit_bytes : num(x->v, "memcg_limit_bytes");
	if (m && m->now.valid && limit < 0) {
		snprintf(buf, len,
			 "memory cgroup %s has no limit now: the limit hit was an ancestor's (or "
			 "it was raised since); raise that one",
			 path);
		return true;
	}
	if (limit < 0)
		return false;
	/* at least a MiB over the limit: the usage was read after the failure */
	target = round_up(x->c->need > limit ? x->c->need : sat_add(limit, MIB), MIB);
	snprintf(buf, len, "echo %" PRId64 " > %s (%s now, usage %s)%s%s", target,
		 limit_file(x->d, m, path, false, file, sizeof(file)), H(limit),
		 m && m->now.valid ? H(m->now.usage_bytes) : "?",
		 m && m->now.valid ? "" : "; the cgroup is gone or unreadable now", trunc);
	return true;
}

/* A memory cgroup's limit as read at end(): "32.0 MiB", "no limit", "?" */
static const char *limit_now(const struct diag_memcg *m, char *buf, size_t len)
{
	if (!m || !m->now.valid)
		return "?";
	return m->now.limit_bytes < 0 ? "no limit" : human(m->now.limit_bytes, buf, len);
}

static bool fix_oom_kill(const struct fix_ctx *x, char *buf, size_t len)
{
	const char *cons = str(x->v, "constraint"), *memcg = str(x->v, "memcg");
	const struct sysinfo *s = &x->d->sys;
	const struct diag_memcg *m;
	char file[PATH_MAX + 32];

	if (cons && !strcmp(cons, "memcg") && memcg) {
		m = find_memcg(x->d, memcg);
		snprintf(buf, len,
			 "raise %s (%s now) to what the workload needs, or reduce what it holds "
			 "(memory.stat)",
			 limit_file(x->d, m, memcg, false, file, sizeof(file)),
			 limit_now(m, (char[24]){ 0 }, 24));
		return true;
	}
	if (cons && !strcmp(cons, "global")) {
		snprintf(buf, len,
			 "add RAM or swap (%s RAM; swap %s, %s free now), or bound the biggest "
			 "consumers with memory cgroups; oom_score_adj protects what must survive",
			 H(kib(s->mem_total_kb)), H(kib(s->swap_total_kb)),
			 H(kib(s->swap_free_kb)));
		return true;
	}
	return false;
}

static bool fix_fragmentation(const struct fix_ctx *x, char *buf, size_t len)
{
	snprintf(buf, len,
		 "echo 1 > /proc/sys/vm/compact_memory for now; then raise vm.min_free_kbytes, or "
		 "make the order-%" PRId64 " callers (kernel stacks above) fall back to smaller "
		 "blocks",
		 x->c->need);
	return x->c->need >= 0;
}

static bool fix_exhaustion(const struct fix_ctx *x, char *buf, size_t len)
{
	const struct sysinfo *s = &x->d->sys;

	snprintf(buf, len,
		 "add RAM or swap (%s RAM; swap %s, %s free now), or bound the biggest consumers "
		 "with memory cgroups",
		 H(kib(s->mem_total_kb)), H(kib(s->swap_total_kb)), H(kib(s->swap_free_kb)));
	return true;
}

static bool fix_slab(const struct fix_ctx *x, char *buf, size_t len)
{
	int64_t max = num(x->v, "kmalloc_max_size");
	const char *cache = str(x->v, "cache");

	if (max > 0)
		snprintf(buf, len,
			 "a kernel caller asks kmalloc for more than %s (KMALLOC_MAX_SIZE): report "
			 "it with the kernel stack above",
			 H(max));
	else
		snprintf(buf, len,
			 "see /proc/slabinfo for %s and the page allocation failures around it "
			 "(fragmentation or exhaustion)",
			 cache ? cache : "the cache");
	return true;
}

static bool fix_mremap_in_place(const struct fix_ctx *x, char *buf, size_t len)
{
	(void)x;
	snprintf(buf, len, "pass MREMAP_MAYMOVE to mremap() and use the address it returns (the "
			   "call sites are the stacks above)");
	return true;
}

static bool fix_mlock_holes(const struct fix_ctx *x, char *buf, size_t len)
{
	snprintf(buf, len,
		 "lock only mapped memory: check the ranges of the stacks above against "
		 "/proc/%" PRIu64 "/maps (while %s runs)",
		 x->top->t.key, x->top->comm);
	return x->top->t.key != 0;
}

static bool fix_unmapped_range(const struct fix_ctx *x, char *buf, size_t len)
{
	const char *call = str(x->v, "syscall");

	snprintf(buf, len,
		 "apply %s to mapped memory only: a stale pointer or a length past the end of the "
		 "mapping (the call sites are the stacks above)",
		 call ? call : "the call");
	return true;
}

static bool fix_unknown(const struct fix_ctx *x, char *buf, size_t len)
{
	(void)x;
	snprintf(buf, len, "no rule explains these: the evidence of each event (--json) holds "
			   "the raw numbers");
	return true;
}

static const struct fix_rule fixes[] = {
	{ "rlimit_as", need_as, NULL, fix_rlimit_as },
	{ "rlimit_data", need_data, NULL, fix_rlimit_data },
	{ "rlimit_memlock", need_memlock, NULL, fix_rlimit_memlock },
	{ "max_map_count", need_map_count, NULL, fix_max_map_count },
	{ "overcommit_strict", need_commit, NULL, fix_overcommit_strict },
	{ "overcommit_heuristic", need_commit_request, NULL, fix_overcommit_heuristic },
	{ "address_space", need_request, NULL, fix_address_space },
	{ "hugetlb_pool", need_huge_pages, "huge_page_bytes", fix_hugetlb_pool },
	{ "mremap_in_place", NULL, NULL, fix_mremap_in_place },
	{ "mlock_holes", NULL, NULL, fix_mlock_holes },
	{ "unmapped_range", NULL, NULL, fix_unmapped_range },
	{ "memcg_limit", need_memcg, "memcg", fix_memcg_limit },
	{ "fragmentation", need_order, NULL, fix_fragmentation },
	{ "exhaustion", NULL, NULL, fix_exhaustion },
	{ "slab", NULL, NULL, fix_slab },
	{ "oom_kill", NULL, NULL, fix_oom_kill },
	{ "unknown", NULL, NULL, fix_unknown },
};

static const struct fix_rule *fix_rule(const char *code)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixes); i++)
		if (!strcmp(fixes[i].code, code))
			return &fixes[i];
	return NULL;
}

static void note_verdict(struct diag_cause *c, const struct cause *v)
{
	const struct fix_rule *r = fix_rule(c->code);
	int64_t need;

	if (!v)
		return;
	if (r && r->scope && c->has_last && !same_value(&c->last, v, r->scope))
		c->need = -1; /* another cgroup or pool: its own requirement */
	if (r && r->need && (need = r->need(v)) > c->need)
		c->need = need;
	c->last = *v;
	c->has_last = true;
}

static const struct diag_proc *top_process(const struct diag_cause *c)
{
	static const struct diag_proc none = { .comm = "the program" };
	unsigned int order[DIAG_MAX_PROCS];

	if (!c->nprocs)
		return &none;
	RANK(c->procs, c->nprocs, order);
	return &c->procs[order[0]];
}

/* The checklist line of a cause: its rule's, else the latest advice. */
static const char *fix_line(const struct diagnosis *d, const struct diag_cause *c, char *buf,
			    size_t len)
{
	const struct fix_rule *r = fix_rule(c->code);
	struct fix_ctx x = { d, c, &c->last, top_process(c) };

	if (r && r->line && r->line(&x, buf, len))
		return buf;
	return c->has_last && c->last.advice[0] ? c->last.advice : "no fix known";
}

/* ---- the sink ---- */

static int diag_event(struct sink *s, const struct event *ev)
{
	struct diagnosis *d = (struct diagnosis *)s;
	const char *code = ev->cause && ev->cause->code ? ev->cause->code : "unknown";
	struct diag_cause *c;
	bool fresh;

	d->events += ev->count;
	note_memcg(d, ev);
	code = strpool__intern(d->pool, code);
	if (!code) {
		d->causes_other += ev->count;
		return 0;
	}
	c = TALLY_ADD(d->causes, d->ncauses, d->causes_other, key_of(code), ev->count, &fresh);
	if (!c)
		return 0;
	if (fresh) {
		c->code = code;
		c->need = -1;
	}
	note_verdict(c, ev->cause);
	note_process(c, ev);
	note_cgroup(d, c, ev);
	note_stack(d, c, ev);
	return 0;
}

/* The memory controller's hierarchy: cgroup v1's /sys/fs/cgroup/memory, else the cgroup2
 * mount. */
static void find_memory_mount(struct diagnosis *d)
{
	char path[PATH_MAX + 64], line[4096], mnt[3072], fstype[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/memory/memory.limit_in_bytes", d->root);
	if (!access(path, F_OK)) {
		snprintf(d->mount, sizeof(d->mount), "%s/sys/fs/cgroup/memory", d->root);
		d->version = 1;
		return;
	}
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", d->root);
	f = fopen(path, "r");
	if (!f)
		return;
	/* "id parent maj:min root mountpoint options ... - fstype source superoptions" */
	while (fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");

		if (dash && sscanf(line, "%*s %*s %*s %*s %3071s", mnt) == 1 &&
		    sscanf(dash + 3, "%63s", fstype) == 1 && !strcmp(fstype, "cgroup2")) {
			snprintf(d->mount, sizeof(d->mount), "%s%s", d->root, mnt);
			d->version = 2;
			break;
		}
	}
	fclose(f);
}

static void read_settings(struct diagnosis *d)
{
	sysinfo__read_root(d->root, &d->sys); /* what cannot be read stays -1 */
	find_memory_mount(d);
	for (unsigned int i = 0; i < d->nmemcgs && d->mount[0]; i++) {
		struct diag_memcg *m = &d->memcgs[i];

		snprintf(m->dir, sizeof(m->dir), "%s%s", d->mount,
			 strcmp(m->path, "/") ? m->path : "");
		memcg_info__read(m->dir, d->version, &m->now);
	}
}

/* What read_settings() read, for a record to keep. */
static void save_settings(const struct diagnosis *d, struct diag_settings *s)
{
	s->valid = true;
	s->sys = d->sys;
	s->version = d->version;
	snprintf(s->mount, sizeof(s->mount), "%s", d->mount);
	s->nmemcgs = d->nmemcgs;
	for (unsigned int i = 0; i < d->nmemcgs; i++) {
		s->memcgs[i].path = d->memcgs[i].path;
		s->memcgs[i].now = d->memcgs[i].now;
	}
}

/* The settings a record kept: every memory cgroup as the recorded machine had it, those it did
 * not keep unknown. */
static void load_settings(struct diagnosis *d, const struct diag_settings *s)
{
	memset(&d->sys, 0xff, sizeof(d->sys)); /* -1: unknown */
	d->sys.nhstates = 0;
	d->version = 0;
	d->mount[0] = '\0';
	if (s->valid) {
		d->sys = s->sys;
		d->sys.nhstates = s->sys.nhstates < SYSINFO_MAX_HSTATES ? s->sys.nhstates :
									  SYSINFO_MAX_HSTATES;
		d->version = s->version;
		snprintf(d->mount, sizeof(d->mount), "%s", s->mount);
	}
	for (unsigned int i = 0; i < d->nmemcgs; i++) {
		struct diag_memcg *m = &d->memcgs[i];

		m->dir[0] = '\0';
		if (d->mount[0])
			snprintf(m->dir, sizeof(m->dir), "%s%s", d->mount,
				 strcmp(m->path, "/") ? m->path : "");
		for (unsigned int j = 0; s->valid && j < s->nmemcgs && j < DIAG_MAX_MEMCGS; j++)
			if (s->memcgs[j].path && !strcmp(s->memcgs[j].path, m->path))
				m->now = s->memcgs[j].now;
	}
}

/* ---- text ---- */

/* Appends item to a comma-separated list, wrapping before WRAP_COLUMN. */
static void list_put(FILE *out, int *col, bool first, const char *item)
{
	int n = (int)strlen(item);

	/* items hold names from the traced machine: escaped (escape.h) */
	if (!first && *col + 2 + n > WRAP_COLUMN) {
		fputs(",\n      ", out);
		escape__fputs(item, out);
		*col = 6 + n;
		return;
	}
	*col += fprintf(out, "%s ", first ? "" : ",") + n;
	escape__fputs(item, out);
}

static void text_processes(FILE *out, const struct diag_cause *c)
{
	unsigned int order[DIAG_MAX_PROCS];
	char item[64];
	int col;

	RANK(c->procs, c->nprocs, order);
	col = fprintf(out, "   processes:");
	for (unsigned int i = 0; i < c->nprocs; i++) {
		const struct diag_proc *p = &c->procs[order[i]];

		snprintf(item, sizeof(item), "%" PRIu64 " %s (%" PRIu64 ")", p->t.key, p->comm,
			 p->t.count);
		list_put(out, &col, !i, item);
	}
	if (c->procs_other) {
		snprintf(item, sizeof(item), "others (%" PRIu64 ")", c->procs_other);
		list_put(out, &col, !c->nprocs, item);
	}
	fputc('\n', out);
}

static void text_cgroups(FILE *out, const struct diag_cause *c)
{
	unsigned int order[DIAG_MAX_CGROUPS];
	char item[PATH_MAX + 32];
	int col;

	if (!c->ncgroups && !c->cgroups_other)
		return;
	RANK(c->cgroups, c->ncgroups, order);
	col = fprintf(out, "   cgroups:");
	for (unsigned int i = 0; i < c->ncgroups; i++) {
		snprintf(item, sizeof(item), "%s (%" PRIu64 ")", c->cgroups[order[i]].path,
			 c->cgroups[order[i]].t.count);
		list_put(out, &col, !i, item);
	}
	if (c->cgroups_other) {
		snprintf(item, sizeof(item), "others (%" PRIu64 ")", c->cgroups_other);
		list_put(out, &col, !c->ncgroups, item);
	}
	fputc('\n', out);
}

/* "a < b < c" */
static void frames_text(FILE *out, const char *const *names, unsigned int n, bool more)
{
	for (unsigned int i = 0; i < n; i++) {
		fputs(i ? " < " : "", out);
		escape__fputs(names[i], out);
	}
	if (more)
		fputs(" < ...", out);
}

static void text_stacks(FILE *out, const struct diag_cause *c)
{
	unsigned int order[DIAG_MAX_STACKS];
	uint64_t rest = c->stacks_other;

	RANK(c->stacks, c->nstacks, order);
	fputs("   stacks (innermost first):\n", out);
	for (unsigned int i = 0; i < c->nstacks; i++) {
		const struct diag_stack *st = &c->stacks[order[i]];

		if (i >= DIAG_TOP_STACKS) {
			rest += st->t.count;
			continue;
		}
		fprintf(out, "     %6" PRIu64 "  ", st->t.count);
		if (st->nuser)
			frames_text(out, st->user, st->nuser, st->user_more);
		else
			fputs("(no user stack)", out);
		if (st->nkernel) {
			fputs("\n             kernel: ", out);
			frames_text(out, st->kernel, st->nkernel, false);
		}
		fputc('\n', out);
	}
	if (rest)
		fprintf(out, "     %6" PRIu64 "  (other stacks)\n", rest);
}

static void text_cause(FILE *out, const struct diagnosis *d, const struct diag_cause *c,
		       unsigned int n)
{
	fprintf(out, "%u. ", n);
	escape__fputs(c->code, out);
	fprintf(out, ": %" PRIu64 " of %" PRIu64 " events (%.1f%%)\n", c->t.count, d->events,
		d->events ? 100.0 * c->t.count / d->events : 0);
	if (c->has_last && c->last.summary[0]) {
		fputs("   why: ", out);
		escape__fputs(c->last.summary, out);
		fputc('\n', out);
	}
	if (c->has_last && c->last.advice[0]) {
		fputs("   advice: ", out);
		escape__fputs(c->last.advice, out);
		fputc('\n', out);
	}
	text_processes(out, c);
	text_cgroups(out, c);
	text_stacks(out, c);
}

static const char *known(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		return "?";
	snprintf(buf, len, "%" PRId64, v);
	return buf;
}

#define K(v) known((v), (char[24]){ 0 }, 24)

static void text_hugepages(FILE *out, const struct sysinfo *s)
{
	fputs("  huge pages:", out);
	for (unsigned int i = 0; i < s->nhstates; i++) {
		const struct sysinfo_hstate *h = &s->hstates[i];

		fprintf(out, "%s %s kB: %s (%s free, %s reserved, %s surplus)", i ? ";" : "",
			K(h->size_kb), K(h->total), K(h->free), K(h->rsvd), K(h->surplus));
	}
	if (!s->nhstates)
		fprintf(out, " %s kB: %s (%s free, %s reserved)", K(s->hugepage_size_kb),
			K(s->hugepages_total), K(s->hugepages_free), K(s->hugepages_rsvd));
	fputc('\n', out);
}

/* "usage 1.0 MiB of a 32.0 MiB limit", "usage 1.0 MiB, no limit" */
static void memcg_usage(FILE *out, const struct memcg_info *mi)
{
	if (mi->limit_bytes < 0)
		fprintf(out, "usage %s, no limit", H(mi->usage_bytes));
	else
		fprintf(out, "usage %s of a %s limit", H(mi->usage_bytes), H(mi->limit_bytes));
}

static void text_memcg(FILE *out, const struct diag_memcg *m)
{
	fputs("  memory cgroup ", out);
	escape__fputs(m->path, out);
	fputs(": ", out);
	if (m->now.valid) {
		fprintf(out, "v%d, ", m->now.version);
		memcg_usage(out, &m->now);
		fprintf(out, ", failcnt %s, oom_kill %s", K(m->now.failcnt), K(m->now.oom_kill));
	} else {
		fputs("gone or unreadable now", out);
	}
	if (m->at_failure.valid) {
		/* without BPF's snapshot: as read when the latest event arrived */
		fputs(m->at_failure.at_failure ? "; at the failure " : "; after the failure ", out);
		memcg_usage(out, &m->at_failure);
	}
	if (m->at_failure.at_failure && m->at_failure.bind_level > 0) {
		fputs(", limited by its ancestor ", out);
		escape__fputs(m->at_failure.bind_path ? m->at_failure.bind_path : "?", out);
		fprintf(out, " (usage %s of a %s %slimit)", H(m->at_failure.bind_usage_bytes),
			H(m->at_failure.bind_limit_bytes),
			m->at_failure.bind_memsw ? "memory+swap " : "");
	} else if (m->at_failure.at_failure && m->at_failure.bind_memsw) {
		fprintf(out, ", limited by its memory+swap limit (usage %s of %s)",
			H(m->at_failure.bind_usage_bytes), H(m->at_failure.bind_limit_bytes));
	}
	if (m->at_failure.at_failure && m->at_failure.truncated)
		fputs("; " MEMCG_TRUNCATED_NOTE, out);
	fputc('\n', out);
}

static void text_settings(FILE *out, const struct diagnosis *d)
{
	const struct sysinfo *s = &d->sys;

	/* a report's are the recorded machine's, read when its session ended */
	fputs(d->settings && d->settings->recorded ? "settings when the recording ended:\n" :
						     "settings now:\n", out);
	fprintf(out,
		"  vm.overcommit_memory=%s, vm.overcommit_ratio=%s, vm.overcommit_kbytes=%s; "
		"CommitLimit %s, Committed_AS %s\n",
		K(s->overcommit_memory), K(s->overcommit_ratio), K(s->overcommit_kbytes),
		H(kib(s->commit_limit_kb)), H(kib(s->committed_as_kb)));
	fprintf(out, "  vm.max_map_count=%s\n", K(s->max_map_count));
	fprintf(out, "  RAM %s; swap %s, %s free\n", H(kib(s->mem_total_kb)),
		H(kib(s->swap_total_kb)), H(kib(s->swap_free_kb)));
	text_hugepages(out, s);
	for (unsigned int i = 0; i < d->nmemcgs; i++)
		text_memcg(out, &d->memcgs[i]);
	if (d->memcgs_other)
		fprintf(out, "  (more memory cgroups: %" PRIu64 " events)\n", d->memcgs_other);
}

static int write_text(struct diagnosis *d, uint64_t lost, uint64_t skipped)
{
	unsigned int order[DIAG_MAX_CAUSES];
	FILE *out = d->sink.out;
	char buf[640];

	fputs("--- diagnosis ---\n", out);
	if (!d->events) {
		fprintf(out, "no allocation failures seen\n");
		if (lost)
			fprintf(out, "(but %" PRIu64 " were lost: see the summary)\n", lost);
		if (skipped)
			fprintf(out, "(but the kernel skipped %" PRIu64 " runs of the programs: see "
				     "the summary)\n", skipped);
		return fflush(out) || ferror(out) ? -EIO : 0;
	}
	if (lost)
		fprintf(out, "(%" PRIu64 " more failures were lost and are not counted here)\n",
			lost);
	if (skipped)
		fprintf(out, "(the kernel skipped %" PRIu64 " runs of the programs: failures among "
			     "them are not counted here)\n", skipped);
	RANK(d->causes, d->ncauses, order);
	for (unsigned int i = 0; i < d->ncauses; i++)
		text_cause(out, d, &d->causes[order[i]], i + 1);
	if (d->causes_other)
		fprintf(out, "(other causes: %" PRIu64 " events)\n", d->causes_other);
	text_settings(out, d);
	fputs("checklist:\n", out);
	for (unsigned int i = 0; i < d->ncauses; i++) {
		const struct diag_cause *c = &d->causes[order[i]];

		fputs("  [ ] ", out);
		escape__fputs(c->code, out);
		fputs(": ", out);
		escape__fputs(fix_line(d, c, buf, sizeof(buf)), out);
		fputc('\n', out);
	}
	return fflush(out) || ferror(out) ? -EIO : 0;
}

/* ---- JSON ---- */

/* Adds v (NULL: JSON null) to o; an o that could not be allocated stays NULL (null). */
static void add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || json_object_object_add(o, key, v))
		json_object_put(v);
}

static struct json_object *i64_known(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

static struct json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *evidence_json(const struct cause *v)
{
	struct json_object *o = json_object_new_object();

	for (unsigned int i = 0; i < v->nevidence && i < CAUSE_MAX_EVIDENCE; i++) {
		const struct cause_kv *kv = &v->evidence[i];

		add(o, kv->key, kv->is_str ? json_object_new_string(kv->str) :
					     json_object_new_int64(kv->num));
	}
	return o;
}

static struct json_object *processes_json(const struct diag_cause *c)
{
	struct json_object *a = json_object_new_array_ext(c->nprocs);
	unsigned int order[DIAG_MAX_PROCS];

	RANK(c->procs, c->nprocs, order);
	for (unsigned int i = 0; i < c->nprocs; i++) {
		const struct diag_proc *p = &c->procs[order[i]];
		struct json_object *o = json_object_new_object();

		add(o, "pid", json_object_new_int64((int64_t)p->t.key));
		add(o, "comm", json_object_new_string(p->comm));
		add(o, "count", json_object_new_uint64(p->t.count));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *cgroups_json(const struct diag_cause *c)
{
	struct json_object *a = json_object_new_array_ext(c->ncgroups);
	unsigned int order[DIAG_MAX_CGROUPS];

	RANK(c->cgroups, c->ncgroups, order);
	for (unsigned int i = 0; i < c->ncgroups; i++) {
		struct json_object *o = json_object_new_object();

		add(o, "path", json_object_new_string(c->cgroups[order[i]].path));
		add(o, "count", json_object_new_uint64(c->cgroups[order[i]].t.count));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *names_json(const char *const *names, unsigned int n)
{
	struct json_object *a = json_object_new_array_ext(n);

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

/* The top stacks; *rest gets the count of the others. */
static struct json_object *stacks_json(const struct diag_cause *c, uint64_t *rest)
{
	struct json_object *a = json_object_new_array_ext(DIAG_TOP_STACKS);
	unsigned int order[DIAG_MAX_STACKS];

	*rest = c->stacks_other;
	RANK(c->stacks, c->nstacks, order);
	for (unsigned int i = 0; i < c->nstacks; i++) {
		const struct diag_stack *st = &c->stacks[order[i]];
		struct json_object *o;

		if (i >= DIAG_TOP_STACKS) {
			*rest += st->t.count;
			continue;
		}
		o = json_object_new_object();
		add(o, "count", json_object_new_uint64(st->t.count));
		add(o, "user", names_json(st->user, st->nuser));
		add(o, "user_more", json_object_new_boolean(st->user_more));
		add(o, "kernel", names_json(st->kernel, st->nkernel));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *cause_json(const struct diagnosis *d, const struct diag_cause *c)
{
	struct json_object *o = json_object_new_object();
	char share[16], fix[640];
	uint64_t rest;

	snprintf(share, sizeof(share), "%.3f", d->events ? (double)c->t.count / d->events : 0);
	add(o, "code", json_object_new_string(c->code));
	add(o, "count", json_object_new_uint64(c->t.count));
	add(o, "share", json_object_new_double_s(atof(share), share));
	add(o, "summary", c->has_last ? str_or_null(c->last.summary) : NULL);
	add(o, "advice", c->has_last ? str_or_null(c->last.advice) : NULL);
	add(o, "fix", json_object_new_string(fix_line(d, c, fix, sizeof(fix))));
	add(o, "evidence", c->has_last ? evidence_json(&c->last) : NULL);
	add(o, "processes", processes_json(c));
	add(o, "processes_other", json_object_new_uint64(c->procs_other));
	add(o, "cgroups", cgroups_json(c));
	add(o, "cgroups_other", json_object_new_uint64(c->cgroups_other));
	add(o, "stacks", stacks_json(c, &rest));
	add(o, "stacks_other", json_object_new_uint64(rest));
	return o;
}

static struct json_object *hstate_json(const struct sysinfo_hstate *h)
{
	struct json_object *o = json_object_new_object();

	add(o, "size_kb", i64_known(h->size_kb));
	add(o, "total", i64_known(h->total));
	add(o, "free", i64_known(h->free));
	add(o, "rsvd", i64_known(h->rsvd));
	add(o, "surplus", i64_known(h->surplus));
	add(o, "overcommit", i64_known(h->overcommit));
	return o;
}

static struct json_object *settings_json(const struct sysinfo *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *huge = json_object_new_array_ext(s->nhstates);

	add(o, "overcommit_memory", i64_known(s->overcommit_memory));
	add(o, "overcommit_ratio", i64_known(s->overcommit_ratio));
	add(o, "overcommit_kbytes", i64_known(s->overcommit_kbytes));
	add(o, "commit_limit_kb", i64_known(s->commit_limit_kb));
	add(o, "committed_as_kb", i64_known(s->committed_as_kb));
	add(o, "max_map_count", i64_known(s->max_map_count));
	add(o, "mem_total_kb", i64_known(s->mem_total_kb));
	add(o, "mem_available_kb", i64_known(s->mem_available_kb));
	add(o, "swap_total_kb", i64_known(s->swap_total_kb));
	add(o, "swap_free_kb", i64_known(s->swap_free_kb));
	for (unsigned int i = 0; i < s->nhstates && i < SYSINFO_MAX_HSTATES; i++)
		json_object_array_add(huge, hstate_json(&s->hstates[i]));
	add(o, "hugepages", huge);
	return o;
}

static struct json_object *memcg_state_json(const struct memcg_info *mi)
{
	struct json_object *o;

	if (!mi->valid)
		return NULL;
	o = json_object_new_object();
	add(o, "version", json_object_new_int(mi->version));
	add(o, "limit_bytes", i64_known(mi->limit_bytes)); /* null: unlimited or unknown */
	add(o, "usage_bytes", i64_known(mi->usage_bytes));
	add(o, "failcnt", i64_known(mi->failcnt));
	add(o, "oom_kill", i64_known(mi->oom_kill));
	add(o, "snapshot", json_object_new_boolean(mi->at_failure)); /* BPF's, at the failure */
	if (mi->at_failure && (mi->bind_level > 0 || (mi->bind_level == 0 && mi->bind_memsw))) {
		struct json_object *b = json_object_new_object();

		add(b, "level", json_object_new_int(mi->bind_level));
		add(b, "path", str_or_null(mi->bind_path));
		add(b, "limit_bytes", i64_known(mi->bind_limit_bytes));
		add(b, "usage_bytes", i64_known(mi->bind_usage_bytes));
		add(b, "counter", json_object_new_string(mi->bind_memsw ? "memsw" : "memory"));
		add(o, "limited_by", b);
	}
	if (mi->at_failure)
		add(o, "levels_truncated", json_object_new_boolean(mi->truncated));
	return o;
}

static struct json_object *memcgs_json(const struct diagnosis *d)
{
	struct json_object *a = json_object_new_array_ext(d->nmemcgs);

	for (unsigned int i = 0; i < d->nmemcgs; i++) {
		const struct diag_memcg *m = &d->memcgs[i];
		struct json_object *o = json_object_new_object();

		add(o, "path", json_object_new_string(m->path));
		add(o, "count", json_object_new_uint64(m->t.count));
		add(o, "dir", str_or_null(m->dir));
		add(o, "now", memcg_state_json(&m->now));
		add(o, "at_failure", memcg_state_json(&m->at_failure));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *diagnosis_json(const struct diagnosis *d, uint64_t lost,
					  uint64_t skipped)
{
	struct json_object *o = json_object_new_object();
	struct json_object *causes = json_object_new_array_ext(d->ncauses);
	unsigned int order[DIAG_MAX_CAUSES];

	add(o, "type", json_object_new_string("diagnosis"));
	if (!d->events) {
		add(o, "causes", causes);
		if (lost)
			add(o, "lost", json_object_new_uint64(lost));
		if (skipped)
			add(o, "skipped", json_object_new_uint64(skipped));
		return o;
	}
	RANK(d->causes, d->ncauses, order);
	for (unsigned int i = 0; i < d->ncauses; i++)
		json_object_array_add(causes, cause_json(d, &d->causes[order[i]]));
	add(o, "events", json_object_new_uint64(d->events));
	add(o, "lost", json_object_new_uint64(lost));
	add(o, "skipped", json_object_new_uint64(skipped));
	add(o, "causes", causes);
	add(o, "causes_other", json_object_new_uint64(d->causes_other));
	add(o, "settings", settings_json(&d->sys));
	add(o, "memcgs", memcgs_json(d));
	add(o, "memcgs_other", json_object_new_uint64(d->memcgs_other));
	return o;
}

static int write_json(struct diagnosis *d, uint64_t lost, uint64_t skipped)
{
	struct json_object *o = diagnosis_json(d, lost, skipped);
	FILE *out = d->sink.out;
	const char *s;
	int err = 0;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		err = -ENOMEM;
	else if (fputs(s, out) == EOF || fputc('\n', out) == EOF || fflush(out))
		err = -EIO;
	json_object_put(o);
	return err;
}

static int diag_end(struct sink *s, const struct summary *sum)
{
	struct diagnosis *d = (struct diagnosis *)s;
	uint64_t lost = sum ? sum->lost : 0, skipped = sum ? sum->skipped : 0;

	if (d->events && d->settings && (d->settings->valid || d->settings->recorded)) {
		load_settings(d, d->settings);
	} else if (d->events) {
		read_settings(d);
		if (d->settings)
			save_settings(d, d->settings);
	}
	if (!s->out) /* a record's, without a live output: the settings were all it needed */
		return 0;
	return d->json ? write_json(d, lost, skipped) : write_text(d, lost, skipped);
}

static void diag_free(struct sink *s)
{
	struct diagnosis *d = (struct diagnosis *)s;

	strpool__free(d->pool);
	free(d);
}

static const struct sink_ops diag_ops = {
	.name = "diagnosis",
	.event = diag_event,
	.end = diag_end,
	.free = diag_free,
};

static struct diagnosis *diagnosis_new(FILE *out, bool json, const char *root)
{
	struct diagnosis *d;

	if (root && strlen(root) >= sizeof(d->root))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->pool = strpool__new();
	if (!d->pool) {
		free(d);
		return NULL;
	}
	d->sink.ops = &diag_ops;
	d->sink.out = out;
	d->json = json;
	snprintf(d->root, sizeof(d->root), "%s", root ? root : "");
	return d;
}

struct sink *sink_diagnosis__new_root(FILE *out, bool json, const char *root)
{
	struct diagnosis *d = out ? diagnosis_new(out, json, root) : NULL;

	return d ? &d->sink : NULL;
}

struct sink *sink_diagnosis__new(FILE *out, bool json)
{
	return sink_diagnosis__new_root(out, json, NULL);
}

struct sink *sink_diagnosis__new_settings(FILE *out, bool json, struct diag_settings *settings)
{
	struct diagnosis *d = settings ? diagnosis_new(out, json, NULL) : NULL;

	if (!d)
		return NULL;
	d->settings = settings;
	return &d->sink;
}
