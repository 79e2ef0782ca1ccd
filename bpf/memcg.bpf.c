// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Memory-cgroup charge failures. Best: fexit on the kernel's charge function returning -ENOMEM.
 * Else: record the thread's memcg reclaim (the trail memcg.bpf.h infers from).
 */
#include "memcg.bpf.h"

/* 7.x reorders and extends the vmscan memcg tracepoints ((gfp, order, memcg) for _begin,
 * (nr_reclaimed, memcg) for _end; read from Debian's 7.3 source, commit not pinned down here).
 * nr_reclaimed stays the first argument of _end, all this reads: one wrapper serves both. */
static __always_inline int handle_memcg_reclaim_end(unsigned long nr_reclaimed)
{
	struct trail *t;

	if (!memcg_infer)
		return 0;
	t = traced_trail();
	if (!t)
		return 0;
	t->memcg_reclaim_ts = bpf_ktime_get_boot_ns();
	t->memcg_nr_reclaimed += nr_reclaimed;
	t->memcg_id = task_memcg_id(current_task());
	return 0;
}

SEC("tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_btf, unsigned long nr_reclaimed)
{
	return handle_memcg_reclaim_end(nr_reclaimed);
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(memcg_reclaim_raw, unsigned long nr_reclaimed)
{
	return handle_memcg_reclaim_end(nr_reclaimed);
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int memcg_reclaim_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return handle_memcg_reclaim_end(ctx->nr_reclaimed);
}

static __always_inline int handle_charge_exit(void *ctx, struct mem_cgroup *memcg, __u32 gfp,
					      unsigned int nr_pages, long ret)
{
	struct af_site_key k;
	struct af_memcg_charge *e;
	struct af_site_val *v;
	bool counted;
	__u64 id;

	if (ret != -ENOMEM || !task_is_traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	/* zeroed only now: every charge of the machine passes the test above */
	__builtin_memset(&k, 0, sizeof(k));
	k.type = AF_EV_MEMCG_CHARGE;
	k.arg_class = gfp;
	k.object = BPF_CORE_READ(memcg, css.cgroup, kn, id);
	v = site_account_kernel(ctx, &k, (__u64)nr_pages * 4096, &counted);
	if (counted)
		return 0;
	e = site_reserve_kernel(v, sizeof(*e), AF_EV_MEMCG_CHARGE, (__u64)nr_pages * 4096);
	if (!e)
		return 0;
	event_fill_header(ctx, &e->h, AF_EV_MEMCG_CHARGE, sizeof(*e));
	e->h.site = v ? v->site : 0;
	e->memcg_id = k.object;
	/* the memcg the kernel charged, not the task's (a remote charge names another) */
	memcg_snap_fill(&e->h.memcg, memcg);
	e->nr_pages = nr_pages;
	e->nr_reclaimed = 0;
	e->ret = ret;
	e->gfp = gfp;
	e->flags = 0;
	chain_link(&e->h, false);
	id = e->h.id;
	bpf_ringbuf_submit(e, 0);
	site_submitted(v, id);
	return 0;
}

/* try_charge_memcg(memcg, gfp, nr_pages) in 6.1, 6.12 and 7.3 alike (Debian sources). */
SEC("fexit/try_charge_memcg")
int BPF_PROG(charge_fexit, struct mem_cgroup *memcg, gfp_t gfp, unsigned int nr_pages, int ret)
{
	return handle_charge_exit(ctx, memcg, gfp, nr_pages, ret);
}
