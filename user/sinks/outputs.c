// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "diagnosis.h"
#include "exporters.h"
#include "outfile.h"
#include "outputs.h"
#include "record.h"

struct outputs {
	struct sink *sinks[PIPELINE_MAX_SINKS];
	struct outfile *files[PIPELINE_MAX_SINKS]; /* the file sinks[i] writes, NULL: none */
	unsigned int n;
	struct sink *diagnosis; /* its tables name the memory cgroups whose settings are read */
	const struct diag_settings *recorded; /* a report's, or NULL */
	struct diag_settings *own;	       /* a live session's, read at outputs__end() */
	struct sink *record;		       /* or NULL */
	unsigned int record_at;		       /* its index in files[] */
	unsigned int main_n;		       /* the main output and its diagnosis: sinks[0..main_n) */
};

/* Never through a symbolic link, only a regular file of the tracer's user, 0600 (outfile.h). */
static FILE *open_file(struct outputs *o, const char *path)
{
	struct outfile *f = outfile__open(path);

	o->files[o->n] = f;
	return f ? outfile__stream(f) : NULL;
}

static int add(struct outputs *o, struct sink *s)
{
	if (o->n == PIPELINE_MAX_SINKS) {
		elog("internal: more than %d outputs", PIPELINE_MAX_SINKS);
		sink__free(s);
		return -E2BIG;
	}
	if (!s && o->files[o->n] && outfile__error(o->files[o->n]))
		return -EIO; /* its first write failed, and said why */
	if (!s) {
		elog("cannot set up an output: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	o->sinks[o->n++] = s;
	return 0;
}

/* The text or JSON output and its diagnosis; record -q: the diagnosis alone, writing nothing,
 * for the memory cgroups whose settings the record keeps. */
static int add_main(struct outputs *o, const struct config *cfg)
{
	FILE *f = NULL;

	if (!cfg->quiet) {
		if (!(f = open_file(o, cfg->output)))
			return -EIO;
		if (add(o, cfg->json ? sink_json__new(f) : sink_text__new(f)))
			return -ENOMEM;
	}
	if (add(o, sink_diagnosis__new(f, cfg->json)))
		return -ENOMEM;
	o->diagnosis = o->sinks[o->n - 1];
	o->main_n = o->n;
	return 0;
}

struct outputs *outputs__open(const struct config *cfg, const struct diag_settings *recorded)
{
	struct outputs *o = calloc(1, sizeof(*o));
	enum weight w = cfg->weight;
	FILE *f;

	if (!o)
		return NULL;
	o->recorded = recorded;
	if (!recorded && !(o->own = calloc(1, sizeof(*o->own)))) {
		elog("cannot set up an output: %s", strerror(ENOMEM));
		goto fail;
	}
	if (add_main(o, cfg))
		goto fail;
	if (cfg->folded && (!(f = open_file(o, cfg->folded)) || add(o, sink_folded__new(f, w))))
		goto fail;
	if (cfg->pprof && (!(f = open_file(o, cfg->pprof)) || add(o, sink_pprof__new(f, w))))
		goto fail;
	if (cfg->svg &&
	    (!(f = open_file(o, cfg->svg)) || add(o, sink_svg__new(f, w, "allocfail"))))
		goto fail;
	if (cfg->record) {
		o->record_at = o->n;
		if (!(f = open_file(o, cfg->record)) || add(o, sink_record__new(f)))
			goto fail;
		o->record = o->sinks[o->n - 1];
	}
	return o;
fail:
	outputs__close(o);
	return NULL;
}

/*
 * SIGHUP, for logrotate: the text or JSON output given with -o (files[0], opened first when
 * there is one) goes on in a new file at its path, through the FILE its sinks hold. Appended,
 * so a file still there loses nothing; 0600 and never through a symbolic link, as a new output.
 */
int outputs__reopen(struct outputs *o)
{
	int err = o->files[0] ? outfile__reopen(o->files[0]) : 0; /* -o, opened first */

	if (!err && o->files[0])
		vlog("reopened %s", outfile__name(o->files[0]));
	return err;
}

struct sink *const *outputs__sinks(const struct outputs *o, unsigned int *n)
{
	*n = o->n;
	return o->sinks;
}

/* The outputs that failed so far, into sum's output_errors; one line each for a shared file. */
static void count_failures(const struct outputs *o, struct summary *sum)
{
	sum->noutput_errors = 0;
	for (unsigned int i = 0; i < o->n && sum->noutput_errors < SUMMARY_MAX_OUTPUTS; i++) {
		const struct sink *s = o->sinks[i];
		int err = o->files[i] ? outfile__error(o->files[i]) : 0;

		if (!s->err && !err)
			continue;
		if (!o->files[i] && s->out && i && s->out == o->sinks[i - 1]->out)
			continue; /* the diagnosis: its file is the main output's */
		sum->output_errors[sum->noutput_errors].name = s->ops->name;
		sum->output_errors[sum->noutput_errors].err = err ? err : -s->err;
		sum->output_errors[sum->noutput_errors++].events = s->unwritten;
	}
}

/* End sink i with sum, the outputs' failures so far counted in it. */
static int end_one(struct outputs *o, unsigned int i, struct summary *sum,
		   const struct diag_settings *settings)
{
	count_failures(o, sum);
	return sink__end(o->sinks[i], sum, settings);
}

int outputs__end(struct outputs *o, const struct summary *sum)
{
	const struct diag_settings *settings = o->recorded;
	unsigned int nmain = o->diagnosis ? o->main_n : 0;
	struct summary *all = sum ? malloc(sizeof(*all)) : NULL;
	int err = 0;

	if (sum && !all)
		return -ENOMEM;
	if (all)
		*all = *sum;
	if (!settings) {
		sink_diagnosis__read_settings(o->diagnosis, NULL, o->own);
		settings = o->own;
	}
	/* the exports and the record first, the main output and its diagnosis last: its summary
	 * then counts every output that failed */
	for (unsigned int i = nmain; i < o->n; i++)
		if (end_one(o, i, all, settings) < 0)
			err = -EIO;
	for (unsigned int i = 0; i < nmain; i++)
		if (end_one(o, i, all, settings) < 0)
			err = -EIO;
	/* the main output's own summary could not say it */
	if (nmain && o->sinks[0]->err && o->files[0])
		elog("%" PRIu64 " of %" PRIu64 " events not written to %s, nor its summary",
		     o->sinks[0]->unwritten, o->sinks[0]->given, outfile__name(o->files[0]));
	free(all);
	return err;
}

/* A record that failed keeps its whole chunks, cut where the failure began (record.h). */
static void close_record(struct outputs *o)
{
	struct outfile *f = o->files[o->record_at];
	const char *path = outfile__name(f);
	uint64_t nevents = sink_record__count(o->record);

	if (sink_record__ended(o->record)) {
		elog("%" PRIu64 " event%s recorded to %s", nevents, nevents == 1 ? "" : "s", path);
	} else if (o->record->err || outfile__error(f)) {
		if (outfile__truncate(f, sink_record__whole_bytes(o->record)))
			elog("cannot cut %s to its whole chunks: %s", path, strerror(errno));
		elog("%" PRIu64 " event%s recorded to %s before its write failed: the record is cut "
		     "short (report reads it)", nevents, nevents == 1 ? "" : "s", path);
	} else if (!sink_record__ended(o->record)) {
		unlink(path); /* the session never started: nothing to keep */
	}
}

int outputs__close(struct outputs *o)
{
	int err = 0;

	if (!o)
		return 0;
	for (unsigned int i = 0; i < PIPELINE_MAX_SINKS; i++) {
		if (o->record && i == o->record_at)
			close_record(o);
		else if (o->files[i] && outfile__error(o->files[i]))
			/* a JSON consumer then reads whole lines: no object ends half-written */
			outfile__truncate(o->files[i], outfile__whole_lines(o->files[i]));
		if (o->files[i] && outfile__close(o->files[i]) && !err)
			err = -EIO;
		sink__free(o->sinks[i]);
	}
	free(o->own);
	free(o);
	return err;
}
