// SPDX-License-Identifier: GPL-2.0
/* The page allocator's rules: __zone_watermark_ok() over the zone the failure saw (fragmentation
 * or exhaustion), and a memcg charge under the allocation. */
#include "cause_priv.h"
#include "frag.h"

/* An index x1000 as the kernel's debugfs prints it: "0.968", "-1.000". */
static const char *index_str(int idx, char *buf, size_t len)
{
	int a = idx < 0 ? -idx : idx;

	snprintf(buf, len, "%s%d.%03d", idx < 0 ? "-" : "", a / 1000, a % 1000);
	return buf;
}

#define IDX(i) index_str((i), (char[16]){ 0 }, 16)

static void kv_index(struct cause *out, const char *key, int idx)
{
	kv_str(out, key, "%s", IDX(idx));
}

static void kv_zone(const struct cause_zone *z, struct cause *out, uint64_t free, int fi, int ui)
{
	char blocks[128];
	int n = 0;

	for (unsigned int o = 0; o < AF_NR_ORDERS && n < (int)sizeof(blocks); o++)
		n += snprintf(blocks + n, sizeof(blocks) - n, "%s%llu", o ? " " : "",
			      (unsigned long long)z->free_blocks[o]);
	kv_str(out, "zone", "%s", z->zone ? z->zone : "?");
	kv_num(out, "node", z->node);
	kv_num(out, "order", z->order);
	kv_num(out, "free_pages", (int64_t)free);
	kv_num(out, "wmark_min_pages", (int64_t)z->wmark_min);
	kv_num(out, "wmark_low_pages", (int64_t)z->wmark_low);
	kv_num(out, "wmark_high_pages", (int64_t)z->wmark_high);
	kv_str(out, "free_blocks", "%s", blocks);
	kv_index(out, "fragmentation_index", fi);
	kv_index(out, "unusable_index", ui);
	kv_str(out, "snapshot", "%s", z->after ? "after" : "at_failure");
	if (z->have_reclaim) {
		kv_num(out, "nr_reclaimed", (int64_t)z->nr_reclaimed);
		kv_num(out, "reclaimable_pages", (int64_t)z->reclaimable);
		kv_num(out, "no_progress_loops", z->no_progress_loops);
	}
	kv_num(out, "swap_total_kb", z->swap_total_kb);
	kv_num(out, "swap_free_kb", z->swap_free_kb);
}

/* ", reclaim freed 0 pages, no swap" */
static void reclaim_note(const struct cause_zone *z, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (z->have_reclaim)
		n = snprintf(buf, len, "; reclaim freed %llu pages",
			     (unsigned long long)z->nr_reclaimed);
	if (z->swap_total_kb == 0)
		snprintf(buf + n, len - n, "%sno swap configured", n ? ", " : "; ");
	else if (z->swap_free_kb == 0)
		snprintf(buf + n, len - n, "%sswap full", n ? ", " : "; ");
}

bool cause__fragmentation(const struct cause_zone *z, struct cause *out)
{
	uint64_t page = z->page_size ? z->page_size : 4096, need = 1ULL << z->order, free;
	int fi = frag__index(z->free_blocks, AF_NR_ORDERS, z->order);
	int ui = frag__unusable_index(z->free_blocks, AF_NR_ORDERS, z->order);
	const char *name = z->zone ? z->zone : "?";
	struct frag_contig ci;
	bool low, no_block;
	char note[96];

	if (z->order >= AF_NR_ORDERS)
		return false;
	frag__contig(z->free_blocks, AF_NR_ORDERS, z->order, &ci);
	free = z->free_pages ? z->free_pages : ci.free;
	/* __zone_watermark_ok(): free_pages -= (1 << order) - 1; if (free_pages <= min) fail;
	 * then for order > 0 a free block of at least that order must exist */
	low = free + 1 <= z->wmark_min + need;
	no_block = z->order > 0 && !ci.suitable;
	if (!low && !no_block)
		return false;
	reclaim_note(z, note, sizeof(note));
	if (!low && fi > CAUSE_EXTFRAG_THRESHOLD) {
		set(out, CAUSE_FRAGMENTATION);
		summary(out,
			"order-%u (%s) allocation failed in zone %s: %s free but no free block of "
			"%s or larger (fragmentation index %s, over extfrag_threshold 0.500)%s",
			z->order, H(need * page), name, H(free * page), H(need * page), IDX(fi),
			z->after ? " (zone read after the failure)" : "");
		advice(out, "memory is fragmented, not short: compact it (echo 1 > "
			    "/proc/sys/vm/compact_memory), keep larger blocks free with a higher "
			    "vm.min_free_kbytes, or make the caller fall back to order-0 pages "
			    "(kvmalloc, smaller buffers)");
	} else {
		set(out, CAUSE_EXHAUSTION);
		if (low)
			summary(out,
				"order-%u (%s) allocation failed in zone %s: %s free, at or below "
				"the min watermark of %s%s%s",
				z->order, H(need * page), name, H(free * page),
				H(z->wmark_min * page), note,
				z->after ? " (zone read after the failure)" : "");
		else
			summary(out,
				"order-%u (%s) allocation failed in zone %s: no free block that "
				"large and only %s free in all (fragmentation index %s: lack of "
				"memory, not fragmentation)%s",
				z->order, H(need * page), name, H(free * page), IDX(fi), note);
		advice(out,
		       "memory is exhausted: find the biggest consumers (top RSS, the OOM "
		       "killer's victims), add RAM or swap, or bound them with memory cgroups%s",
		       z->can_reclaim ? ""
				      : "; for allocations that cannot reclaim (atomic), raise "
					"vm.min_free_kbytes");
	}
	kv_u64(out, "request_bytes", need * page);
	kv_zone(z, out, free, fi, ui);
	return true;
}

