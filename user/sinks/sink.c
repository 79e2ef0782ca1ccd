// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
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
