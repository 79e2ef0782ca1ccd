// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "sink.h"

struct sink *sink__new_plain(const struct sink_ops *ops, FILE *out)
{
	struct sink *s;

	if (!out)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = ops;
	s->out = out;
	return s;
}

/* A failure that is not a write's (no memory, an event the sink cannot hold): said here, once. */
static void failed(struct sink *s, int err)
{
	s->err = err;
	if (err != -EIO)
		elog("the %s output failed: %s; the other outputs go on", s->ops->name,
		     strerror(-err));
}

int sink__event(struct sink *s, const struct event *ev)
{
	int err;

	s->given++;
	if (s->err) {
		s->unwritten++;
		return 0;
	}
	err = s->ops->event(s, ev);
	if (err < 0) {
		failed(s, err);
		s->unwritten++;
	}
	return err < 0 ? err : 0;
}

int sink__end(struct sink *s, const struct summary *sum, const struct diag_settings *settings)
{
	int err;

	if (s->err)
		return s->err;
	err = s->ops->end(s, sum, settings);
	if (err < 0) {
		failed(s, err);
		if (s->ops->writes_at_end)
			s->unwritten = s->given;
	}
	return err < 0 ? err : 0;
}
