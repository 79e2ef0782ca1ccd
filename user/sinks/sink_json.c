// SPDX-License-Identifier: GPL-2.0
/*
 * JSON Lines (docs/events.md): one object per event, flushed at once so a consumer tailing the
 * file sees each failure as it happens, and a closing {"type":"summary",...} line. The common
 * fields are the same for every type; a type's own payload sits under its name ("syscall",
 * "page_alloc", ...) and comes from its descriptor (event_type.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "cause.h"
#include "common.h"
#include "event_type.h"
#include "json_form.h"
#include "render.h"
#include "sink.h"


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

/* ---- the event line ---- */

static void add_identity(struct json_object *o, const struct event *ev)
{
	char time[48];

	render__iso_time(&ev->wall, time, sizeof(time));
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
	const struct event_type_desc *t = event_type__get(ev->type);

	add_identity(o, ev);
	if (t && t->json)
		add(o, t->name, t->json(ev));
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

/* A site's count update: {"type":"count", ...} (docs/events.md). */
static struct json_object *update_json(const struct event *ev)
{
	const struct event_type_desc *t = event_type__get(ev->type);
	struct json_object *o = json_object_new_object();
	char time[48];

	render__iso_time(&ev->wall, time, sizeof(time));
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
	if (t && t->json_count)
		t->json_count(o, ev);
	add(o, "cause", ev->cause ? json_object_new_string(ev->cause->code) : NULL);
	add(o, "cause_site", u64_or_null(ev->cause_site));
	return o;
}

static int json_event(struct sink *s, const struct event *ev)
{
	if (ev->site_update)
		return json_form__write_line(s->out, update_json(ev));
	return json_form__write_line(s->out, event_json(ev));
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
	add(o, "traced_full", json_object_new_uint64(sum->traced_full));
	if (sum->noutput_errors) {
		struct json_object *errs = json_object_new_object();

		for (unsigned int i = 0; i < sum->noutput_errors; i++)
			add(errs, sum->output_errors[i].name,
			    json_object_new_uint64(sum->output_errors[i].events));
		add(o, "output_errors", errs);
	}
	return o;
}

static int json_end(struct sink *s, const struct summary *sum,
		     const struct diag_settings *settings)
{
	(void)settings; /* the diagnosis' line shows them */
	return sum ? json_form__write_line(s->out, summary_json(sum)) : 0;
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
