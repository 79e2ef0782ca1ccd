// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "frag.h"

void frag__contig(const uint64_t *blocks, unsigned int norders, unsigned int order,
		  struct frag_contig *ci)
{
	memset(ci, 0, sizeof(*ci));
	for (unsigned int o = 0; o < norders; o++) {
		ci->total += blocks[o];
		ci->free += blocks[o] << o;
		if (o >= order)
			ci->suitable += blocks[o] << (o - order);
	}
}

int frag__index(const uint64_t *free_blocks, unsigned int norders, unsigned int order)
{
	struct frag_contig ci;

	/* __fragmentation_index(): WARN_ON_ONCE(order > MAX_PAGE_ORDER) returns 0 */
	if (order >= norders || order >= 64)
		return 0;
	frag__contig(free_blocks, norders, order, &ci);
	if (!ci.total)
		return 0;
	if (ci.suitable)
		return -1000;
	return 1000 - (int)((1000 + ci.free * 1000 / (1ULL << order)) / ci.total);
}

int frag__unusable_index(const uint64_t *free_blocks, unsigned int norders, unsigned int order)
{
	struct frag_contig ci;

	if (order >= 64)
		return 1000;
	frag__contig(free_blocks, norders, order, &ci);
	if (!ci.free)
		return 1000;
	return (int)((ci.free - (ci.suitable << order)) * 1000 / ci.free);
}

int frag__parse_buddyinfo_line(const char *line, int *node, char *zone, size_t zlen,
			       uint64_t blocks[AF_NR_ORDERS])
{
	char name[AF_ZONE_NAME_LEN];
	int n, used;

	if (sscanf(line, "Node %d, zone %15s%n", node, name, &used) != 2)
		return -EINVAL;
	line += used;
	for (n = 0; n < AF_NR_ORDERS; n++) {
		unsigned long long v;

		if (sscanf(line, "%llu%n", &v, &used) != 1)
			break;
		blocks[n] = v;
		line += used;
	}
	for (int o = n; o < AF_NR_ORDERS; o++)
		blocks[o] = 0;
	snprintf(zone, zlen, "%s", name);
	return n ? 0 : -EINVAL;
}

/* The node's zone with the most free pages: where a normal allocation would be served. */
static int read_buddyinfo(int node, struct frag_info *f)
{
	char line[512], zone[AF_ZONE_NAME_LEN];
	uint64_t blocks[AF_NR_ORDERS], best = 0;
	FILE *fp = fopen("/proc/buddyinfo", "r");
	int n;

	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		uint64_t pages = 0;

		if (frag__parse_buddyinfo_line(line, &n, zone, sizeof(zone), blocks) ||
		    (node >= 0 && n != node))
			continue;
		for (int o = 0; o < AF_NR_ORDERS; o++)
			pages += blocks[o] << o;
		if (pages < best || !pages)
			continue;
		best = pages;
		f->node = n;
		snprintf(f->zone, sizeof(f->zone), "%s", zone);
		memcpy(f->free_blocks, blocks, sizeof(blocks));
		f->free_pages = pages;
	}
	fclose(fp);
	return best ? 0 : -ENOENT;
}

/* Watermarks of f's zone from /proc/zoneinfo ("Node 0, zone   Normal" then "min N"...). */
static void read_zoneinfo(struct frag_info *f)
{
	char line[256], zone[AF_ZONE_NAME_LEN];
	bool in = false;
	FILE *fp = fopen("/proc/zoneinfo", "r");
	unsigned long long v;
	int node;

	while (fp && fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "Node %d, zone %15s", &node, zone) == 2) {
			in = node == f->node && !strcmp(zone, f->zone);
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, " min %llu", &v) == 1)
			f->wmark_min = v;
		else if (sscanf(line, " low %llu", &v) == 1)
			f->wmark_low = v;
		else if (sscanf(line, " high %llu", &v) == 1)
			f->wmark_high = v;
		else if (sscanf(line, " boost %llu", &v) == 1)
			f->wmark_boost = v;
	}
	if (fp)
		fclose(fp);
}

static void from_zone(const struct af_page_alloc *pa, struct frag_info *f)
{
	const struct af_zone *z = &pa->zone;

	f->snapshot = "at_failure";
	memcpy(f->zone, z->name, sizeof(f->zone));
	f->zone[sizeof(f->zone) - 1] = '\0';
	f->node = z->node;
	memcpy(f->free_blocks, z->free_blocks, sizeof(f->free_blocks));
	f->free_pages = z->free_pages;
	f->wmark_min = z->wmark_min;
	f->wmark_low = z->wmark_low;
	f->wmark_high = z->wmark_high;
	f->wmark_boost = z->wmark_boost;
	f->have_reclaim = true;
	f->reclaimable = z->reclaimable;
	f->available = z->available;
	f->no_progress_loops = z->no_progress_loops;
}

int frag__from_event(const struct af_page_alloc *pa, struct frag_info *f)
{
	int err = 0;

	memset(f, 0, sizeof(*f));
	if (pa->zone.flags & AF_ZONE_VALID) {
		from_zone(pa, f);
	} else {
		f->snapshot = "after";
		err = read_buddyinfo(pa->node, f);
		if (err == -ENOENT)
			err = read_buddyinfo(-1, f);
		if (err)
			return err;
		read_zoneinfo(f);
	}
	if (pa->flags & AF_PA_RECLAIM_SEEN) {
		f->have_reclaim = true;
		f->nr_reclaimed = pa->nr_reclaimed;
	}
	if (pa->flags & AF_PA_COMPACT_SEEN) {
		f->have_compaction = true;
		f->compact_result = pa->compact_result;
		f->compact_priority = pa->compact_priority;
		f->compact_retries = pa->compact_retries;
	}
	f->fragindex = frag__index(f->free_blocks, AF_NR_ORDERS, pa->order);
	f->unusable_index = frag__unusable_index(f->free_blocks, AF_NR_ORDERS, pa->order);
	f->present = true;
	return 0;
}
