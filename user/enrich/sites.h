/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel aggregation, user side: what was reported of each site, and its latest record as
 * the pipeline enriched and explained it (stacks, verdict, cgroup paths, memory cgroup state,
 * fragmentation), so a site's count updates take it as it is: nothing is decoded, symbolized or
 * explained again. Not thread-safe.
 */
#ifndef ALLOCFAIL_SITES_H
#define ALLOCFAIL_SITES_H

#include <stdint.h>
#include "event.h"

struct sites;
struct cause;

/* Enriched records kept within budget bytes, the least recently used dropped first (their
 * sites' updates then go out bare, still counted). NULL if out of memory. */
struct sites *sites__new(uint64_t budget);
void sites__free(struct sites *t); /* NULL-safe */

/* ev, a record of site ev->site (not 0) enriched and explained, is the site's latest: counted,
 * ev->site_total set, and kept. Its strings from the symbolizer must outlive t; the others (the
 * cgroup paths) are copied. */
void sites__record(struct sites *t, struct event *ev);

/* The verdict of kernel-side site id's latest record, for the failures above it in their chains
 * (their cause_site); NULL if not kept. */
const struct cause *sites__verdict(struct sites *t, uint32_t id);

enum sites_update {
	SITES_UPDATE_NONE,   /* nothing new, or the record that describes the site is on its way */
	SITES_UPDATE_DETAIL, /* ev: the site's latest record, as enriched then */
	SITES_UPDATE_BARE,   /* ev: what the site's key says, no stacks: enrich its context */
};

/*
 * A site's counters as the kernel holds them (key k, val v): the failures counted since its last
 * update as one event of count > 0 in ev (site_update set), valid until the next call into t.
 * final: every record sent has been read, nothing is worth waiting for.
 */
enum sites_update sites__update(struct sites *t, const struct af_site_key *k,
				const struct af_site_val *v, bool final, int64_t wall_offset_ns,
				struct event *ev);

/* Sites seen (records or updates). */
unsigned int sites__count(const struct sites *t);
/* Enriched records dropped for the budget. */
uint64_t sites__evicted(const struct sites *t);

#endif
