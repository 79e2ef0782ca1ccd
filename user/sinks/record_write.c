// SPDX-License-Identifier: GPL-2.0
/*
 * The record file's writer, a sink (record.h, docs/record-format.md): a header, one checksummed
 * chunk per event, and a trailer with the summary and the machine's settings.
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

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool nomem;
};

static void put(struct wbuf *b, const void *v, size_t n)
{
	if (b->nomem)
		return;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *p;

		while (cap - b->len < n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->nomem = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void put_u8(struct wbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_u16(struct wbuf *b, uint16_t v)
{
	v = htole16(v);
	put(b, &v, 2);
}

static void put_u32(struct wbuf *b, uint32_t v)
{
	v = htole32(v);
	put(b, &v, 4);
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	v = htole64(v);
	put(b, &v, 8);
}

/* Length with the NUL (0: NULL), the bytes, the NUL; at most max bytes of s are kept. */
static void put_str(struct wbuf *b, const char *s, size_t max)
{
	size_t n;

	if (!s) {
		put_u32(b, 0);
		return;
	}
	n = strnlen(s, max);
	put_u32(b, n + 1);
	put(b, s, n);
	put_u8(b, 0);
}

struct record_sink {
	struct sink base; /* first: the sink pointer is the record_sink pointer */
	struct wbuf body;
	uint32_t crc; /* of everything written so far: each chunk's CRC chains on the last */
	uint64_t nevents;
	uint64_t whole; /* bytes of the chunks that reached the file whole */
	bool ended;	/* the trailer is written */
	int err;
};

static int write_all(struct record_sink *rs, const void *p, size_t n)
{
	if (!rs->err && n && fwrite(p, n, 1, rs->base.out) != 1)
		rs->err = -EIO;
	return rs->err;
}

/* The body built in rs->body as one chunk: kind, length, body, CRC32 chained on the last. */
static int write_chunk(struct record_sink *rs, enum chunk_kind kind)
{
	struct wbuf *b = &rs->body;
	uint32_t head[2] = { htole32(kind), htole32(b->len) };
	uint32_t crc;

	if (b->nomem)
		rs->err = -ENOMEM;
	else if (b->len > CHUNK_MAX)
		rs->err = -E2BIG;
	if (rs->err)
		return rs->err;
	rs->crc = crc32(rs->crc, (const Bytef *)head, sizeof(head));
	rs->crc = crc32(rs->crc, b->p, b->len);
	crc = htole32(rs->crc);
	write_all(rs, head, sizeof(head));
	write_all(rs, b->p, b->len);
	write_all(rs, &crc, sizeof(crc));
	/* flushed chunk by chunk: after a failed write the file keeps every whole chunk before
	 * it (sink_record__whole_bytes()), which a reader takes as a record cut short */
	if (!rs->err && fflush(rs->base.out))
		rs->err = -EIO;
	if (!rs->err)
		rs->whole += sizeof(head) + b->len + sizeof(crc);
	b->len = 0;
	return rs->err;
}

static int write_preamble(struct record_sink *rs)
{
	uint8_t pre[PREAMBLE_SIZE] = { 0 };
	uint16_t version = htole16(RECORD_FORMAT_VERSION);
	uint32_t bom = RECORD_BOM;

	memcpy(pre, record_magic, sizeof(record_magic));
	memcpy(pre + 8, &version, 2);
	/* pre[10..11]: flags, none defined */
	memcpy(pre + 12, &bom, 4);
	rs->crc = crc32(0, pre, sizeof(pre));
	if (!write_all(rs, pre, sizeof(pre)))
		rs->whole = sizeof(pre); /* flushed with the header */
	return rs->err;
}

static int write_header(struct record_sink *rs)
{
	struct wbuf *b = &rs->body;
	struct timespec now;
	struct utsname u;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	clock_gettime(CLOCK_REALTIME, &now);
	put_u32(b, AF_ABI_VERSION);
	put_u64(b, now.tv_sec);
	put_u32(b, now.tv_nsec);
	/* args.c defines it for the binary; glibc's own is NULL */
	put_str(b, argp_program_version ? argp_program_version : "allocfail", STR_MAX);
	put_str(b, u.nodename, sizeof(u.nodename));
	put_str(b, u.release, sizeof(u.release));
	put_str(b, RECORD_MACHINE, STR_MAX);
	return write_chunk(rs, CHUNK_HEADER);
}

