// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Page-allocator failures: kmem:mm_page_alloc with a NULL page (buddy failure or kmem charge
 * failure; both end at the same tracepoint), with what the thread's slowpath saw just before:
 * the zone at oom:reclaim_retry_zone, oom:compact_retry, direct reclaim's progress.
 */
#include "memcg.bpf.h"

/* __GFP_ACCOUNT of the running kernel: an anonymous enum in 6.12+ BTF (no CO-RE relocation
 * can name it), a #define before; user space resolves it (user/decode/gfp.c) and sets this. */
const volatile __u32 gfp_account_mask __weak = 0;

static __always_inline bool memcg_trail_recent(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct trail *t = bpf_map_lookup_elem(&trails, &tid);

	return t && recent(t->memcg_reclaim_ts, bpf_ktime_get_boot_ns());
}

/* Consumed: the next failure gets only what its own slowpath leaves. */
static __always_inline void trail_reset(struct trail *t)
{
	t->zone_ts = t->compact_ts = t->direct_reclaim_ts = 0;
	t->reclaim_loops = 0;
	t->direct_nr_reclaimed = 0;
}

static __always_inline void fill_trail(struct af_page_alloc *e, unsigned int order, __u64 now,
				       bool memcg_trail)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct trail *t = bpf_map_lookup_elem(&trails, &tid);

	e->flags = memcg_trail ? AF_PA_MEMCG_TRAIL : 0;
	e->compact_result = e->compact_priority = e->compact_retries = 0;
	e->nr_reclaimed = 0;
	e->reclaim_loops = 0;
	__builtin_memset(&e->zone, 0, sizeof(e->zone));
	if (!t)
		return;
	if (recent(t->direct_reclaim_ts, now)) {
		e->flags |= AF_PA_RECLAIM_SEEN;
		e->nr_reclaimed = t->direct_nr_reclaimed;
	}
	if (recent(t->compact_ts, now) && t->compact_order == order) {
		e->flags |= AF_PA_COMPACT_SEEN;
		e->compact_result = t->compact_result;
		e->compact_priority = t->compact_priority;
		e->compact_retries = t->compact_retries;
	}
	if (recent(t->zone_ts, now) && t->zone_order == order) {
		e->zone = t->zone;
		e->reclaim_loops = t->reclaim_loops;
	}
	trail_reset(t);
}

/* The trail's flags a record would get (fill_trail()): part of the site key. */
static __always_inline __u32 trail_flags(unsigned int order, __u64 now, bool memcg_trail)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct trail *t = bpf_map_lookup_elem(&trails, &tid);
	__u32 flags = memcg_trail ? AF_PA_MEMCG_TRAIL : 0;

	if (!t)
		return flags;
	if (recent(t->direct_reclaim_ts, now))
		flags |= AF_PA_RECLAIM_SEEN;
	if (recent(t->compact_ts, now) && t->compact_order == order)
		flags |= AF_PA_COMPACT_SEEN;
	return flags;
}

/* A failure counted, not sent, consumes its trail as fill_trail() does. */
static __always_inline void trail_consume(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct trail *t = bpf_map_lookup_elem(&trails, &tid);

	if (t)
		trail_reset(t);
}

