// SPDX-License-Identifier: GPL-2.0
/*
 * The record file's reader (record.h, docs/record-format.md). It loads the whole file, bounded,
 * and checks all of it in open, so `report` never prints half of a bad file.
 */
#include <argp.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include "cause.h"
#include "common.h"
#include "decode.h"
#include "event_type.h"
#include "frag.h"
#include "record.h"
#include "record_format.h"

/* A bounded view of bytes: every read checks what is left, the first failure sticks. */
struct cur {
	const uint8_t *p;
	size_t left;
	bool bad;
	char why[160];
};

__attribute__((format(printf, 2, 3))) static void fail(struct cur *c, const char *fmt, ...)
{
	va_list ap;

	if (c->bad)
		return;
	c->bad = true;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static const uint8_t *take(struct cur *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->bad)
		return NULL;
	if (n > c->left) {
		fail(c, "ends %zu bytes early", n - c->left);
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

static uint64_t get_le(struct cur *c, size_t n)
{
	const uint8_t *p = take(c, n);
	uint64_t v = 0;

	while (p && n--)
		v = v << 8 | p[n];
	return v;
}

static uint8_t get_u8(struct cur *c)
{
	return get_le(c, 1);
}

static uint16_t get_u16(struct cur *c)
{
	return get_le(c, 2);
}

static uint32_t get_u32(struct cur *c)
{
	return get_le(c, 4);
}

static uint64_t get_u64(struct cur *c)
{
	return get_le(c, 8);
}

static bool get_bool(struct cur *c, const char *what)
{
	uint8_t v = get_u8(c);

	if (v > 1)
		fail(c, "%s is %u, not a boolean", what, v);
	return v == 1;
}

static uint32_t get_count(struct cur *c, uint32_t max, const char *what)
{
	uint32_t n = get_u32(c);

	if (n > max) {
		fail(c, "%" PRIu32 " %s (at most %" PRIu32 ")", n, what, max);
		return 0;
	}
	return n;
}

/* A string of at most max bytes before its NUL, pointing into the file image; NULL if absent. */
static const char *get_str(struct cur *c, size_t max, bool nullable, const char *what)
{
	uint32_t n = get_u32(c);
	const uint8_t *p;

	if (c->bad)
		return NULL;
	if (!n) {
		if (!nullable)
			fail(c, "%s missing", what);
		return NULL;
	}
	if (n - 1 > max) {
		fail(c, "%s of %" PRIu32 " bytes (at most %zu)", what, n - 1, max);
		return NULL;
	}
	p = take(c, n);
	if (p && (p[n - 1] || memchr(p, 0, n - 1))) {
		fail(c, "%s is not one NUL-terminated string", what);
		return NULL;
	}
	return (const char *)p;
}

/* Into a fixed array of size bytes, NUL included; "" when absent or bad. */
static void get_str_into(struct cur *c, char *dst, size_t size, const char *what)
{
	const char *s = get_str(c, size - 1, false, what);

	strcpy(dst, s ? s : "");
}

static void get_stack(struct cur *c, struct stack *st, bool truncated, const char *what)
{
	st->n = get_count(c, ARRAY_SIZE(st->frames), what);
	for (unsigned int i = 0; i < st->n && !c->bad; i++) {
		struct frame *f = &st->frames[i];

		f->addr = get_u64(c);
		f->off = get_u64(c);
		f->line = (int32_t)get_u32(c);
		f->inlined = get_bool(c, "frame's inlined flag");
		f->sym = get_str(c, STR_MAX, true, "symbol");
		f->obj = get_str(c, STR_MAX, true, "object");
		f->file = get_str(c, STR_MAX, true, "source file");
	}
	st->unwind = get_u8(c);
	st->end = get_u8(c);
	/* the sinks name them from tables: a value past the last is refused */
	if (!c->bad && (st->unwind > STACK_UNWIND_DWARF || st->end > STACK_END_FP_CHAIN))
		fail(c, "%s: unwind method %u, end %u", what, st->unwind, st->end);
	if (c->bad)
		st->n = 0;
	st->truncated = truncated;
}

static void get_cause(struct cur *c, struct cause *out)
{
	memset(out, 0, sizeof(*out));
	out->code = get_str(c, STR_MAX, false, "cause code");
	out->code_id = cause__code_of(out->code); /* a code this build does not know: unknown */
	get_str_into(c, out->summary, sizeof(out->summary), "cause summary");
	get_str_into(c, out->advice, sizeof(out->advice), "cause advice");
	out->nevidence = get_count(c, CAUSE_MAX_EVIDENCE, "evidence entries");
	for (unsigned int i = 0; i < out->nevidence && !c->bad; i++) {
		struct cause_kv *kv = &out->evidence[i];

		kv->key = get_str(c, STR_MAX, false, "evidence key");
		kv->is_str = get_bool(c, "evidence type");
		if (kv->is_str)
			get_str_into(c, kv->str, sizeof(kv->str), "evidence value");
		else
			kv->num = (int64_t)get_u64(c);
	}
	if (c->bad)
		out->nevidence = 0;
}

static void get_memcg_info(struct cur *c, struct memcg_info *mi)
{
	uint8_t snap;

	mi->valid = get_bool(c, "memcg state's valid flag");
	mi->version = (int32_t)get_u32(c);
	mi->limit_bytes = (int64_t)get_u64(c);
	mi->usage_bytes = (int64_t)get_u64(c);
	mi->failcnt = (int64_t)get_u64(c);
	mi->oom_events = (int64_t)get_u64(c);
	mi->oom_kill = (int64_t)get_u64(c);
	mi->oom_kill_disable = (int64_t)get_u64(c);
	mi->at_failure = get_bool(c, "memcg state's at-failure flag");
	mi->bind_level = (int32_t)get_u32(c);
	mi->bind_path = get_str(c, STR_MAX, true, "binding memcg");
	mi->bind_limit_bytes = (int64_t)get_u64(c);
	mi->bind_usage_bytes = (int64_t)get_u64(c);
	snap = get_u8(c);
	mi->bind_memsw = snap & 1;
	mi->memsw_read = snap & 2;
	mi->truncated = snap & 4;
}

static void get_frag(struct cur *c, struct frag_info *f)
{
	f->present = get_bool(c, "frag's present flag");
	f->snapshot = get_str(c, STR_MAX, true, "frag snapshot");
	get_str_into(c, f->zone, sizeof(f->zone), "zone name");
	f->node = (int32_t)get_u32(c);
	for (unsigned int i = 0; i < AF_NR_ORDERS; i++)
		f->free_blocks[i] = get_u64(c);
	f->free_pages = get_u64(c);
	f->wmark_min = get_u64(c);
	f->wmark_low = get_u64(c);
	f->wmark_high = get_u64(c);
	f->wmark_boost = get_u64(c);
	f->fragindex = (int32_t)get_u32(c);
	f->unusable_index = (int32_t)get_u32(c);
	f->have_reclaim = get_bool(c, "frag's reclaim flag");
	f->reclaimable = get_u64(c);
	f->available = get_u64(c);
	f->nr_reclaimed = get_u64(c);
	f->no_progress_loops = (int32_t)get_u32(c);
	f->have_compaction = get_bool(c, "frag's compaction flag");
	f->compact_result = (int32_t)get_u32(c);
	f->compact_priority = (int32_t)get_u32(c);
	f->compact_retries = (int32_t)get_u32(c);
}

/* Copied into aligned memory; the ABI header checked as decode__record() checks it. */
static void get_payload(struct cur *c, unsigned int type, union af_any_record *pl)
{
	const struct event_type_desc *d = payload_desc(type);
	uint32_t want = d->size;
	uint32_t n = get_u32(c);
	char why[128];
	const uint8_t *p;

	if (!c->bad && n != want) {
		fail(c, "%s payload of %" PRIu32 " bytes, expected %" PRIu32,
		     event_type__name(type), n, want);
		return;
	}
	p = take(c, n);
	if (!p)
		return;
	memcpy(pl, p, n);
	if (pl->h.type != type || pl->h.version != AF_ABI_VERSION || pl->h.size != want)
		fail(c, "payload header says type %u, version %u, %u bytes", pl->h.type,
		     pl->h.version, pl->h.size);
	else if (pl->h.kstack_len > AF_MAX_STACK || pl->h.ustack_len > AF_MAX_STACK)
		fail(c, "payload stack lengths %u/%u over %u", pl->h.kstack_len,
		     pl->h.ustack_len, AF_MAX_STACK);
	else if (d->check && d->check(pl, why, sizeof(why)))
		fail(c, "%s", why);
}

/* A wall time whose nanoseconds since 1970 fit an int64_t, as the sinks compute them. */
static bool time_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_sec < INT64_MAX / 1000000000 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < 1000000000;
}

struct record_reader {
	uint8_t *buf; /* the whole file */
	size_t size;
	size_t pos;	       /* next chunk */
	uint32_t crc;	       /* chained CRC up to pos */
	size_t first_event;    /* pos and crc after the header, where next() starts */
	uint32_t first_crc;
	uint64_t nevents;
	uint64_t counted; /* sum of the events' counts, at most the summary's events */
	bool done;
	bool cut_short; /* no trailer: the summary is the events' own */
	struct record_info info;
	struct summary sum;
	struct diag_settings settings;
	/* what the current event points to */
	struct cause cause;
	struct memcg_info memcg;
	struct frag_info frag;
	union af_any_record payload; /* aligned: events point here, not into the file image */
	struct event scratch; /* open's check of every event */
};

static void get_identity(struct cur *c, struct event *ev)
{
	ev->pid = get_u32(c);
	ev->tid = get_u32(c);
	ev->uid = get_u32(c);
	ev->ts_ns = get_u64(c);
	ev->wall.tv_sec = (int64_t)get_u64(c);
	ev->wall.tv_nsec = get_u32(c);
	if (!time_ok(&ev->wall))
		fail(c, "wall time %" PRId64 ".%09ld out of range", (int64_t)ev->wall.tv_sec,
		     ev->wall.tv_nsec);
	ev->cgroup_id = get_u64(c);
	ev->count = get_u64(c);
	ev->bytes = get_u64(c);
	ev->id = get_u64(c);
	ev->chain_id = get_u64(c);
	ev->caused_by = get_u64(c);
	get_str_into(c, ev->comm, sizeof(ev->comm), "comm");
	ev->cgroup = get_str(c, STR_MAX, true, "cgroup");
	ev->memcg = get_str(c, STR_MAX, true, "memcg");
	ev->victim_cgroup = get_str(c, STR_MAX, true, "victim cgroup");
	ev->oom_constraint = get_str(c, STR_MAX, true, "oom constraint");
}

/* One event chunk's body into ev, its parts in r. 0, or -EBADMSG with c->why set. */
static int parse_event(struct record_reader *r, struct cur *c, struct event *ev)
{
	unsigned int type, flags;

	memset(ev, 0, sizeof(*ev));
	type = get_u16(c);
	flags = get_u16(c);
	if (!c->bad && !payload_desc(type))
		fail(c, "unknown event type %u", type);
	if (flags & ~EVF_ALL)
		fail(c, "unknown event flags 0x%x", flags);
	ev->type = type;
	get_identity(c, ev);
	get_stack(c, &ev->kstack, flags & EVF_KSTACK_TRUNCATED, "kernel frames");
	get_stack(c, &ev->ustack, flags & EVF_USTACK_TRUNCATED, "user frames");
	if (flags & EVF_CAUSE) {
		get_cause(c, &r->cause);
		ev->cause = &r->cause;
	}
	if (flags & EVF_MEMCG_INFO) {
		get_memcg_info(c, &r->memcg);
		ev->memcg_info = &r->memcg;
	}
	if (flags & EVF_FRAG) {
		get_frag(c, &r->frag);
		ev->frag = &r->frag;
	}
	if (flags & EVF_SITE) {
		ev->site = get_u32(c);
		ev->site_update = get_bool(c, "site update flag");
		ev->site_detail = get_bool(c, "site detail flag");
		ev->site_total = get_u64(c);
		if (!c->bad && !ev->site)
			fail(c, "site 0 with the site flag");
	}
	if (!c->bad)
		get_payload(c, type, &r->payload);
	ev->raw.h = &r->payload.h;
	ev->cause_site = r->payload.h.cause_site; /* a site's records and counts share it */
	if (!c->bad && c->left)
		fail(c, "%zu bytes past its end", c->left);
	return c->bad ? -EBADMSG : 0;
}

struct chunk {
	uint32_t kind;
	size_t at; /* offset in the file */
	struct cur body;
};

/* The chunk at r->pos, its CRC checked; r->pos and r->crc move past it. */
static int next_chunk(struct record_reader *r, struct chunk *ch, char *why, size_t len)
{
	size_t left = r->size - r->pos;
	const uint8_t *p = r->buf + r->pos;
	struct cur c = { .p = p, .left = left };
	uint32_t body_len, crc;

	ch->at = r->pos;
	ch->kind = get_u32(&c);
	body_len = get_u32(&c);
	if (c.bad || left < CHUNK_HEAD + CHUNK_TAIL || body_len > CHUNK_MAX ||
	    body_len > left - CHUNK_HEAD - CHUNK_TAIL) {
		snprintf(why, len, "truncated or corrupt: the chunk at byte %zu runs past the end",
			 r->pos);
		return -EBADMSG;
	}
	crc = crc32(r->crc, p, CHUNK_HEAD + body_len);
	c.p = p + CHUNK_HEAD + body_len;
	c.left = CHUNK_TAIL;
	if (crc != get_u32(&c)) {
		snprintf(why, len, "corrupt: checksum mismatch in the chunk at byte %zu", r->pos);
		return -EBADMSG;
	}
	ch->body = (struct cur){ .p = p + CHUNK_HEAD, .left = body_len };
	r->crc = crc;
	r->pos += CHUNK_HEAD + body_len + CHUNK_TAIL;
	return 0;
}

static int check_preamble(struct record_reader *r, char *why, size_t len)
{
	struct cur c = { .p = r->buf + sizeof(record_magic), .left = PREAMBLE_SIZE };
	uint16_t version, flags;
	uint32_t bom;

	if (!r->size) {
		snprintf(why, len, "empty file");
		return -EBADMSG;
	}
	if (memcmp(r->buf, record_magic,
		   r->size < sizeof(record_magic) ? r->size : sizeof(record_magic))) {
		snprintf(why, len, "not an allocfail record (bad magic)");
		return -EBADMSG;
	}
	if (r->size < PREAMBLE_SIZE) {
		snprintf(why, len, "truncated: %zu bytes, shorter than the preamble", r->size);
		return -EBADMSG;
	}
	version = get_u16(&c);
	flags = get_u16(&c);
	memcpy(&bom, take(&c, sizeof(bom)), sizeof(bom)); /* native order, as written */
	if (version != RECORD_FORMAT_VERSION) {
		snprintf(why, len,
			 "record format version %u is not supported (this allocfail reads %u)",
			 version, RECORD_FORMAT_VERSION);
		return -EBADMSG;
	}
	if (flags || bom != RECORD_BOM) {
		snprintf(why, len, "corrupt preamble (flags 0x%x, byte order mark 0x%08x)", flags,
			 bom);
		return -EBADMSG;
	}
	r->pos = PREAMBLE_SIZE;
	r->crc = crc32(0, r->buf, PREAMBLE_SIZE);
	return 0;
}

/* s for a one-line message: at most len - 1 bytes, anything but printable ASCII as '?'. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i < len - 1; i++)
		buf[i] = s[i] >= ' ' && s[i] <= '~' ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int check_header(struct record_reader *r, struct cur *c, char *why, size_t len)
{
	struct record_info *in = &r->info;
	char machine[32];

	in->format_version = RECORD_FORMAT_VERSION;
	in->abi_version = get_u32(c);
	in->start.tv_sec = (int64_t)get_u64(c);
	in->start.tv_nsec = get_u32(c);
	in->tool_version = get_str(c, STR_MAX, false, "tool version");
	in->hostname = get_str(c, STR_MAX, false, "hostname");
	in->kernel_release = get_str(c, STR_MAX, false, "kernel release");
	in->machine = get_str(c, STR_MAX, false, "machine");
	if (!c->bad && (c->left || !time_ok(&in->start)))
		fail(c, "malformed");
	if (c->bad) {
		snprintf(why, len, "corrupt header: %s", c->why);
		return -EBADMSG;
	}
	if (in->abi_version != AF_ABI_VERSION) {
		snprintf(why, len,
			 "recorded with BPF ABI version %" PRIu32 "; this allocfail reads %u",
			 in->abi_version, AF_ABI_VERSION);
		return -EBADMSG;
	}
	if (strcmp(in->machine, RECORD_MACHINE)) {
		snprintf(why, len, "recorded on %s; this allocfail reads %s records",
			 printable(in->machine, machine, sizeof(machine)), RECORD_MACHINE);
		return -EBADMSG;
	}
	return 0;
}

/* A value read from /proc or /sys: -1 (unknown) or more. */
static int64_t get_setting(struct cur *c)
{
	int64_t v = (int64_t)get_u64(c);

	if (v < -1) {
		fail(c, "a setting of %" PRId64, v);
		return -1;
	}
	return v;
}

static void get_sysinfo(struct cur *c, struct sysinfo *si)
{
	int64_t *const fields[] = {
		&si->page_size, &si->overcommit_memory, &si->overcommit_ratio,
		&si->overcommit_kbytes, &si->admin_reserve_kbytes, &si->user_reserve_kbytes,
		&si->max_map_count, &si->mem_total_kb, &si->mem_free_kb, &si->mem_available_kb,
		&si->swap_total_kb, &si->swap_free_kb, &si->commit_limit_kb, &si->committed_as_kb,
		&si->hugepages_total, &si->hugepages_free, &si->hugepages_rsvd,
		&si->hugepage_size_kb, &si->mmap_min_addr, &si->ignore_rlimit_data,
	};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		*fields[i] = get_setting(c);
	si->nhstates = get_count(c, SYSINFO_MAX_HSTATES, "huge page sizes");
	for (unsigned int i = 0; i < si->nhstates && !c->bad; i++) {
		struct sysinfo_hstate *h = &si->hstates[i];

		h->size_kb = get_setting(c);
		h->total = get_setting(c);
		h->free = get_setting(c);
		h->rsvd = get_setting(c);
		h->surplus = get_setting(c);
		h->overcommit = get_setting(c);
	}
	si->read_ns = 0;
}

/* Marked recorded whether the file holds them or not: a report never reads its own machine. */
static void get_settings(struct cur *c, struct diag_settings *s)
{
	const char *mount;

	memset(s, 0, sizeof(*s));
	s->recorded = true;
	s->valid = get_bool(c, "settings flag");
	if (!s->valid || c->bad)
		return;
	get_sysinfo(c, &s->sys);
	s->version = (int32_t)get_u32(c);
	if (!c->bad && (s->version < 0 || s->version > 2))
		fail(c, "memory cgroup version %d", s->version);
	mount = get_str(c, sizeof(s->mount) - 1, false, "memory cgroup mount");
	snprintf(s->mount, sizeof(s->mount), "%s", mount ? mount : "");
	s->nmemcgs = get_count(c, DIAG_MAX_MEMCGS, "memory cgroups");
	for (unsigned int i = 0; i < s->nmemcgs && !c->bad; i++) {
		s->memcgs[i].path = get_str(c, STR_MAX, false, "memory cgroup path");
		get_memcg_info(c, &s->memcgs[i].now);
	}
	if (c->bad) {
		s->valid = false;
		s->nmemcgs = 0;
	}
}

static int check_trailer(struct record_reader *r, struct cur *c, uint64_t seen, char *why,
			 size_t len)
{
	struct summary *sum = &r->sum;
	uint32_t ntypes;

	memset(sum->by_type, 0, sizeof(sum->by_type)); /* check_events' count: the trailer's now */
	r->nevents = get_u64(c);
	sum->events = get_u64(c);
	sum->lost = get_u64(c);
	sum->duration_ns = get_u64(c);
	ntypes = get_count(c, AF_EV_TYPE_MAX, "event types");
	for (unsigned int t = 0; t < ntypes; t++)
		sum->by_type[t] = get_u64(c);
	for (unsigned int t = 0; t < ntypes; t++)
		sum->lost_by_type[t] = get_u64(c);
	sum->nprocs = get_count(c, SUMMARY_MAX_PROCS, "processes");
	for (unsigned int i = 0; i < sum->nprocs && !c->bad; i++) {
		sum->procs[i].pid = get_u32(c);
		get_str_into(c, sum->procs[i].comm, sizeof(sum->procs[i].comm), "comm");
		sum->procs[i].events = get_u64(c);
	}
	sum->procs_other = get_u64(c);
	sum->sites = get_u64(c);
	sum->aggregated = get_u64(c);
	sum->sites_full = get_u64(c);
	sum->detail_lost = get_u64(c);
	sum->skipped = 0;
	for (unsigned int t = 0; t < ntypes; t++) {
		sum->skipped_by_type[t] = get_u64(c);
		sum->skipped += sum->skipped_by_type[t];
	}
	sum->skipped_other = get_u64(c);
	get_settings(c, &r->settings);
	if (!c->bad && c->left)
		fail(c, "%zu bytes past its end", c->left);
	if (c->bad) {
		snprintf(why, len, "corrupt trailer: %s", c->why);
		return -EBADMSG;
	}
	/* the pipeline counts every event it hands the sinks: the sinks' weights cannot
	 * overflow what the summary holds */
	if (r->counted > sum->events) {
		snprintf(why, len, "corrupt: the events count %" PRIu64 " failures, the summary %"
			 PRIu64, r->counted, sum->events);
		return -EBADMSG;
	}
	if (r->nevents != seen) {
		snprintf(why, len,
			 "corrupt: the trailer counts %" PRIu64 " events, the file holds %" PRIu64,
			 r->nevents, seen);
		return -EBADMSG;
	}
	if (r->pos != r->size) {
		snprintf(why, len, "corrupt: data after the trailer (%zu bytes)", r->size - r->pos);
		return -EBADMSG;
	}
	return 0;
}

/*
 * The file ends after a whole chunk and before a trailer: its writer failed (a full disk) and
 * cut it after the last chunk that reached the file whole (record.h). Its events are read; the
 * summary is what they count (no losses, durations or processes: the trailer held those).
 */
static int cut_short(struct record_reader *r, uint64_t seen)
{
	r->cut_short = true;
	r->nevents = seen;
	r->sum.events = r->counted;
	return 0;
}

/* Every chunk after the header: events that parse, then the trailer, then nothing. */
static int check_events(struct record_reader *r, char *why, size_t len)
{
	uint64_t seen = 0;
	struct chunk ch;

	for (;;) {
		if (r->pos == r->size)
			return cut_short(r, seen);
		if (next_chunk(r, &ch, why, len))
			return -EBADMSG;
		if (ch.kind == CHUNK_TRAILER)
			return check_trailer(r, &ch.body, seen, why, len);
		if (ch.kind != CHUNK_EVENT) {
			snprintf(why, len, "corrupt: chunk of unknown kind %" PRIu32 " at byte %zu",
				 ch.kind, ch.at);
			return -EBADMSG;
		}
		if (parse_event(r, &ch.body, &r->scratch)) {
			snprintf(why, len, "corrupt event %" PRIu64 " at byte %zu: %s", seen + 1,
				 ch.at, ch.body.why);
			return -EBADMSG;
		}
		if (r->scratch.type < AF_EV_TYPE_MAX) /* a trailer replaces it */
			r->sum.by_type[r->scratch.type] += r->scratch.count;
		if (__builtin_add_overflow(r->counted, r->scratch.count, &r->counted)) {
			snprintf(why, len, "corrupt event %" PRIu64 " at byte %zu: the counts add "
				 "up to more than 2^64", seen + 1, ch.at);
			return -EBADMSG;
		}
		seen++;
	}
}

static int check_file(struct record_reader *r, char *why, size_t len)
{
	struct chunk ch;

	if (check_preamble(r, why, len))
		return -EBADMSG;
	if (r->pos == r->size) {
		snprintf(why, len, "truncated: no header");
		return -EBADMSG;
	}
	if (next_chunk(r, &ch, why, len))
		return -EBADMSG;
	if (ch.kind != CHUNK_HEADER) {
		snprintf(why, len, "corrupt: the first chunk is not a header");
		return -EBADMSG;
	}
	if (check_header(r, &ch.body, why, len))
		return -EBADMSG;
	r->first_event = r->pos;
	r->first_crc = r->crc;
	if (check_events(r, why, len))
		return -EBADMSG;
	r->pos = r->first_event;
	r->crc = r->first_crc;
	return 0;
}

/* Takes buf (malloc'ed) whatever happens. */
static struct record_reader *reader_new(uint8_t *buf, size_t size, char *why, size_t len)
{
	struct record_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		free(buf);
		snprintf(why, len, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	r->buf = buf;
	r->size = size;
	if (check_file(r, why, len)) {
		record_reader__free(r);
		errno = EBADMSG;
		return NULL;
	}
	return r;
}

struct record_reader *record_reader__open_mem(const void *data, size_t size, char *why,
					      size_t len)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf) {
		snprintf(why, len, "%s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	memcpy(buf, data, size);
	return reader_new(buf, size, why, len);
}

/* Up to n bytes, fewer only at EOF: the count, or -errno. */
static ssize_t read_up_to(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (!k)
			break;
		got += k;
	}
	return got;
}

/*
 * Read a file, a pipe or /dev/stdin whole, but no more than RECORD_MAX_BYTES, and nothing past
 * its first bytes if they are not a record's magic: `report /dev/zero` or a large log is refused
 * at once. 0, 1 with why set (not a record, or too large), or -errno.
 */
static int read_bounded(int fd, uint8_t **bufp, size_t *sizep, char *why, size_t len)
{
	size_t size, cap = PREAMBLE_SIZE + (1 << 16);
	uint8_t *buf = malloc(cap), *p;
	struct stat st;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = read_up_to(fd, buf, PREAMBLE_SIZE);
	if (n < 0)
		goto fail;
	size = n;
	if (memcmp(buf, record_magic, size < sizeof(record_magic) ? size : sizeof(record_magic)))
		goto done; /* check_preamble() says why */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size > RECORD_MAX_BYTES) {
		snprintf(why, len, "larger than a record can be (%" PRIu64 " bytes, at most %llu)",
			 (uint64_t)st.st_size, RECORD_MAX_BYTES);
		free(buf);
		return 1;
	}
	for (;;) {
		if (size == cap) {
			if (cap > RECORD_MAX_BYTES) {
				snprintf(why, len, "larger than a record can be (at most %llu bytes)",
					 RECORD_MAX_BYTES);
				free(buf);
				return 1;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = read_up_to(fd, buf + size, cap - size);
		if (n < 0)
			goto fail;
		size += n;
		if (size < cap)
			break;
	}
done:
	*bufp = buf;
	*sizep = size;
	return 0;
fail:
	free(buf);
	return n;
}

struct record_reader *record_reader__open(const char *path, char *why, size_t len)
{
	/* O_NONBLOCK: opening a FIFO without a writer must not hang; reads block again after */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	uint8_t *buf = NULL;
	size_t size = 0;
	int err;

	if (fd < 0) {
		err = -errno;
	} else {
		err = fcntl(fd, F_SETFL, 0) ? -errno : read_bounded(fd, &buf, &size, why, len);
		close(fd);
	}
	if (err > 0) {
		errno = EBADMSG;
		return NULL;
	}
	if (err) {
		snprintf(why, len, "cannot read it: %s", strerror(-err));
		errno = -err;
		return NULL;
	}
	return reader_new(buf, size, why, len);
}

const struct record_info *record_reader__info(const struct record_reader *r)
{
	return &r->info;
}

uint64_t record_reader__count(const struct record_reader *r)
{
	return r->nevents;
}

int record_reader__next(struct record_reader *r, struct event *ev)
{
	char why[160];
	struct chunk ch;

	if (r->done || (r->cut_short && r->pos == r->size))
		return 0;
	if (next_chunk(r, &ch, why, sizeof(why)))
		return -EBADMSG;
	if (ch.kind == CHUNK_TRAILER) {
		r->done = true;
		return 0;
	}
	if (ch.kind != CHUNK_EVENT || parse_event(r, &ch.body, ev))
		return -EBADMSG;
	return 1;
}

bool record_reader__cut_short(const struct record_reader *r)
{
	return r->cut_short;
}

const struct summary *record_reader__summary(const struct record_reader *r)
{
	return &r->sum;
}

struct diag_settings *record_reader__settings(struct record_reader *r)
{
	return &r->settings;
}

void record_reader__free(struct record_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}