static void put_stack(struct wbuf *b, const struct stack *st)
{
	unsigned int n = st->n < ARRAY_SIZE(st->frames) ? st->n : ARRAY_SIZE(st->frames);

	put_u32(b, n);
	for (unsigned int i = 0; i < n; i++) {
		const struct frame *f = &st->frames[i];

		put_u64(b, f->addr);
		put_u64(b, f->off);
		put_u32(b, f->line);
		put_u8(b, f->inlined);
		put_str(b, f->sym, STR_MAX);
		put_str(b, f->obj, STR_MAX);
		put_str(b, f->file, STR_MAX);
	}
	put_u8(b, st->unwind);
	put_u8(b, st->end);
}

static void put_cause(struct wbuf *b, const struct cause *c)
{
	unsigned int n = c->nevidence < CAUSE_MAX_EVIDENCE ? c->nevidence : CAUSE_MAX_EVIDENCE;

	put_str(b, c->code ? c->code : "", STR_MAX);
	put_str(b, c->summary, sizeof(c->summary) - 1);
	put_str(b, c->advice, sizeof(c->advice) - 1);
	put_u32(b, n);
	for (unsigned int i = 0; i < n; i++) {
		const struct cause_kv *kv = &c->evidence[i];

		put_str(b, kv->key ? kv->key : "", STR_MAX);
		put_u8(b, kv->is_str);
		if (kv->is_str)
			put_str(b, kv->str, sizeof(kv->str) - 1);
		else
			put_u64(b, kv->num);
	}
}

static void put_memcg_info(struct wbuf *b, const struct memcg_info *mi)
{
	put_u8(b, mi->valid);
	put_u32(b, mi->version);
	put_u64(b, mi->limit_bytes);
	put_u64(b, mi->usage_bytes);
	put_u64(b, mi->failcnt);
	put_u64(b, mi->oom_events);
	put_u64(b, mi->oom_kill);
	put_u64(b, mi->oom_kill_disable);
	put_u8(b, mi->at_failure); /* format 5 */
	put_u32(b, mi->bind_level);
	put_str(b, mi->bind_path, STR_MAX);
	put_u64(b, mi->bind_limit_bytes);
	put_u64(b, mi->bind_usage_bytes);
	put_u8(b, (mi->bind_memsw ? 1 : 0) | (mi->memsw_read ? 2 : 0) | /* format 6 */
			  (mi->truncated ? 4 : 0));
}

static void put_frag(struct wbuf *b, const struct frag_info *f)
{
	put_u8(b, f->present);
	put_str(b, f->snapshot, STR_MAX);
	put_str(b, f->zone, sizeof(f->zone) - 1);
	put_u32(b, f->node);
	for (unsigned int i = 0; i < AF_NR_ORDERS; i++)
		put_u64(b, f->free_blocks[i]);
	put_u64(b, f->free_pages);
	put_u64(b, f->wmark_min);
	put_u64(b, f->wmark_low);
	put_u64(b, f->wmark_high);
	put_u64(b, f->wmark_boost);
	put_u32(b, f->fragindex);
	put_u32(b, f->unusable_index);
	put_u8(b, f->have_reclaim);
	put_u64(b, f->reclaimable);
	put_u64(b, f->available);
	put_u64(b, f->nr_reclaimed);
	put_u32(b, f->no_progress_loops);
	put_u8(b, f->have_compaction);
	put_u32(b, f->compact_result);
	put_u32(b, f->compact_priority);
	put_u32(b, f->compact_retries);
}

