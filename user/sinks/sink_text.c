// SPDX-License-Identifier: GPL-2.0
/*
 * Readable output: one headline per event (time, type, what failed, who), then indented
 * details, the cause and the stacks; a summary block at the end. Flushed per event so it can be
 * watched live. What a type shows after its name and in its details comes from its descriptor
 * (event_type.h). Every string from the traced machine goes through escape.h: control
 * characters in a command name, path or symbol are shown as \xNN, never sent to the terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cause.h"
#include "common.h"
#include "event_type.h"
#include "render.h"
#include "sink.h"

#define WRAP_COLUMN 100
#define TOP_PROCS 10

/* ---- common parts ---- */

static void headline(FILE *out, const struct event *ev, const struct event_type_desc *t)
{
	char time[48], what[512] = "";

	render__iso_time(&ev->wall, time, sizeof(time));
	if (t && t->text_what)
		t->text_what(ev, what, sizeof(what));
	fprintf(out, "%s %s", time, event_type__name(ev->type));
	if (what[0])
		fprintf(out, " %s", what);
	if (ev->count > 1)
		fprintf(out, " x%" PRIu64, ev->count);
	fprintf(out, " pid %u tid %u comm %s uid %u", ev->pid, ev->tid,
		ESC(ev->comm, 4 * sizeof(ev->comm)), ev->uid);
	if (ev->cgroup) {
		fputs(" cgroup ", out);
		escape__fputs(ev->cgroup, out);
	}
	fputc('\n', out);
}

static void chain_line(FILE *out, const struct event *ev)
{
	if (!ev->chain_id)
		return;
	fprintf(out, "    chain %" PRIu64 ", event %" PRIu64, ev->chain_id, ev->id);
	if (ev->caused_by)
		fprintf(out, ", follows event %" PRIu64, ev->caused_by);
	/* that event is a record of the site below: this failure's, or an earlier one of the
	 * same key when this one's was counted (docs/events.md) */
	if (ev->cause_site)
		fprintf(out, ev->caused_by ? " (a record of site %" PRIu32 ")"
					   : ", follows site %" PRIu32, ev->cause_site);
	fputc('\n', out);
}

/* "evidence: key=value ...", wrapped before WRAP_COLUMN. */
static void evidence_lines(FILE *out, const struct cause *c)
{
	int col;

	if (!c->nevidence)
		return;
	col = fprintf(out, "      evidence:");
	for (unsigned int i = 0; i < c->nevidence && i < CAUSE_MAX_EVIDENCE; i++) {
		const struct cause_kv *kv = &c->evidence[i];
		char item[200], key[64];
		int n;

		escape__str(kv->key, key, sizeof(key));
		n = kv->is_str ? snprintf(item, sizeof(item), "%s=%s", key,
					  ESC(kv->str, 4 * sizeof(kv->str))) :
				 snprintf(item, sizeof(item), "%s=%" PRId64, key, kv->num);

		if (col + 1 + n > WRAP_COLUMN && col > 8)
			col = fprintf(out, "\n       ") - 1;
		col += fprintf(out, " %s", item);
	}
	fputc('\n', out);
}

static void cause_lines(FILE *out, const struct cause *c)
{
	if (!c)
		return;
	fputs("    cause: ", out);
	escape__fputs(c->code, out);
	fputs(": ", out);
	escape__fputs(c->summary, out);
	fputc('\n', out);
	if (c->advice[0]) {
		fputs("      advice: ", out);
		escape__fputs(c->advice, out);
		fputc('\n', out);
	}
	evidence_lines(out, c);
}

static void frame_line(FILE *out, unsigned int i, const struct frame *f, bool kernel)
{
	fprintf(out, "      #%-2u 0x%016" PRIx64 " ", i, f->addr);
	escape__fputs(f->sym ? f->sym : "??", out);
	if (f->sym && !f->inlined)
		fprintf(out, "+0x%" PRIx64, f->off);
	if (f->obj) {
		bool bracketed = f->obj[0] == '[', plain = kernel || bracketed;

		fputs(bracketed ? " " : plain ? " [" : " (", out);
		escape__fputs(f->obj, out);
		fputs(bracketed ? "" : plain ? "]" : ")", out);
	}
	if (f->file) {
		fputc(' ', out);
		escape__fputs(f->file, out);
		fprintf(out, ":%d", f->line);
	}
	if (f->inlined)
		fputs(" (inlined)", out);
	fputc('\n', out);
}

