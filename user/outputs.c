// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "diagnosis.h"
#include "exporters.h"
#include "outputs.h"

struct outputs {
	struct sink *sinks[PIPELINE_MAX_SINKS];
	FILE *files[PIPELINE_MAX_SINKS]; /* NULL for stdout */
	const char *paths[PIPELINE_MAX_SINKS];
	unsigned int n;
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

struct outputs *outputs__open(const struct config *cfg)
{
	struct outputs *o = calloc(1, sizeof(*o));
	enum weight w = cfg->weight;
	FILE *f;

	if (!o)
		return NULL;
	if (!(f = open_file(o, cfg->output)) ||
	    add(o, cfg->json ? sink_json__new(f) : sink_text__new(f)) ||
	    add(o, sink_diagnosis__new(f, cfg->json)))
		goto fail;
	if (cfg->folded && (!(f = open_file(o, cfg->folded)) || add(o, sink_folded__new(f, w))))
		goto fail;
	if (cfg->pprof && (!(f = open_file(o, cfg->pprof)) || add(o, sink_pprof__new(f, w))))
		goto fail;
	if (cfg->svg &&
	    (!(f = open_file(o, cfg->svg)) || add(o, sink_svg__new(f, w, "allocfail"))))
		goto fail;
	return o;
fail:
	outputs__close(o);
	return NULL;
}

struct sink *const *outputs__sinks(const struct outputs *o, unsigned int *n)
{
	*n = o->n;
	return o->sinks;
}

int outputs__close(struct outputs *o)
{
	int err = 0;

	if (!o)
		return 0;
	for (unsigned int i = 0; i < PIPELINE_MAX_SINKS; i++) {
		sink__free(o->sinks[i]);
		if (o->files[i] && fclose(o->files[i]) && !err) {
			err = -errno;
			elog("cannot write %s: %s", o->paths[i], strerror(-err));
		}
	}
	if (fflush(stdout) && !err)
		err = -errno;
	free(o);
	return err;
}