/* The declared bytes of the payload, its size field saying so, redact spans zeroed. */
static void put_payload(struct wbuf *b, const struct event *ev)
{
	const struct event_type_desc *d = payload_desc(ev->type);
	union af_any_record copy;

	memcpy(&copy, ev->raw.h, d->size);
	copy.h.size = d->size;
	copy.h.flags &= ~AF_HF_UTAIL; /* the user stack copy after the payload stays behind */
	for (const struct payload_span *s = d->redact; s && s->len; s++)
		memset((uint8_t *)&copy + s->off, 0, s->len);
	put_u32(b, d->size);
	put(b, &copy, d->size);
}

static uint16_t event_flags(const struct event *ev)
{
	return (ev->kstack.truncated ? EVF_KSTACK_TRUNCATED : 0) |
	       (ev->ustack.truncated ? EVF_USTACK_TRUNCATED : 0) | (ev->cause ? EVF_CAUSE : 0) |
	       (ev->memcg_info ? EVF_MEMCG_INFO : 0) | (ev->frag ? EVF_FRAG : 0) |
	       (ev->site ? EVF_SITE : 0);
}

static void put_event(struct wbuf *b, const struct event *ev)
{
	put_u16(b, ev->type);
	put_u16(b, event_flags(ev));
	put_u32(b, ev->pid);
	put_u32(b, ev->tid);
	put_u32(b, ev->uid);
	put_u64(b, ev->ts_ns);
	put_u64(b, ev->wall.tv_sec);
	put_u32(b, ev->wall.tv_nsec);
	put_u64(b, ev->cgroup_id);
	put_u64(b, ev->count);
	put_u64(b, ev->bytes);
	put_u64(b, ev->id);
	put_u64(b, ev->chain_id);
	put_u64(b, ev->caused_by);
	put_str(b, ev->comm, AF_COMM_LEN);
	put_str(b, ev->cgroup, STR_MAX);
	put_str(b, ev->memcg, STR_MAX);
	put_str(b, ev->victim_cgroup, STR_MAX);
	put_str(b, ev->oom_constraint, STR_MAX);
	put_stack(b, &ev->kstack);
	put_stack(b, &ev->ustack);
	if (ev->cause)
		put_cause(b, ev->cause);
	if (ev->memcg_info)
		put_memcg_info(b, ev->memcg_info);
	if (ev->frag)
		put_frag(b, ev->frag);
	if (ev->site) {
		put_u32(b, ev->site);
		put_u8(b, ev->site_update);
		put_u8(b, ev->site_detail);
		put_u64(b, ev->site_total);
	}
	put_payload(b, ev);
}

static int record_event(struct sink *s, const struct event *ev)
{
	struct record_sink *rs = (struct record_sink *)s;

	if (rs->err)
		return rs->err;
	/* decode refuses what has no payload, so this is a type added without its entry */
	if (!payload_desc(ev->type) || !ev->raw.h)
		return -EINVAL;
	put_event(&rs->body, ev);
	if (write_chunk(rs, CHUNK_EVENT))
		return rs->err;
	rs->nevents++;
	return 0;
}

static void put_summary(struct wbuf *b, const struct summary *sum)
{
	unsigned int n = sum->nprocs < SUMMARY_MAX_PROCS ? sum->nprocs : SUMMARY_MAX_PROCS;

	put_u64(b, sum->events);
	put_u64(b, sum->lost);
	put_u64(b, sum->duration_ns);
	put_u32(b, AF_EV_TYPE_MAX);
	for (int t = 0; t < AF_EV_TYPE_MAX; t++)
		put_u64(b, sum->by_type[t]);
	for (int t = 0; t < AF_EV_TYPE_MAX; t++)
		put_u64(b, sum->lost_by_type[t]);
	put_u32(b, n);
	for (unsigned int i = 0; i < n; i++) {
		put_u32(b, sum->procs[i].pid);
		put_str(b, sum->procs[i].comm, AF_COMM_LEN);
		put_u64(b, sum->procs[i].events);
	}
	put_u64(b, sum->procs_other);
	put_u64(b, sum->sites);
	put_u64(b, sum->aggregated);
	put_u64(b, sum->sites_full);
	put_u64(b, sum->detail_lost);
	for (int t = 0; t < AF_EV_TYPE_MAX; t++)
		put_u64(b, sum->skipped_by_type[t]);
	put_u64(b, sum->skipped_other);
}

