/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * In-kernel aggregation (bpf/allocfail.h, struct af_site_key): a failure whose site was seen
 * before costs a short user-stack walk, a hash, one map lookup and two atomic adds instead of a
 * full record (the source builds the key: syscall.bpf.c). Records go out for a site's first
 * failure and then at most once per detail interval. The map is preallocated (a plain hash: an
 * LRU would evict counts silently); when it is full a failure goes out as a record of its own,
 * counted in site_stats.
 */
#ifndef ALLOCFAIL_SITES_BPF_H
#define ALLOCFAIL_SITES_BPF_H

#include "common.bpf.h"

const volatile bool aggregate __weak = true;
/* one record per site per interval after the first; ~0: the first only */
const volatile __u64 detail_interval_ns __weak = 1000000000ULL;
/* vm.max_map_count, refreshed by user space at every flush (a sysctl can change) */
__u32 site_max_map_count __weak = 65530;
__u64 next_site_id __weak = 0;
/*
 * CLOCK_BOOTTIME as user space last set it (session__poll, at least every 100 ms). A repeat of a
 * known site reads this instead of the clock: bpf_ktime_get_boot_ns() costs about 100 ns in a VM,
 * a third of the aggregated path. Only the detail rate and a site's last-seen time use it.
 */
__u64 site_clock_ns __weak = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AF_MAX_SITES_DEFAULT); /* --max-sites, set before load */
	__type(key, struct af_site_key);
	__type(value, struct af_site_val);
} sites SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AF_SSTAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} site_stats SEC(".maps") __weak;

static __always_inline void site_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&site_stats, &idx);

	if (v)
		(*v)++;
}

/*
 * Account one failure of site k asking for `bytes`. Returns the site's value when a record must
 * go out for it (the site's first failure, or its interval passed), with *site set; NULL with
 * *site 0 when the failure was counted in the site (*counted) or the map is full (a record of
 * its own, not aggregated).
 */
static __always_inline struct af_site_val *site_account(struct af_site_key *k, __u64 bytes,
							 __u32 *site, bool *counted)
{
	struct af_site_val *v;
	__u64 now;
	long err;

	*site = 0;
	*counted = false;
	if (!aggregate)
		return NULL;
	v = bpf_map_lookup_elem(&sites, k);
	if (!v) {
		struct af_site_val nv = {};

		now = bpf_ktime_get_boot_ns();
		nv.site = __sync_fetch_and_add(&next_site_id, 1) + 1;
		nv.first_ns = nv.last_ns = now;
		nv.next_detail_ns = detail_interval_ns == ~0ULL ? ~0ULL : now + detail_interval_ns;
		bpf_get_current_comm(nv.comm, sizeof(nv.comm));
		err = bpf_map_update_elem(&sites, k, &nv, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&sites, k);
		if (!v) {
			site_stat_inc(AF_SSTAT_FULL);
			return NULL;
		}
		if (!err) {
			*site = v->site;
			return v;
		}
		/* another CPU created it meanwhile: this failure is a repeat */
	}
	now = site_clock_ns;
	/* the user-set clock lags the site's first failure by up to its period */
	if (now > v->last_ns)
		v->last_ns = now;
	/* a race lets two CPUs both send a record: harmless, each record counts once */
	if (now > v->next_detail_ns) {
		v->next_detail_ns =
			detail_interval_ns == ~0ULL ? ~0ULL : now + detail_interval_ns;
		*site = v->site;
		return v;
	}
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->bytes, bytes);
	*counted = true;
	return NULL;
}

/*
 * Reserve a site's record. When the ring buffer is full the failure is not lost: it joins the
 * site's count, and the site's next failure tries again to send a record.
 */
static __always_inline void *site_reserve(struct af_site_val *v, __u32 size,
					  enum af_event_type type, __u64 bytes)
{
	void *rec;

	if (!v)
		return event_reserve(size, type);
	stat_inc(AF_STAT_SEEN_BASE + type);
	rec = bpf_ringbuf_reserve(&events, size + ustack_tail_size(), 0);
	if (!rec) {
		__sync_fetch_and_add(&v->count, 1);
		__sync_fetch_and_add(&v->bytes, bytes);
		v->next_detail_ns = 0;
		site_stat_inc(AF_SSTAT_DETAIL_LOST);
	}
	return rec;
}

/* After bpf_ringbuf_submit(): user space waits for a record it knows was sent. */
static __always_inline void site_submitted(struct af_site_val *v)
{
	if (v)
		__sync_fetch_and_add(&v->records, 1);
}

#endif
