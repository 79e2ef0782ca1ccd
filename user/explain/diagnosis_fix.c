// SPDX-License-Identifier: GPL-2.0
/*
 * The fix per cause of the diagnosis (docs/diagnosis.md): fixes[] holds, by cause code, what
 * one failure needed and the checklist line built from the latest event's evidence, the
 * largest requirement seen and the settings handed to end(); without a line, the advice of the
 * latest event stands.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "diagnosis_tally.h"

#define MIB (1LL << 20)
#define PAGE 4096LL /* x86: what the kernel rounds a request up to */

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

int64_t diag__kib(int64_t kb)
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

const char *diag__bytes(int64_t b, char *buf, size_t len)
{
	return b < 0 ? "?" : common__human_bytes(b, buf, len);
}

struct fix_ctx {
	const struct diagnosis *d;
	const struct diag_cause *c;
	const struct cause *v; /* c->last */
	const struct diag_proc *top; /* the process with the most failures of the cause */
};

struct fix_rule {
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
			 H(diag__kib(s->commit_limit_kb)), H(x->c->need),
			 H(diag__kib(s->committed_as_kb)));
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
			 H(diag__kib(s->commit_limit_kb)), H(diag__kib(s->committed_as_kb)));
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
		 H(x->c->need), H(diag__kib(sat_add(s->mem_total_kb, s->swap_total_kb))));
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
	return m->now.limit_bytes < 0 ? "no limit" : diag__bytes(m->now.limit_bytes, buf, len);
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
			 limit_now(m, (char[HUMAN_BYTES_LEN]){ 0 }, HUMAN_BYTES_LEN));
		return true;
	}
	if (cons && !strcmp(cons, "global")) {
		snprintf(buf, len,
			 "add RAM or swap (%s RAM; swap %s, %s free now), or bound the biggest "
			 "consumers with memory cgroups; oom_score_adj protects what must survive",
			 H(diag__kib(s->mem_total_kb)), H(diag__kib(s->swap_total_kb)),
			 H(diag__kib(s->swap_free_kb)));
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
		 H(diag__kib(s->mem_total_kb)), H(diag__kib(s->swap_total_kb)),
		 H(diag__kib(s->swap_free_kb)));
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

/* by code: each one the rules can give (cause.h) has its entry */
static const struct fix_rule fixes[CAUSE_NR_CODES] = {
	[CAUSE_RLIMIT_AS] = { need_as, NULL, fix_rlimit_as },
	[CAUSE_RLIMIT_DATA] = { need_data, NULL, fix_rlimit_data },
	[CAUSE_RLIMIT_MEMLOCK] = { need_memlock, NULL, fix_rlimit_memlock },
	[CAUSE_MAX_MAP_COUNT] = { need_map_count, NULL, fix_max_map_count },
	[CAUSE_OVERCOMMIT_STRICT] = { need_commit, NULL, fix_overcommit_strict },
	[CAUSE_OVERCOMMIT_HEURISTIC] = { need_commit_request, NULL, fix_overcommit_heuristic },
	[CAUSE_ADDRESS_SPACE] = { need_request, NULL, fix_address_space },
	[CAUSE_HUGETLB_POOL] = { need_huge_pages, "huge_page_bytes", fix_hugetlb_pool },
	[CAUSE_MREMAP_IN_PLACE] = { NULL, NULL, fix_mremap_in_place },
	[CAUSE_MLOCK_HOLES] = { NULL, NULL, fix_mlock_holes },
	[CAUSE_UNMAPPED_RANGE] = { NULL, NULL, fix_unmapped_range },
	[CAUSE_MEMCG_LIMIT] = { need_memcg, "memcg", fix_memcg_limit },
	[CAUSE_FRAGMENTATION] = { need_order, NULL, fix_fragmentation },
	[CAUSE_EXHAUSTION] = { NULL, NULL, fix_exhaustion },
	[CAUSE_SLAB] = { NULL, NULL, fix_slab },
	[CAUSE_OOM_KILL] = { NULL, NULL, fix_oom_kill },
	[CAUSE_UNKNOWN] = { NULL, NULL, fix_unknown },
};

static const struct fix_rule *fix_rule(enum cause_code id)
{
	return (unsigned int)id < CAUSE_NR_CODES ? &fixes[id] : NULL;
}

void diag_fix__note(struct diag_cause *c, const struct cause *v)
{
	const struct fix_rule *r = fix_rule(c->id);
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

const char *diag_fix__line(const struct diagnosis *d, const struct diag_cause *c, char *buf,
			   size_t len)
{
	const struct fix_rule *r = fix_rule(c->id);
	struct fix_ctx x = { d, c, &c->last, top_process(c) };

	if (r && r->line && r->line(&x, buf, len))
		return buf;
	return c->has_last && c->last.advice[0] ? c->last.advice : "no fix known";
}