static __always_inline int handle_page_alloc(void *ctx, bool failed, unsigned int order,
					     __u32 gfp, int migratetype)
{
	struct af_site_key k;
	struct af_page_alloc *e;
	struct af_site_val *v;
	bool memcg_trail, counted;
	__u64 now, bytes, id;

	/* every page allocation of the machine: a page was handed out, nothing more to do */
	if (!failed || !task_is_traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	/* read before the inferred charge failure below consumes the trail */
	memcg_trail = memcg_trail_recent();
	/* zeroed here, not at its declaration: the compiler would do it before the test above */
	__builtin_memset(&k, 0, sizeof(k));
	/* one stack walk for both keys: the charge failed at this very allocation */
	if (aggregate)
		k.kstack_hash = site_kstack_hash(ctx);
	if (gfp & gfp_account_mask)
		memcg_emit_inferred(ctx, gfp, 1ULL << order, k.kstack_hash);
	bytes = 4096ULL << (order < 32 ? order : 0);
	k.type = AF_EV_PAGE_ALLOC;
	k.flags = (__u16)migratetype;
	k.nr = order;
	k.arg_class = gfp;
	k.evidence = trail_flags(order, bpf_ktime_get_boot_ns(), memcg_trail);
	v = site_account_kernel(ctx, &k, bytes, &counted);
	if (counted) {
		trail_consume();
		return 0;
	}
	e = site_reserve_kernel(v, sizeof(*e), AF_EV_PAGE_ALLOC, bytes);
	if (!e) {
		trail_consume();
		return 0;
	}
	event_fill_header(ctx, &e->h, AF_EV_PAGE_ALLOC, sizeof(*e));
	e->h.site = v ? v->site : 0;
	now = e->h.ts_ns;
	e->order = order;
	e->gfp = gfp;
	e->migratetype = migratetype;
	e->node = bpf_get_numa_node_id();
	e->__pad = 0;
	fill_trail(e, order, now, memcg_trail);
	chain_link(&e->h, false);
	id = e->h.id;
	bpf_ringbuf_submit(e, 0);
	site_submitted(v, id);
	return 0;
}

SEC("tp_btf/mm_page_alloc")
int BPF_PROG(page_alloc_btf, struct page *page, unsigned int order, gfp_t gfp, int migratetype)
{
	return handle_page_alloc(ctx, !page, order, gfp, migratetype);
}

SEC("raw_tp/mm_page_alloc")
int BPF_PROG(page_alloc_raw, struct page *page, unsigned int order, gfp_t gfp, int migratetype)
{
	return handle_page_alloc(ctx, !page, order, gfp, migratetype);
}

SEC("tracepoint/kmem/mm_page_alloc")
int page_alloc_tp(struct trace_event_raw_mm_page_alloc *ctx)
{
	/* the classic format has the pfn: -1UL stands for a NULL page */
	return handle_page_alloc(ctx, ctx->pfn == ~0UL, ctx->order, ctx->gfp_flags,
				 ctx->migratetype);
}

/* --- the slowpath trail --- */

static __always_inline void read_zone(struct zone *zone, struct af_zone *z)
{
	/* free_area is [MAX_ORDER] in 6.1 and [NR_PAGE_ORDERS] from 6.8 (commit fd37721803c6,
	 * "mm, treewide: introduce NR_PAGE_ORDERS"): size it from the running kernel's BTF */
	int n = bpf_core_field_size(zone->free_area) / bpf_core_type_size(struct free_area);

	bpf_probe_read_kernel_str(z->name, sizeof(z->name), BPF_CORE_READ(zone, name));
	for (int o = 0; o < AF_NR_ORDERS; o++) {
		if (o >= n)
			break;
		z->free_blocks[o] = BPF_CORE_READ(zone, free_area[o].nr_free);
	}
	bpf_core_read(&z->free_pages, sizeof(z->free_pages), &zone->vm_stat[NR_FREE_PAGES]);
	z->wmark_min = BPF_CORE_READ(zone, _watermark[WMARK_MIN]);
	z->wmark_low = BPF_CORE_READ(zone, _watermark[WMARK_LOW]);
	z->wmark_high = BPF_CORE_READ(zone, _watermark[WMARK_HIGH]);
	z->wmark_boost = BPF_CORE_READ(zone, watermark_boost);
	z->node = BPF_CORE_READ(zone, zone_pgdat, node_id);
}

static __always_inline int handle_reclaim_retry_zone(struct zoneref *zref, int order,
						     unsigned long reclaimable,
						     unsigned long available, int loops,
						     bool wmark_check)
{
	struct zone *zone = BPF_CORE_READ(zref, zone);
	__u32 idx = BPF_CORE_READ(zref, zone_idx);
	__u64 now = bpf_ktime_get_boot_ns();
	struct trail *t = traced_trail();

	if (!t)
		return 0;
	/* keep the preferred (highest) zone of the latest loop of this allocation */
	if (recent(t->zone_ts, now) && t->zone_order == order && idx < t->zone_idx)
		return 0;
	if (!recent(t->zone_ts, now) || t->zone_order != order)
		t->reclaim_loops = 0;
	t->reclaim_loops++;
	t->zone_ts = now;
	t->zone_order = order;
	t->zone_idx = idx;
	read_zone(zone, &t->zone);
	t->zone.reclaimable = reclaimable;
	t->zone.available = available;
	t->zone.no_progress_loops = loops;
	t->zone.flags = AF_ZONE_VALID | (wmark_check ? AF_ZONE_WMARK_CHECK : 0);
	return 0;
}

SEC("tp_btf/reclaim_retry_zone")
int BPF_PROG(retry_zone_btf, struct zoneref *z, int order, unsigned long reclaimable,
	     unsigned long available, unsigned long min_wmark, int loops, bool wmark_check)
{
	return handle_reclaim_retry_zone(z, order, reclaimable, available, loops, wmark_check);
}

SEC("raw_tp/reclaim_retry_zone")
int BPF_PROG(retry_zone_raw, struct zoneref *z, int order, unsigned long reclaimable,
	     unsigned long available, unsigned long min_wmark, int loops, bool wmark_check)
{
	return handle_reclaim_retry_zone(z, order, reclaimable, available, loops, wmark_check);
}

static __always_inline int handle_compact_retry(int order, int prio, int result, int retries)
{
	struct trail *t = traced_trail();

	if (!t)
		return 0;
	t->compact_ts = bpf_ktime_get_boot_ns();
	t->compact_order = order;
	t->compact_priority = prio;
	t->compact_result = result;
	t->compact_retries = retries;
	return 0;
}

SEC("tp_btf/compact_retry")
int BPF_PROG(compact_retry_btf, int order, int prio, int result, int retries)
{
	return handle_compact_retry(order, prio, result, retries);
}

SEC("raw_tp/compact_retry")
int BPF_PROG(compact_retry_raw, int order, int prio, int result, int retries)
{
	return handle_compact_retry(order, prio, result, retries);
}

static __always_inline int handle_direct_reclaim_end(unsigned long nr_reclaimed)
{
	struct trail *t = traced_trail();

	if (!t)
		return 0;
	t->direct_reclaim_ts = bpf_ktime_get_boot_ns();
	t->direct_nr_reclaimed += nr_reclaimed;
	return 0;
}

SEC("tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(direct_reclaim_btf, unsigned long nr_reclaimed)
{
	return handle_direct_reclaim_end(nr_reclaimed);
}

SEC("raw_tp/mm_vmscan_direct_reclaim_end")
int BPF_PROG(direct_reclaim_raw, unsigned long nr_reclaimed)
{
	return handle_direct_reclaim_end(nr_reclaimed);
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_end")
int direct_reclaim_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return handle_direct_reclaim_end(ctx->nr_reclaimed);
}
