// SPDX-License-Identifier: GPL-2.0
/* The diagnosis as a text block (docs/diagnosis.md): causes ranked, the settings, a checklist. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "diagnosis_tally.h"
#include "escape.h"

#define WRAP_COLUMN 100

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
	fputs(d->recorded ? "settings when the recording ended:\n" :
						     "settings now:\n", out);
	fprintf(out,
		"  vm.overcommit_memory=%s, vm.overcommit_ratio=%s, vm.overcommit_kbytes=%s; "
		"CommitLimit %s, Committed_AS %s\n",
		K(s->overcommit_memory), K(s->overcommit_ratio), K(s->overcommit_kbytes),
		H(diag__kib(s->commit_limit_kb)), H(diag__kib(s->committed_as_kb)));
	fprintf(out, "  vm.max_map_count=%s\n", K(s->max_map_count));
	fprintf(out, "  RAM %s; swap %s, %s free\n", H(diag__kib(s->mem_total_kb)),
		H(diag__kib(s->swap_total_kb)), H(diag__kib(s->swap_free_kb)));
	text_hugepages(out, s);
	for (unsigned int i = 0; i < d->nmemcgs; i++)
		text_memcg(out, &d->memcgs[i]);
	if (d->memcgs_other)
		fprintf(out, "  (more memory cgroups: %" PRIu64 " events)\n", d->memcgs_other);
}

int diag_text__write(const struct diagnosis *d, uint64_t lost, uint64_t skipped)
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
		escape__fputs(diag_fix__line(d, c, buf, sizeof(buf)), out);
		fputc('\n', out);
	}
	return fflush(out) || ferror(out) ? -EIO : 0;
}

