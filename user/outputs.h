/* SPDX-License-Identifier: GPL-2.0 */
/* The session's sinks: the main output (text or JSON) and the flamegraph exports. */
#ifndef ALLOCFAIL_OUTPUTS_H
#define ALLOCFAIL_OUTPUTS_H

#include "args.h"
#include "pipeline.h"

struct outputs;

/* Opens every file the config names; NULL after logging one line if one cannot be written. */
struct outputs *outputs__open(const struct config *cfg);
/* The sinks, main output first. */
struct sink *const *outputs__sinks(const struct outputs *o, unsigned int *n);
/* Free the sinks and close the files (NULL-safe). Returns -errno if a write failed. */
int outputs__close(struct outputs *o);

#endif
