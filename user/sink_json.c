// SPDX-License-Identifier: GPL-2.0
/*
 * JSON Lines (docs/events.md): one object per event, flushed at once so a consumer tailing the
 * file sees each failure as it happens, and a closing {"type":"summary",...} line. The common
 * fields are the same for every type; a type's own payload sits under its name ("syscall",
 * "page_alloc", ...) and comes from one function in payloads[].
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "cause.h"
#include "common.h"
#include "frag.h"
#include "gfp.h"
#include "json_form.h"
#include "sink.h"
#include "syscalls.h"

typedef struct json_object *(*payload_fn)(const struct event *ev);

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* A NUL-padded char array of the ABI; null when empty. */
static struct json_object *fixed_str(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n ? json_object_new_string_len(s, n) : NULL;
}

static struct json_object *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* A number, or null for the "unknown" value (0 or -1, as the field documents). */
static struct json_object *u64_or_null(uint64_t v)
{
	return v ? json_object_new_uint64(v) : NULL;
}

/* Adds v (NULL: JSON null) to o; an o that could not be allocated stays NULL (null). */
static void add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || json_object_object_add(o, key, v))
		json_object_put(v);
}

static struct json_object *gfp_json(uint32_t gfp)
{
	char buf[256];

	gfp__format(gfp, buf, sizeof(buf));
	return json_object_new_string(buf);
}

/* ISO 8601 UTC with microseconds, "2026-11-22T12:34:56.789012Z". */
static void iso_time(const struct timespec *ts, char *buf, size_t len)
{
	time_t sec = ts->tv_sec;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", ts->tv_nsec / 1000);
}

/* ---- stacks and cause ---- */

static struct json_object *frame_json(const struct frame *f)
{
	struct json_object *o = json_object_new_object();

	add(o, "addr", hex(f->addr));
	add(o, "sym", str_or_null(f->sym));
	add(o, "off", f->sym ? json_object_new_uint64(f->off) : NULL);
	add(o, "obj", str_or_null(f->obj));
	add(o, "file", str_or_null(f->file));
	add(o, "line", f->line > 0 ? json_object_new_int(f->line) : NULL);
	if (f->inlined)
		add(o, "inlined", json_object_new_boolean(true));
	return o;
}

static struct json_object *stack_json(const struct stack *st)
{
	struct json_object *a = json_object_new_array_ext(st->n);

	for (unsigned int i = 0; i < st->n; i++)
		json_object_array_add(a, frame_json(&st->frames[i]));
	return a;
}

static struct json_object *cause_json(const struct cause *c)
{
	struct json_object *o;

	if (!c)
		return NULL;
	o = json_object_new_object();
	add(o, "code", json_object_new_string(c->code));
	add(o, "summary", json_object_new_string(c->summary));
	add(o, "evidence", json_form__evidence(c));
	add(o, "advice", json_object_new_string(c->advice));
	return o;
}

/* ---- per-type payloads ---- */

static struct json_object *syscall_payload(const struct event *ev)
{
	return syscall_table__call_json(ev->raw.sc);
}

static struct json_object *u64_array(const uint64_t *v, unsigned int n)
{
	struct json_object *a = json_object_new_array_ext(n);

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_uint64(v[i]));
	return a;
}

static struct json_object *watermarks_json(const struct frag_info *f)
{
	struct json_object *o = json_object_new_object();

	add(o, "min", json_object_new_uint64(f->wmark_min));
	add(o, "low", json_object_new_uint64(f->wmark_low));
	add(o, "high", json_object_new_uint64(f->wmark_high));
	add(o, "boost", json_object_new_uint64(f->wmark_boost));
	return o;
}

static struct json_object *reclaim_json(const struct af_page_alloc *pa)
{
	struct json_object *o = json_object_new_object();

	add(o, "ran", json_object_new_boolean(!!(pa->flags & AF_PA_RECLAIM_SEEN)));
	add(o, "nr_reclaimed", json_object_new_uint64(pa->nr_reclaimed));
	add(o, "retry_loops", json_object_new_uint64(pa->reclaim_loops));
	add(o, "memcg_reclaim", json_object_new_boolean(!!(pa->flags & AF_PA_MEMCG_TRAIL)));
	if (pa->zone.flags & AF_ZONE_VALID) {
		add(o, "reclaimable", json_object_new_uint64(pa->zone.reclaimable));
		add(o, "available", json_object_new_uint64(pa->zone.available));
		add(o, "no_progress_loops", json_object_new_int(pa->zone.no_progress_loops));
	}
	return o;
}

