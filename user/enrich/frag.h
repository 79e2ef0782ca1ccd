/* SPDX-License-Identifier: GPL-2.0 */
/* A zone's fragmentation at a page-allocation failure: from the slowpath's own view when BPF
 * saw it, else from /proc/buddyinfo and /proc/zoneinfo read right after (and marked so). */
#ifndef ALLOCFAIL_FRAG_H
#define ALLOCFAIL_FRAG_H

#include <stdbool.h>
#include <stdint.h>
#include "bpf/allocfail.h"

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

/* A zone's free blocks per order (free_blocks[0..norders-1]) against an allocation of `order`,
 * as mm/vmstat.c's fill_contig_page_info(): blocks, pages free, and blocks of the order that the
 * larger free blocks make. */
struct frag_contig {
	uint64_t total, free, suitable;
};

void frag__contig(const uint64_t *free_blocks, unsigned int norders, unsigned int order,
		  struct frag_contig *out);

/*
 * The kernel's fragmentation metrics, exactly as mm/vmstat.c computes them from the free block
 * counts per order for an allocation of the given order, x1000:
 * __fragmentation_index(): 0 if nothing is free, -1000 if a block of the order is free,
 * else 1000 - (1000 + free * 1000 / 2^order) / total_blocks (near 0: lack of memory, near
 * 1000: fragmentation). unusable_free_index(): the share of free memory in blocks too small
 * for the order, 1000 when nothing is free.
 */
int frag__index(const uint64_t *free_blocks, unsigned int norders, unsigned int order);
int frag__unusable_index(const uint64_t *free_blocks, unsigned int norders, unsigned int order);

/* Parse one "Node N, zone NAME c0 c1 ..." /proc/buddyinfo line; pure, for tests. */
int frag__parse_buddyinfo_line(const char *line, int *node, char *zone, size_t zlen,
			       uint64_t blocks[AF_NR_ORDERS]);

#endif
