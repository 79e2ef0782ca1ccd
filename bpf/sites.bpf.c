// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The slow path of in-kernel aggregation (sites.bpf.h): a key the CPU's memo did not have.
 * Its own object, so every source calls the one global function.
 */
#include "sites.bpf.h"

__noinline __u32 site_find(struct af_site_key *k, __u32 way)
{
	struct site_memo *m;
	struct af_site_val *v;
	__u32 *idp, id, created = 0;
	__u64 n, now;

	if (!k)
		return 0;
	idp = bpf_map_lookup_elem(&sites, k);
	if (idp) {
		id = *idp;
		goto memo;
	}
	n = __sync_fetch_and_add(&next_site_id, 1) + 1;
	id = n;
	v = n <= max_sites ? bpf_map_lookup_elem(&site_vals, &id) : NULL;
	if (!v)
		goto full;
	/* the id is this failure's alone until the key names it: set its fields first */
	now = bpf_ktime_get_boot_ns();
	v->first_ns = v->last_ns = now;
	v->next_detail_ns = detail_interval_ns == ~0ULL ? ~0ULL : now + detail_interval_ns;
	v->site = id;
	v->records = 0;
	v->last_id = 0;
	bpf_get_current_comm(v->comm, sizeof(v->comm));
	if (!bpf_map_update_elem(&sites, k, &id, BPF_NOEXIST)) {
		created = SITE_CREATED;
		goto memo;
	}
	/* another CPU created it meanwhile (this id is left unused), or the hash is full */
	idp = bpf_map_lookup_elem(&sites, k);
	if (!idp)
		goto full;
	id = *idp;
memo:
	m = way < SITE_MEMO_WAYS ? bpf_map_lookup_elem(&site_memo, &way) : NULL;
	if (m && id) {
		m->key = *k;
		m->site = id;
	}
	return id | created;
full:
	site_stat_inc(AF_SSTAT_FULL);
	return 0;
}