/* Why a stack stops where it does, when that is not its outermost frame. */
static const char *end_reason(enum stack_end end)
{
	switch (end) {
	case STACK_END_UNKNOWN_REGION:
		return ": the last frame is in no module (JIT or anonymous code)";
	case STACK_END_COPY_EXHAUSTED:
		return ": the callers' frames lie beyond the copied stack (--ustack-size)";
	case STACK_END_UNWIND_ERROR:
		return ": no usable unwind information for the last frame";
	case STACK_END_MAX_DEPTH:
		return ": frame limit";
	default:
		return "";
	}
}

static void stack_lines(FILE *out, const char *title, const struct stack *st, bool kernel)
{
	const char *how = stack_unwind__name(st->unwind);

	if (!st->n && !st->truncated)
		return;
	fprintf(out, "    %s stack%s%s%s:%s\n", title, how ? " (" : "", how ? how : "",
		how ? ")" : "", st->n ? "" : " not captured");
	for (unsigned int i = 0; i < st->n; i++)
		frame_line(out, i, &st->frames[i], kernel);
	if (st->n && st->truncated)
		fprintf(out, "      ... (truncated%s)\n", end_reason(st->end));
}

/* A site's count update: one line, and its cause when its record is at hand. */
static int text_update(FILE *out, const struct event *ev, const struct event_type_desc *t)
{
	char time[48], what[512] = "", cause[48] = "";

	render__iso_time(&ev->wall, time, sizeof(time));
	if (t && t->text_what)
		t->text_what(ev, what, sizeof(what));
	if (ev->cause_site)
		snprintf(cause, sizeof(cause), " caused by site %" PRIu32, ev->cause_site);
	fprintf(out, "%s %s%s%s +%" PRIu64 " at site %" PRIu32 "%s (%" PRIu64
		     " in all) pid %u comm %s\n",
		time, event_type__name(ev->type), what[0] ? " " : "", what, ev->count, ev->site,
		cause, ev->site_total, ev->pid, ESC(ev->comm, 4 * sizeof(ev->comm)));
	if (ev->cause) {
		fputs("    cause: ", out);
		escape__fputs(ev->cause->code, out);
		fputs(": ", out);
		escape__fputs(ev->cause->summary, out);
		fputc('\n', out);
	}
	return fflush(out) || ferror(out) ? -EIO : 0;
}

static int text_event(struct sink *s, const struct event *ev)
{
	const struct event_type_desc *t = event_type__get(ev->type);

	if (ev->site_update)
		return text_update(s->out, ev, t);
	headline(s->out, ev, t);
	if (ev->site)
		fprintf(s->out, "    site %" PRIu32 ": its next failures are counted, \"+N at site %"
				PRIu32 "\" lines\n", ev->site, ev->site);
	if (t && t->text_detail)
		t->text_detail(s->out, ev);
	chain_line(s->out, ev);
	cause_lines(s->out, ev->cause);
	stack_lines(s->out, "kernel", &ev->kstack, true);
	stack_lines(s->out, "user", &ev->ustack, false);
	return fflush(s->out) || ferror(s->out) ? -EIO : 0;
}

/* ---- summary ---- */

/* "syscall 2, page_alloc 1": the non-zero counts by type; returns their sum. */
static uint64_t by_type(const uint64_t *counts, char *buf, size_t len)
{
	uint64_t sum = 0;
	size_t pos = 0;

	buf[0] = '\0';
	for (int t = AF_EV_SYSCALL; t < AF_EV_TYPE_MAX && pos < len; t++) {
		if (!counts[t])
			continue;
		pos += snprintf(buf + pos, len - pos, "%s%s %" PRIu64, pos ? ", " : "",
				event_type__name(t), counts[t]);
		sum += counts[t];
	}
	return sum;
}

static void lost_lines(FILE *out, const struct summary *sum)
{
	char list[256];
	uint64_t typed = by_type(sum->lost_by_type, list, sizeof(list));
	uint64_t malformed = sum->lost > typed ? sum->lost - typed : 0;

	fprintf(out, "lost: %" PRIu64 "\n", sum->lost);
	if (!sum->lost)
		return;
	fprintf(out, "WARNING: %" PRIu64 " events lost (%s", sum->lost, list);
	if (malformed)
		fprintf(out, "%smalformed %" PRIu64, typed ? ", " : "", malformed);
	fprintf(out, "): the ring buffer was full%s; the counts above miss them\n",
		malformed ? " or records were malformed" : "");
}