/* The zone of a failed page allocation: the enrich step's view (ev->frag), else the record's. */
static bool zone_of(const struct cause_input *in, struct cause_zone *z)
{
	const struct af_page_alloc *pa = in->ev->raw.pa;
	const struct frag_info *f = in->ev->frag;
	const struct sysinfo *s = in->sys;
	uint64_t boost;

	memset(z, 0, sizeof(*z));
	z->order = pa->order;
	z->can_reclaim = pa->gfp & GFP_DIRECT_RECLAIM_;
	z->swap_total_kb = s ? s->swap_total_kb : -1;
	z->swap_free_kb = s ? s->swap_free_kb : -1;
	z->page_size = s && s->page_size > 0 ? (uint64_t)s->page_size : 4096;
	if (f && f->present) {
		z->zone = f->zone;
		z->node = f->node;
		memcpy(z->free_blocks, f->free_blocks, sizeof(z->free_blocks));
		z->free_pages = f->free_pages;
		z->after = f->snapshot && !strcmp(f->snapshot, "after");
		/* min_wmark_pages() is _watermark[] + watermark_boost: the record holds them apart,
		 * /proc/zoneinfo's "min" has the boost in already */
		boost = z->after ? 0 : f->wmark_boost;
		z->wmark_min = f->wmark_min + boost;
		z->wmark_low = f->wmark_low + boost;
		z->wmark_high = f->wmark_high + boost;
		z->have_reclaim = f->have_reclaim;
		z->nr_reclaimed = f->nr_reclaimed;
		z->reclaimable = f->reclaimable;
		z->no_progress_loops = f->no_progress_loops;
		return true;
	}
	if (!(pa->zone.flags & AF_ZONE_VALID))
		return false;
	z->zone = pa->zone.name;
	z->node = pa->zone.node;
	for (int o = 0; o < AF_NR_ORDERS; o++)
		z->free_blocks[o] = pa->zone.free_blocks[o];
	z->free_pages = pa->zone.free_pages;
	z->wmark_min = pa->zone.wmark_min + pa->zone.wmark_boost;
	z->wmark_low = pa->zone.wmark_low + pa->zone.wmark_boost;
	z->wmark_high = pa->zone.wmark_high + pa->zone.wmark_boost;
	z->have_reclaim = pa->flags & AF_PA_RECLAIM_SEEN;
	z->nr_reclaimed = pa->nr_reclaimed;
	z->reclaimable = pa->zone.reclaimable;
	z->no_progress_loops = pa->zone.no_progress_loops;
	return true;
}

/* The buddy allocator runs first; a __GFP_ACCOUNT page it did hand out is then charged and
 * freed again when the charge fails (__alloc_pages() "out:"), so the zone's state comes first
 * and the memcg second. */
void cause__explain_page_alloc(const struct cause_input *in, struct cause *out)
{
	const struct af_page_alloc *pa = in->ev->raw.pa;
	uint64_t bytes = 4096ULL << (pa->order < 32 ? pa->order : 0);
	struct cause_zone z;
	bool have = zone_of(in, &z);
	char what[64];

	snprintf(what, sizeof(what), "an order-%u page allocation", pa->order);
	/* the kernel reported the memcg charge under this allocation failing (fexit): that is the
	 * reason, whatever the cgroup's usage read later (the process may be gone) says */
	if (in->deeper && in->deeper->code && !strcmp(in->deeper->code, "memcg_limit")) {
		*out = *in->deeper;
		out->code_id = CAUSE_MEMCG_LIMIT; /* deeper may carry only the name */
		kv_num(out, "order", pa->order);
		kv_num(out, "caused_by", (int64_t)in->ev->caused_by);
		summary(out, "%s failed because its memory cgroup charge failed: %s", what,
			in->deeper->summary);
		return;
	}
	if (have && cause__fragmentation(&z, out))
		return;
	if ((pa->gfp & GFP_ACCOUNT_) &&
	    cause__memcg(in->memcg, event_memcg_path(in->ev), bytes, what, out))
		return;
	set(out, CAUSE_UNKNOWN);
	kv_num(out, "order", pa->order);
	kv_str(out, "gfp", "0x%x", pa->gfp);
	if (have) {
		kv_zone(&z, out, z.free_pages,
			frag__index(z.free_blocks, AF_NR_ORDERS, z.order),
			frag__unusable_index(z.free_blocks, AF_NR_ORDERS, z.order));
		summary(out,
			"%s failed although zone %s would have served it (above the min "
			"watermark, a free block of the order)%s",
			what, z.zone ? z.zone : "?",
			z.after ? ": its state was read after the failure" : "");
	} else {
		summary(out, "%s failed and the zone's state is not known", what);
	}
	advice(out, "no verdict: other zones or nodes (cpuset, mempolicy, __GFP_THISNODE) or a "
		    "reserve may have been the limit; the raw evidence is attached");
}
