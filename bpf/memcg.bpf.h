/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Memory-cgroup charge failures where fexit is refused: inferred from the thread's memcg reclaim
 * trail followed by a failure the charge explains (a NULL page with __GFP_ACCOUNT, a syscall
 * ENOMEM). Shared by the sources that see those failures.
 */
#ifndef ALLOCFAIL_MEMCG_BPF_H
#define ALLOCFAIL_MEMCG_BPF_H

#include "sites.bpf.h"

const volatile bool memcg_infer __weak = false; /* set when fexit on the charge is not used */

/* kstack_hash: the failure's (site_kstack_hash()), 0 to have it taken */
static __always_inline void memcg_emit_inferred(void *ctx, __u32 gfp, __u64 nr_pages,
						__u64 kstack_hash)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct trail *t = bpf_map_lookup_elem(&trails, &tid);
	struct af_site_key k = {};
	struct af_memcg_charge *e;
	struct af_site_val *v;
	__u64 memcg_id, nr_reclaimed, id;
	bool counted;

	if (!memcg_infer || !t || !recent(t->memcg_reclaim_ts, bpf_ktime_get_boot_ns()))
		return;
	memcg_id = t->memcg_id;
	nr_reclaimed = t->memcg_nr_reclaimed;
	/* one verdict per trail: later failures of this syscall follow from it */
	t->memcg_reclaim_ts = 0;
	k.type = AF_EV_MEMCG_CHARGE;
	k.flags = AF_MEMCG_INFERRED;
	k.arg_class = gfp;
	k.object = memcg_id;
	k.kstack_hash = kstack_hash;
	v = site_account_kernel(ctx, &k, nr_pages * 4096, &counted);
	if (counted)
		return;
	e = site_reserve_kernel(v, sizeof(*e), AF_EV_MEMCG_CHARGE, nr_pages * 4096);
	if (!e)
		return;
	event_fill_header(ctx, &e->h, AF_EV_MEMCG_CHARGE, sizeof(*e));
	e->h.site = v ? v->site : 0;
	e->memcg_id = memcg_id;
	e->nr_pages = nr_pages;
	e->nr_reclaimed = nr_reclaimed;
	e->ret = -ENOMEM;
	e->gfp = gfp;
	e->flags = AF_MEMCG_INFERRED;
	chain_link(&e->h, false);
	id = e->h.id;
	bpf_ringbuf_submit(e, 0);
	site_submitted(v, id);
}

#endif
