/* SPDX-License-Identifier: GPL-2.0 */
/* decode → enrich (cgroup, symbols, cause) → sinks, and the session summary. */
#ifndef ALLOCFAIL_PIPELINE_H
#define ALLOCFAIL_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include "sink.h"

struct pipeline;

struct pipeline *pipeline__new(struct sink *sink);
void pipeline__free(struct pipeline *p); /* NULL-safe; does not free the sink */

/* Ring-buffer callback: ctx is the pipeline. Returns 0, or a negative value to stop. */
int pipeline__on_record(void *ctx, void *data, size_t size);

/* Write the summary; lost[] from the BPF counters. */
int pipeline__finish(struct pipeline *p, const uint64_t lost[AF_EV_TYPE_MAX],
		     uint64_t duration_ns);

#endif