static void put_i64(struct wbuf *b, int64_t v)
{
	put_u64(b, (uint64_t)v);
}

static void put_sysinfo(struct wbuf *b, const struct sysinfo *si)
{
	unsigned int n = si->nhstates < SYSINFO_MAX_HSTATES ? si->nhstates : SYSINFO_MAX_HSTATES;

	put_i64(b, si->page_size);
	put_i64(b, si->overcommit_memory);
	put_i64(b, si->overcommit_ratio);
	put_i64(b, si->overcommit_kbytes);
	put_i64(b, si->admin_reserve_kbytes);
	put_i64(b, si->user_reserve_kbytes);
	put_i64(b, si->max_map_count);
	put_i64(b, si->mem_total_kb);
	put_i64(b, si->mem_free_kb);
	put_i64(b, si->mem_available_kb);
	put_i64(b, si->swap_total_kb);
	put_i64(b, si->swap_free_kb);
	put_i64(b, si->commit_limit_kb);
	put_i64(b, si->committed_as_kb);
	put_i64(b, si->hugepages_total);
	put_i64(b, si->hugepages_free);
	put_i64(b, si->hugepages_rsvd);
	put_i64(b, si->hugepage_size_kb);
	put_i64(b, si->mmap_min_addr);
	put_i64(b, si->ignore_rlimit_data);
	put_u32(b, n);
	for (unsigned int i = 0; i < n; i++) {
		const struct sysinfo_hstate *h = &si->hstates[i];

		put_i64(b, h->size_kb);
		put_i64(b, h->total);
		put_i64(b, h->free);
		put_i64(b, h->rsvd);
		put_i64(b, h->surplus);
		put_i64(b, h->overcommit);
	}
}

/* The diagnosis settings as the session read them at its end, if it did (it had events). */
static void put_settings(struct wbuf *b, const struct diag_settings *s)
{
	unsigned int n;

	put_u8(b, s && s->valid);
	if (!s || !s->valid)
		return;
	n = s->nmemcgs < DIAG_MAX_MEMCGS ? s->nmemcgs : DIAG_MAX_MEMCGS;
	put_sysinfo(b, &s->sys);
	put_u32(b, s->version);
	put_str(b, s->mount, sizeof(s->mount) - 1);
	put_u32(b, n);
	for (unsigned int i = 0; i < n; i++) {
		put_str(b, s->memcgs[i].path ? s->memcgs[i].path : "", STR_MAX);
		put_memcg_info(b, &s->memcgs[i].now);
	}
}

static int record_end(struct sink *s, const struct summary *sum,
		      const struct diag_settings *settings)
{
	struct record_sink *rs = (struct record_sink *)s;

	put_u64(&rs->body, rs->nevents);
	put_summary(&rs->body, sum);
	put_settings(&rs->body, settings);
	if (write_chunk(rs, CHUNK_TRAILER))
		return rs->err;
	if (ferror(rs->base.out))
		rs->err = -EIO;
	rs->ended = !rs->err;
	return rs->err;
}

static void record_free(struct sink *s)
{
	struct record_sink *rs = (struct record_sink *)s;

	free(rs->body.p);
	free(rs);
}

static const struct sink_ops record_ops = {
	.name = "record",
	.event = record_event,
	.end = record_end,
	.free = record_free,
};

uint64_t sink_record__count(const struct sink *s)
{
	return ((const struct record_sink *)s)->nevents;
}

uint64_t sink_record__whole_bytes(const struct sink *s)
{
	return ((const struct record_sink *)s)->whole;
}

bool sink_record__ended(const struct sink *s)
{
	return ((const struct record_sink *)s)->ended;
}

struct sink *sink_record__new(FILE *out)
{
	struct record_sink *rs;

	if (!out)
		return NULL;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->base.ops = &record_ops;
	rs->base.out = out;
	if (write_preamble(rs) || write_header(rs)) {
		record_free(&rs->base);
		return NULL;
	}
	return &rs->base;
}
