// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The slow path of in-kernel aggregation (sites.bpf.h): a key the CPU's memo did not have.
 * Its own object, so every source calls the one global function.
 */
#include "sites.bpf.h"

/*
 * Where site_find() keeps its copy of the key: 6.1's verifier takes a map key from the stack or
 * a map value, not from a global function's pointer argument, and the callers' stacks leave no
 * room for a second copy. One slot per nesting level on the CPU (a program interrupted by
 * another that fails too), so a nested call never writes the key an outer one is using.
 */
#define SITE_NEST_MAX 4

struct site_nest {
	__u32 depth;
	__u32 __pad;
	struct af_site_key key[SITE_NEST_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct site_nest);
} site_nest SEC(".maps");

/* site_find() with the key k in a map value */
static __always_inline __u32 site_find_key(struct af_site_key *k, __u32 way)
{
	struct site_memo *m;
	struct af_site_val *v;
	__u32 *idp, id, created = 0;
	__u64 n, now;

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

__noinline __u32 site_find(struct af_site_key *k, __u32 way)
{
	struct site_nest *nest;
	__u32 zero = 0, d, id;

	nest = bpf_map_lookup_elem(&site_nest, &zero);
	if (!k || !nest)
		return 0;
	d = nest->depth;
	/* deeper than any interrupt nesting: a record of its own, as when not aggregated */
	if (d >= SITE_NEST_MAX)
		return 0;
	nest->depth = d + 1;
	nest->key[d] = *k;
	id = site_find_key(&nest->key[d], way);
	nest->depth = d;
	return id;
}