static struct json_object *compaction_json(const struct af_page_alloc *pa)
{
	struct json_object *o;

	if (!(pa->flags & AF_PA_COMPACT_SEEN))
		return NULL;
	o = json_object_new_object();
	add(o, "result", json_object_new_int(pa->compact_result));
	add(o, "priority", json_object_new_int(pa->compact_priority));
	add(o, "retries", json_object_new_int(pa->compact_retries));
	return o;
}

/* The zone's fragmentation at the failure (issue 3's `frag` contract). */
static struct json_object *frag_json(const struct af_page_alloc *pa, const struct frag_info *f)
{
	struct json_object *o;

	if (!f || !f->present)
		return NULL;
	o = json_object_new_object();
	add(o, "snapshot", str_or_null(f->snapshot));
	add(o, "zone", json_object_new_string(f->zone));
	add(o, "node", json_object_new_int(f->node));
	add(o, "free_pages", json_object_new_uint64(f->free_pages));
	add(o, "free_blocks", u64_array(f->free_blocks, AF_NR_ORDERS));
	add(o, "fragindex", json_object_new_int(f->fragindex));
	add(o, "unusable_index", json_object_new_int(f->unusable_index));
	add(o, "watermarks", watermarks_json(f));
	add(o, "reclaim", reclaim_json(pa));
	add(o, "compaction", compaction_json(pa));
	return o;
}

static struct json_object *page_alloc_payload(const struct event *ev)
{
	const struct af_page_alloc *pa = ev->raw.pa;
	struct json_object *o = json_object_new_object();

	add(o, "order", json_object_new_int(pa->order));
	add(o, "gfp", gfp_json(pa->gfp));
	add(o, "gfp_raw", hex(pa->gfp));
	add(o, "migratetype", str_or_null(gfp__migratetype_name(pa->migratetype)));
	add(o, "node", json_object_new_int(pa->node));
	add(o, "frag", frag_json(pa, ev->frag));
	return o;
}

static struct json_object *slab_payload(const struct event *ev)
{
	const struct af_slab *s = ev->raw.slab;
	struct json_object *o = json_object_new_object();

	add(o, "cache", fixed_str(s->cache, sizeof(s->cache)));
	add(o, "kmalloc", json_object_new_boolean(!!(s->flags & AF_SLAB_KMALLOC)));
	add(o, "bytes_req", json_object_new_uint64(s->bytes_req));
	add(o, "bytes_alloc", json_object_new_uint64(s->bytes_alloc));
	add(o, "gfp", gfp_json(s->gfp));
	add(o, "node", json_object_new_int(s->node));
	add(o, "accounted", json_object_new_boolean(!!(s->flags & AF_SLAB_ACCOUNTED)));
	add(o, "call_site", hex(s->call_site));
	return o;
}

static struct json_object *victim_json(const struct event *ev)
{
	const struct af_oom_kill *k = ev->raw.oom;
	struct json_object *o = json_object_new_object();

	add(o, "pid", json_object_new_int64(k->victim_pid));
	add(o, "comm", fixed_str(k->victim_comm, sizeof(k->victim_comm)));
	add(o, "uid", json_object_new_int64(k->victim_uid));
	add(o, "cgroup", str_or_null(ev->victim_cgroup));
	add(o, "total_vm_kb", json_object_new_uint64(k->victim_total_vm_kb));
	add(o, "anon_rss_kb", json_object_new_uint64(k->victim_anon_rss_kb));
	add(o, "file_rss_kb", json_object_new_uint64(k->victim_file_rss_kb));
	add(o, "shmem_rss_kb", json_object_new_uint64(k->victim_shmem_rss_kb));
	add(o, "pgtables_kb", json_object_new_uint64(k->victim_pgtables_kb));
	add(o, "oom_score_adj", json_object_new_int(k->victim_oom_score_adj));
	return o;
}

static struct json_object *oom_kill_payload(const struct event *ev)
{
	const struct af_oom_kill *k = ev->raw.oom;
	bool exact = k->flags & AF_OOM_FROM_FENTRY; /* oom_control was read: the rest is known */
	struct json_object *o = json_object_new_object();