static void skipped_lines(FILE *out, const struct summary *sum)
{
	char list[256];

	if (sum->skipped) {
		by_type(sum->skipped_by_type, list, sizeof(list));
		fprintf(out, "WARNING: the kernel skipped %" PRIu64 " runs of the failure programs "
			     "(%s): each found its program already running on that CPU (a task "
			     "preempted inside it, or an interrupt); failures among them are not "
			     "counted\n", sum->skipped, list);
	}
	if (sum->skipped_other)
		fprintf(out, "note: the kernel skipped %" PRIu64 " runs of the context and "
			     "process-following programs\n", sum->skipped_other);
}

/* Outputs that failed (the summary of a live session or a report, never a record's). */
static void output_lines(FILE *out, const struct summary *sum)
{
	for (unsigned int i = 0; i < sum->noutput_errors; i++)
		fprintf(out, "WARNING: the %s output failed (%s): %" PRIu64 " events not written "
			     "to it\n", sum->output_errors[i].name,
			strerror(sum->output_errors[i].err), sum->output_errors[i].events);
}

typedef typeof(((struct summary *)0)->procs[0]) proc_t;

static int proc_cmp(const void *a, const void *b)
{
	uint64_t ea = ((const proc_t *)a)->events, eb = ((const proc_t *)b)->events;

	return ea < eb ? 1 : ea > eb ? -1 : 0;
}

static void top_processes(FILE *out, const struct summary *sum)
{
	proc_t procs[SUMMARY_MAX_PROCS];
	unsigned int n = sum->nprocs < SUMMARY_MAX_PROCS ? sum->nprocs : SUMMARY_MAX_PROCS;
	uint64_t rest = sum->procs_other;

	if (!n)
		return;
	memcpy(procs, sum->procs, n * sizeof(procs[0]));
	qsort(procs, n, sizeof(procs[0]), proc_cmp);
	fprintf(out, "top processes:\n");
	for (unsigned int i = 0; i < n; i++) {
		if (i < TOP_PROCS)
			fprintf(out, "  %8u  %-16s %" PRIu64 "\n", procs[i].pid,
				ESC(procs[i].comm, 4 * sizeof(procs[i].comm)), procs[i].events);
		else
			rest += procs[i].events;
	}
	if (rest)
		fprintf(out, "  %8s  %-16s %" PRIu64 "\n", "", "(others)", rest);
}

static int text_end(struct sink *s, const struct summary *sum,
		     const struct diag_settings *settings)
{
	FILE *out = s->out;
	char list[256];

	(void)settings; /* the diagnosis' block shows them */
	if (!sum)
		return 0;
	by_type(sum->by_type, list, sizeof(list));
	fprintf(out, "--- summary ---\nevents: %" PRIu64 "%s%s%s\n", sum->events,
		list[0] ? " (" : "", list, list[0] ? ")" : "");
	if (sum->sites)
		fprintf(out, "sites: %" PRIu64 " (%" PRIu64 " failures counted in the kernel, "
			     "reported as \"+N at site\" lines)\n", sum->sites, sum->aggregated);
	if (sum->sites_full)
		fprintf(out, "WARNING: the site map was full: %" PRIu64 " failures went out as "
			     "records of their own (raise --max-sites)\n", sum->sites_full);
	if (sum->detail_lost)
		fprintf(out, "note: %" PRIu64 " site records found the ring buffer full; those "
			     "failures are in their site's count\n", sum->detail_lost);
	lost_lines(out, sum);
	skipped_lines(out, sum);
	if (sum->traced_full)
		fprintf(out, "WARNING: the traced-process map was full: %" PRIu64 " children of "
			     "traced processes went untraced\n", sum->traced_full);
	output_lines(out, sum);
	fprintf(out, "duration: %.3f s\n", sum->duration_ns / 1e9);
	top_processes(out, sum);
	return fflush(out) || ferror(out) ? -EIO : 0;
}

static void text_free(struct sink *s)
{
	free(s);
}

static const struct sink_ops text_ops = {
	.name = "text",
	.event = text_event,
	.end = text_end,
	.free = text_free,
};

struct sink *sink_text__new(FILE *out)
{
	return sink__new_plain(&text_ops, out);
}
