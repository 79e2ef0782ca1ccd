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
#include "outputs.h"
#include "record.h"

struct outputs {
	struct sink *sinks[PIPELINE_MAX_SINKS];
	FILE *files[PIPELINE_MAX_SINKS]; /* NULL for stdout */
	const char *paths[PIPELINE_MAX_SINKS];
	unsigned int n;
	struct sink *diagnosis; /* its tables name the memory cgroups whose settings are read */
	const struct diag_settings *recorded; /* a report's, or NULL */
	struct diag_settings *own;	       /* a live session's, read at outputs__end() */
	struct sink *record;		       /* or NULL */
	unsigned int record_at;		       /* its index in files[] */
};

static FILE *open_file(struct outputs *o, const char *path)
{
	FILE *f;

	if (!path)
		return stdout;
	f = fopen(path, "w");
	if (!f)
		elog("cannot write %s: %s", path, strerror(errno));
	o->files[o->n] = f;
	o->paths[o->n] = path;
	return f;
}

/* 0600, and never through a symbolic link (record__create()). */
static FILE *open_record(struct outputs *o, const char *path)
{
	FILE *f = record__create(path);

	if (!f && errno == ELOOP)
		elog("cannot write %s: it is a symbolic link; a record is not written through one",
		     path);
	else if (!f)
		elog("cannot write %s: %s", path, strerror(errno));
	o->files[o->n] = f;
	o->paths[o->n] = path;
	o->record_at = o->n;
	return f;
}

static int add(struct outputs *o, struct sink *s)
{
	if (o->n == PIPELINE_MAX_SINKS) {
		elog("internal: more than %d outputs", PIPELINE_MAX_SINKS);
		sink__free(s);
		return -E2BIG;
	}
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
		if (!(f = open_record(o, cfg->record)) || add(o, sink_record__new(f)))
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
	FILE *f = o->files[0];
	int fd, err = 0;

	if (!f)
		return 0;
	fflush(f);
	fd = open(o->paths[0], O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || dup3(fd, fileno(f), O_CLOEXEC) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		elog("cannot reopen %s: %s; writing on to the file already open", o->paths[0],
		     strerror(-err));
	else
		vlog("reopened %s", o->paths[0]);
	return err;
}

struct sink *const *outputs__sinks(const struct outputs *o, unsigned int *n)
{
	*n = o->n;
	return o->sinks;
}

int outputs__end(struct outputs *o, const struct summary *sum)
{
	const struct diag_settings *settings = o->recorded;
	int err = 0;

	if (!settings) {
		sink_diagnosis__read_settings(o->diagnosis, NULL, o->own);
		settings = o->own;
	}
	for (unsigned int i = 0; i < o->n; i++)
		if (sink__end(o->sinks[i], sum, settings) < 0)
			err = -EIO;
	return err;
}

int outputs__close(struct outputs *o)
{
	uint64_t nevents = 0;
	bool ended = false;
	int err = 0;

	if (!o)
		return 0;
	if (o->record) {
		ended = sink_record__ended(o->record);
		nevents = sink_record__count(o->record);
	}
	for (unsigned int i = 0; i < PIPELINE_MAX_SINKS; i++) {
		FILE *f = o->files[i];
		int bad;

		sink__free(o->sinks[i]);
		if (!f)
			continue;
		/* a failed fwrite sets the error flag: fclose alone may not report it */
		bad = ferror(f) ? EIO : 0;
		if (fclose(f) && !bad)
			bad = errno;
		if (bad && !err) {
			err = -bad;
			elog("cannot write %s: %s", o->paths[i], strerror(bad));
		}
		if (o->record && i == o->record_at && !ended)
			unlink(o->paths[i]); /* no trailer: no reader would take it */
		else if (o->record && i == o->record_at && !bad)
			elog("%" PRIu64 " event%s recorded to %s", nevents, nevents == 1 ? "" : "s",
			     o->paths[i]);
	}
	if (fflush(stdout) && !err)
		err = -errno;
	free(o->own);
	free(o);
	return err;
}
