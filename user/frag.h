/* SPDX-License-Identifier: GPL-2.0 */
/* A zone's fragmentation at a page-allocation failure: from the slowpath's own view when BPF
 * saw it, else from /proc/buddyinfo and /proc/zoneinfo read right after (and marked so). */
#ifndef ALLOCFAIL_FRAG_H
#define ALLOCFAIL_FRAG_H

#include <stdbool.h>
#include <stdint.h>
#include "../bpf/allocfail.h"

struct frag_info {
	bool present;
	const char *snapshot; /* "at_failure" or "after" */
	char zone[AF_ZONE_NAME_LEN];
	int node;
	uint64_t free_blocks[AF_NR_ORDERS];
	uint64_t free_pages;
	uint64_t wmark_min, wmark_low, wmark_high, wmark_boost;
	int fragindex;	    /* x1000 as mm/vmstat.c: -1000 if a block of the order is free */
	int unusable_index; /* x1000 */
	/* the slowpath's own numbers, at_failure only */
	bool have_reclaim;
	uint64_t reclaimable, available, nr_reclaimed;
	int no_progress_loops;
	bool have_compaction;
	int compact_result, compact_priority, compact_retries;
};

/* From the BPF record (zone.flags & AF_ZONE_VALID), else a /proc snapshot of the node's
 * largest zone. Returns 0, or -errno if neither is available. */
int frag__from_event(const struct af_page_alloc *pa, struct frag_info *out);

/* Parse one "Node N, zone NAME c0 c1 ..." /proc/buddyinfo line; pure, for tests. */
int frag__parse_buddyinfo_line(const char *line, int *node, char *zone, size_t zlen,
			       uint64_t blocks[AF_NR_ORDERS]);

#endif
