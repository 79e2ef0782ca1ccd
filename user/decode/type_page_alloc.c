// SPDX-License-Identifier: GPL-2.0
/* page_alloc: the page allocator returned no page (bpf/page_alloc.bpf.c), with the zone it
 * failed in and its slowpath's reclaim and compaction. */
#include <errno.h>
#include "cause.h"
#include "event_type.h"
#include "frag.h"
#include "gfp.h"
#include "render.h"

/* values the kernel never gives and the renderers compute with (1 << order) */
static int check(const union af_any_record *rec, char *why, size_t len)
{
	if (rec->pa.order < 32)
		return 0;
	snprintf(why, len, "page allocation of order %u", rec->pa.order);
	return -EINVAL;
}

static uint64_t request_bytes(const struct event *ev)
{
	return 4096ULL << ev->raw.pa->order;
}

static void site_payload(const struct af_site_key *k, const struct af_site_val *v,
			 union af_any_record *rec)
{
	(void)v;
	rec->pa.order = k->nr;
	rec->pa.gfp = k->arg_class;
	rec->pa.migratetype = k->flags;
	rec->pa.flags = k->evidence;
}

/* ---- text ---- */

static void text_what(const struct event *ev, char *buf, size_t len)
{
	char gfp[256];

	snprintf(buf, len, "order %u %s", ev->raw.pa->order,
		 render__gfp_text(ev->raw.pa->gfp, gfp, sizeof(gfp)));
}

static void zone_lines(FILE *out, const struct frag_info *f)
{
	if (!f || !f->present)
		return;
	fprintf(out, "    zone %s node %d (%s): %" PRIu64 " free pages, watermarks min %" PRIu64
		     " low %" PRIu64 " high %" PRIu64 ", fragindex %d, unusable %d (x1000)\n",
		ESC(f->zone, 4 * sizeof(f->zone)), f->node,
		f->snapshot ? ESC(f->snapshot, 256) : "?", f->free_pages, f->wmark_min,
		f->wmark_low, f->wmark_high, f->fragindex, f->unusable_index);
	fprintf(out, "      free blocks by order:");
	for (int i = 0; i < AF_NR_ORDERS; i++)
		fprintf(out, " %" PRIu64, f->free_blocks[i]);
	fputc('\n', out);
}

static void text_detail(FILE *out, const struct event *ev)
{
	const struct af_page_alloc *pa = ev->raw.pa;
	const char *mt = gfp__migratetype_name(pa->migratetype);

	fprintf(out, "    %u pages, %s, node %d; reclaim %s (%" PRIu64 " pages, %u retry loops)",
		1U << pa->order, mt ? mt : "unknown migratetype", pa->node,
		pa->flags & AF_PA_RECLAIM_SEEN ? "ran" : "did not run", (uint64_t)pa->nr_reclaimed,
		pa->reclaim_loops);
	if (pa->flags & AF_PA_COMPACT_SEEN)
		fprintf(out, "; compaction result %d, priority %d, %d retries", pa->compact_result,
			pa->compact_priority, pa->compact_retries);
	fputc('\n', out);
	zone_lines(out, ev->frag);
}

/* ---- JSON ---- */

static struct json_object *u64_array(const uint64_t *v, unsigned int n)
{
	struct json_object *a = json_object_new_array_ext(n);

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_uint64(v[i]));
	return a;
}

static struct json_object *watermarks_json(const struct frag_info *f)
{
	struct json_object *o = json_object_new_object();

	add(o, "min", json_object_new_uint64(f->wmark_min));
	add(o, "low", json_object_new_uint64(f->wmark_low));
	add(o, "high", json_object_new_uint64(f->wmark_high));
	add(o, "boost", json_object_new_uint64(f->wmark_boost));
	return o;
}

static struct json_object *reclaim_json(const struct af_page_alloc *pa)
{
	struct json_object *o = json_object_new_object();

	add(o, "ran", json_object_new_boolean(!!(pa->flags & AF_PA_RECLAIM_SEEN)));
	add(o, "nr_reclaimed", json_object_new_uint64(pa->nr_reclaimed));
	add(o, "retry_loops", json_object_new_uint64(pa->reclaim_loops));
	add(o, "memcg_reclaim", json_object_new_boolean(!!(pa->flags & AF_PA_MEMCG_TRAIL)));
	if (pa->zone.flags & AF_ZONE_VALID) {
		add(o, "reclaimable", json_object_new_uint64(pa->zone.reclaimable));
		add(o, "available", json_object_new_uint64(pa->zone.available));
		add(o, "no_progress_loops", json_object_new_int(pa->zone.no_progress_loops));
	}
	return o;
}

static struct json_object *compaction_json(const struct af_page_alloc *pa)
{
	struct json_object *o;

	if (!(pa->flags & AF_PA_COMPACT_SEEN))
		return NULL;
	o = json_object_new_object();
	add(o, "result", json_object_new_int(pa->compact_result));
	add(o, "priority", json_object_new_int(pa->compact_priority));
	add(o, "retries", json_object_new_int(pa->compact_retries));
	return o;
}

/* The zone's fragmentation at the failure (issue 3's `frag` contract). */
static struct json_object *frag_json(const struct af_page_alloc *pa, const struct frag_info *f)
{
	struct json_object *o;

	if (!f || !f->present)
		return NULL;
	o = json_object_new_object();
	add(o, "snapshot", str_or_null(f->snapshot));
	add(o, "zone", json_object_new_string(f->zone));
	add(o, "node", json_object_new_int(f->node));
	add(o, "free_pages", json_object_new_uint64(f->free_pages));
	add(o, "free_blocks", u64_array(f->free_blocks, AF_NR_ORDERS));
	add(o, "fragindex", json_object_new_int(f->fragindex));
	add(o, "unusable_index", json_object_new_int(f->unusable_index));
	add(o, "watermarks", watermarks_json(f));
	add(o, "reclaim", reclaim_json(pa));
	add(o, "compaction", compaction_json(pa));
	return o;
}

/* the zone's fragmentation, as the slowpath saw it */
static void enrich(struct event *ev, const struct enrich_ctx *c)
{
	if (!frag__from_event(ev->raw.pa, c->frag))
		ev->frag = c->frag;
}

static struct json_object *json(const struct event *ev)
{
	const struct af_page_alloc *pa = ev->raw.pa;
	struct json_object *o = json_object_new_object();

	add(o, "order", json_object_new_int(pa->order));
	add(o, "gfp", render__gfp_json(pa->gfp));
	add(o, "gfp_raw", hex(pa->gfp));
	add(o, "migratetype", str_or_null(gfp__migratetype_name(pa->migratetype)));
	add(o, "node", json_object_new_int(pa->node));
	add(o, "frag", frag_json(pa, ev->frag));
	return o;
}

const struct event_type_desc type_page_alloc = {
	.name = "page_alloc",
	.size = sizeof(struct af_page_alloc),
	.check = check,
	.request_bytes = request_bytes,
	.site_payload = site_payload,
	.text_what = text_what,
	.text_detail = text_detail,
	.json = json,
	.enrich = enrich,
	.explain = cause__explain_page_alloc,
};