	add(o, "victim", victim_json(ev));
	add(o, "constraint", str_or_null(ev->oom_constraint));
	add(o, "memcg", str_or_null(ev->memcg));
	add(o, "memcg_state", json_form__memcg_state(ev->memcg_info));
	add(o, "order", exact ? json_object_new_int(k->order) : NULL);
	add(o, "gfp", exact ? gfp_json(k->gfp) : NULL);
	add(o, "totalpages", exact ? json_object_new_uint64(k->totalpages) : NULL);
	add(o, "chosen_points", exact ? json_object_new_uint64(k->chosen_points) : NULL);
	return o;
}

static struct json_object *memcg_charge_payload(const struct event *ev)
{
	const struct af_memcg_charge *m = ev->raw.memcg;
	struct json_object *o = json_object_new_object();

	add(o, "memcg", str_or_null(ev->memcg));
	add(o, "memcg_id", json_object_new_uint64(m->memcg_id));
	add(o, "nr_pages", json_object_new_uint64(m->nr_pages));
	add(o, "nr_reclaimed", json_object_new_uint64(m->nr_reclaimed));
	add(o, "ret", json_object_new_int64(m->ret));
	add(o, "gfp", gfp_json(m->gfp));
	add(o, "inferred", json_object_new_boolean(!!(m->flags & AF_MEMCG_INFERRED)));
	add(o, "memcg_state", json_form__memcg_state(ev->memcg_info));
	return o;
}

/* One function per event type: its payload, under the key event_type__name(type). */
static const payload_fn payloads[AF_EV_TYPE_MAX] = {
	[AF_EV_SYSCALL] = syscall_payload,	     [AF_EV_PAGE_ALLOC] = page_alloc_payload,
	[AF_EV_SLAB] = slab_payload,		     [AF_EV_OOM_KILL] = oom_kill_payload,
	[AF_EV_MEMCG_CHARGE] = memcg_charge_payload,
};

/* ---- the event line ---- */

static void add_identity(struct json_object *o, const struct event *ev)
{
	char time[48];

	iso_time(&ev->wall, time, sizeof(time));
	add(o, "type", json_object_new_string(event_type__name(ev->type)));
	add(o, "ts_ns", json_object_new_uint64(ev->ts_ns));
	add(o, "time", json_object_new_string(time));
	add(o, "pid", json_object_new_int64(ev->pid));
	add(o, "tid", json_object_new_int64(ev->tid));
	add(o, "comm", json_object_new_string(ev->comm));
	add(o, "uid", json_object_new_int64(ev->uid));
	add(o, "cgroup", str_or_null(ev->cgroup));
	add(o, "cgroup_id", json_object_new_uint64(ev->cgroup_id));
	add(o, "count", json_object_new_uint64(ev->count));
	add(o, "id", json_object_new_uint64(ev->id));
	add(o, "chain_id", u64_or_null(ev->chain_id));
	add(o, "caused_by", u64_or_null(ev->caused_by));
	add(o, "bytes", u64_or_null(ev->bytes));
	add(o, "site", u64_or_null(ev->site));
	add(o, "cause_site", u64_or_null(ev->cause_site));
}

static struct json_object *event_json(const struct event *ev)
{
	struct json_object *o = json_object_new_object();
	struct json_object *trunc = json_object_new_object();
	payload_fn payload = (unsigned int)ev->type < AF_EV_TYPE_MAX ? payloads[ev->type] : NULL;

	add_identity(o, ev);
	if (payload)
		add(o, event_type__name(ev->type), payload(ev));
	add(o, "kstack", stack_json(&ev->kstack));
	add(o, "ustack", stack_json(&ev->ustack));
	add(trunc, "kernel", json_object_new_boolean(ev->kstack.truncated));
	add(trunc, "user", json_object_new_boolean(ev->ustack.truncated));
	add(o, "stack_truncated", trunc);
	add(o, "ustack_unwind", str_or_null(stack_unwind__name(ev->ustack.unwind)));
	add(o, "ustack_end", str_or_null(stack_end__name(ev->ustack.end)));
	add(o, "cause", cause_json(ev->cause));
	return o;
}

/* One line, flushed: a consumer tailing the output sees every event as it happens. */
static int write_line(FILE *out, struct json_object *o)
{
	const char *s;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || fputs(s, out) == EOF || fputc('\n', out) == EOF || fflush(out)) {
		json_object_put(o);
		return s ? -EIO : -ENOMEM;
	}
	json_object_put(o);
	return 0;
}

