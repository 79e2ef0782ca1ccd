/* SPDX-License-Identifier: GPL-2.0 */
/* decode → enrich (stacks, cgroup, memory cgroup, zone) → explain (cause) → sinks, the sites'
 * count updates, and the session summary. */
#ifndef ALLOCFAIL_PIPELINE_H
#define ALLOCFAIL_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sink.h"

struct pipeline;

#define PIPELINE_MAX_SINKS 8

struct kallsyms;

/* Events go to every sink, in order (the main output first, then exporters). Kernel stacks are
 * symbolized with ksyms, which must outlive the pipeline. */
struct pipeline *pipeline__new(struct sink *const *sinks, unsigned int nsinks,
			       struct kallsyms *ksyms);
void pipeline__free(struct pipeline *p); /* NULL-safe; does not free the sinks */

/* Call between polls (every 100 ms or so): applies the kernel's mapping records that no event
 * still to come can predate, so their per-CPU buffers do not fill up. */
void pipeline__tick(struct pipeline *p);

/* Ring-buffer callback: ctx is the pipeline. Returns 0, or a negative value to stop. */
int pipeline__on_record(void *ctx, void *data, size_t size);

/* A site's counters as the kernel holds them (session__flush_sites): reports the failures
 * counted since the last call as one update event of count > 0. final: the programs are
 * detached and every record was read, so nothing is worth waiting for. */
int pipeline__on_site(void *ctx, const struct af_site_key *k, const struct af_site_val *v,
		      bool final);
/* The kernel's aggregation counters (enum af_site_stat), for the summary. */
void pipeline__site_stats(struct pipeline *p, const uint64_t stats[AF_SSTAT_MAX]);
/* What the kernel skipped of the programs' runs (session__skipped), for the summary. */
void pipeline__skipped(struct pipeline *p, const uint64_t by_type[AF_EV_TYPE_MAX],
		       uint64_t other);

/* Processes left untraced as the `traced` map was full (session__traced_full), for the summary. */
void pipeline__traced_full(struct pipeline *p, uint64_t n);

/* The session's summary, lost[] from the BPF counters, for the sinks' end (outputs__end());
 * warns on stderr of what was lost or skipped. */
const struct summary *pipeline__finish(struct pipeline *p, const uint64_t lost[AF_EV_TYPE_MAX],
				       uint64_t duration_ns);

#endif