/* A site's count update: {"type":"count", ...} (docs/events.md). */
static struct json_object *update_json(const struct event *ev)
{
	struct json_object *o = json_object_new_object();
	char time[48];

	iso_time(&ev->wall, time, sizeof(time));
	add(o, "type", json_object_new_string("count"));
	add(o, "event_type", json_object_new_string(event_type__name(ev->type)));
	add(o, "site", json_object_new_uint64(ev->site));
	add(o, "count", json_object_new_uint64(ev->count));
	add(o, "bytes", u64_or_null(ev->bytes));
	add(o, "total", json_object_new_uint64(ev->site_total));
	add(o, "ts_ns", json_object_new_uint64(ev->ts_ns));
	add(o, "time", json_object_new_string(time));
	add(o, "pid", json_object_new_int64(ev->pid));
	add(o, "comm", json_object_new_string(ev->comm));
	add(o, "detail", json_object_new_boolean(ev->site_detail));
	if (ev->type == AF_EV_SYSCALL)
		add(o, "syscall", json_object_new_string(syscall_table__describe(
			ev->raw.sc->nr, syscall_table__abi(ev->raw.sc->flags))->name));
	add(o, "cause", ev->cause ? json_object_new_string(ev->cause->code) : NULL);
	add(o, "cause_site", u64_or_null(ev->cause_site));
	return o;
}

static int json_event(struct sink *s, const struct event *ev)
{
	if (ev->site_update)
		return write_line(s->out, update_json(ev));
	return write_line(s->out, event_json(ev));
}

/* ---- the summary line ---- */

static struct json_object *by_type_json(const uint64_t *counts)
{
	struct json_object *o = json_object_new_object();

	for (int t = AF_EV_SYSCALL; t < AF_EV_TYPE_MAX; t++)
		add(o, event_type__name(t), json_object_new_uint64(counts[t]));
	return o;
}

static struct json_object *processes_json(const struct summary *sum)
{
	unsigned int n = sum->nprocs < SUMMARY_MAX_PROCS ? sum->nprocs : SUMMARY_MAX_PROCS;
	struct json_object *a = json_object_new_array_ext(n);

	for (unsigned int i = 0; i < n; i++) {
		struct json_object *p = json_object_new_object();

		add(p, "pid", json_object_new_int64(sum->procs[i].pid));
		add(p, "comm", json_object_new_string(sum->procs[i].comm));
		add(p, "events", json_object_new_uint64(sum->procs[i].events));
		json_object_array_add(a, p);
	}
	return a;
}

static struct json_object *summary_json(const struct summary *sum)
{
	struct json_object *o = json_object_new_object();
	char secs[32];

	snprintf(secs, sizeof(secs), "%.3f", sum->duration_ns / 1e9);
	add(o, "type", json_object_new_string("summary"));
	add(o, "events", json_object_new_uint64(sum->events));
	add(o, "lost", json_object_new_uint64(sum->lost));
	add(o, "lost_by_type", by_type_json(sum->lost_by_type));
	add(o, "by_type", by_type_json(sum->by_type));
	add(o, "duration_s", json_object_new_double_s(sum->duration_ns / 1e9, secs));
	add(o, "processes", processes_json(sum));
	add(o, "processes_other", json_object_new_uint64(sum->procs_other));
	add(o, "sites", json_object_new_uint64(sum->sites));
	add(o, "aggregated", json_object_new_uint64(sum->aggregated));
	add(o, "sites_full", json_object_new_uint64(sum->sites_full));
	add(o, "site_records_lost", json_object_new_uint64(sum->detail_lost));
	add(o, "skipped", json_object_new_uint64(sum->skipped));
	add(o, "skipped_by_type", by_type_json(sum->skipped_by_type));
	add(o, "skipped_other", json_object_new_uint64(sum->skipped_other));
	return o;
}

static int json_end(struct sink *s, const struct summary *sum,
		     const struct diag_settings *settings)
{
	(void)settings; /* the diagnosis' line shows them */
	return sum ? write_line(s->out, summary_json(sum)) : 0;
}

static void json_free(struct sink *s)
{
	free(s);
}

static const struct sink_ops json_ops = {
	.name = "json",
	.event = json_event,
	.end = json_end,
	.free = json_free,
};

struct sink *sink_json__new(FILE *out)
{
	return sink__new_plain(&json_ops, out);
}
