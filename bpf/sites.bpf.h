/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * In-kernel aggregation (bpf/allocfail.h, struct af_site_key): a failure whose site was seen
 * before costs a short user-stack walk, a compare against the CPU's memo of recent keys, and two
 * per-CPU adds instead of a full record (the source builds the key: syscall.bpf.c). Records go out
 * for a site's first failure and then at most once per detail interval. The maps are
 * preallocated (a plain hash: an LRU would evict counts silently); when they are full a failure
 * goes out as a record of its own, counted in site_stats.
 */
#ifndef ALLOCFAIL_SITES_BPF_H
#define ALLOCFAIL_SITES_BPF_H

#include "common.bpf.h"

const volatile bool aggregate __weak = true;
/* one record per site per interval after the first; ~0: the first only */
const volatile __u64 detail_interval_ns __weak = 1000000000ULL;
/* site ids run from 1 to this (--max-sites, site_vals holds one more entry) */
const volatile __u32 max_sites __weak = AF_MAX_SITES_DEFAULT;
/* vm.max_map_count, refreshed by user space at every flush (a sysctl can change) */
__u32 site_max_map_count __weak = 65530;
__u64 next_site_id __weak = 0;
/*
 * CLOCK_BOOTTIME as user space last set it (session__poll, at least every 100 ms). A repeat of a
 * known site reads this instead of the clock: bpf_ktime_get_boot_ns() costs about 100 ns in a VM,
 * a third of the aggregated path. Only the detail rate and a site's last-seen time use it.
 */
__u64 site_clock_ns __weak = 0;

/* key -> site id; the site's counters are site_vals[id]. Sites are never deleted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AF_MAX_SITES_DEFAULT); /* --max-sites, set before load */
	__type(key, struct af_site_key);
	__type(value, __u32);
} sites SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, AF_MAX_SITES_DEFAULT + 1); /* --max-sites + 1: id 0 is no site */
	__type(key, __u32);
	__type(value, struct af_site_val);
} site_vals SEC(".maps") __weak;

/* Each site's count and bytes, per CPU: a repeat adds without a locked instruction. The kernel
 * never runs a program twice at once on a CPU (it skips and counts the second run), so only
 * another program can come between the load and the store: one interrupting, or on a kernel
 * that runs sys_exit preemptibly one running while a task is preempted inside it. Its failure
 * has another key (another type, or a kernel stack of its own), so another site.
 * session__flush_sites() sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AF_MAX_SITES_DEFAULT + 1);
	__type(key, __u32);
	__type(value, struct af_site_count);
} site_counts SEC(".maps") __weak;

/*
 * The CPU's latest keys and their site ids, a direct-mapped cache in front of `sites`: the hash
 * lookup of a 64-byte key cost about 100 ns here, over half of a storm's aggregated path, and a
 * storm repeats one key. Ids never change meaning (sites are never deleted), so an entry never
 * goes stale. busy: a program on this CPU is using the entry and was interrupted by another (an
 * allocation failing in an interrupt); the inner one goes to the hash instead, so neither sees
 * half an entry. One map entry per way, looked up by its index: an index into one value would
 * be a variable offset, which the verifier tracks back through the key's hash (sys_exit took
 * nine times the states).
 */
#define SITE_MEMO_WAYS 4

struct site_memo {
	__u32 busy;
	__u32 site; /* 0: empty */
	struct af_site_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SITE_MEMO_WAYS);
	__type(key, __u32);
	__type(value, struct site_memo);
} site_memo SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AF_SSTAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} site_stats SEC(".maps") __weak;

/* Locked: any source counts here, and (sys_exit running preemptibly) another program can come
 * between a plain load and store on this CPU. Only the full map and lost detail pay for it. */
static __always_inline void site_stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&site_stats, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void site_count(__u32 id, __u64 bytes)
{
	struct af_site_count *c = bpf_map_lookup_elem(&site_counts, &id);

	if (c) {
		c->count++;
		c->bytes += bytes;
	}
}

static __always_inline bool site_key_equal(const struct af_site_key *a,
					   const struct af_site_key *b)
{
	const __u64 *x = (const void *)a, *y = (const void *)b;
	__u64 d = 0;

	for (int i = 0; i < sizeof(*a) / sizeof(__u64); i++)
		d |= x[i] ^ y[i];
	return !d;
}

#define SITE_CREATED (1U << 31) /* site_find(): the site is new, this failure its first */

/*
 * The site id of key k (0 when the maps are full), or'ed with SITE_CREATED if this failure
 * created it, and entered in the CPU's memo at `way` (SITE_MEMO_WAYS: not at all): a memo miss.
 * A global function (sites.bpf.c), so the verifier checks it once instead of on every path of
 * every caller: inlined, it took sys_exit's verification from 0.3 to 2 s.
 */
__u32 site_find(struct af_site_key *k, __u32 way);

/*
 * Account one failure of site k asking for `bytes`. Returns the site's value, with *site set:
 * *counted when the failure was counted in it, else a record must go out for it (the site's
 * first failure, or its interval passed). NULL with *site 0 when not aggregated (the maps are
 * full, or --no-aggregate): a record of its own.
 */
static __always_inline struct af_site_val *site_account(struct af_site_key *k, __u64 bytes,
							 __u32 *site, bool *counted)
{
	struct site_memo *m;
	struct af_site_val *v;
	bool created = false;
	__u32 id = 0, w;
	__u64 now;

	*site = 0;
	*counted = false;
	if (!aggregate)
		return NULL;
	w = (k->ustack_hash ^ k->kstack_hash ^ k->nr ^ k->type) & (SITE_MEMO_WAYS - 1);
	m = bpf_map_lookup_elem(&site_memo, &w);
	if (m && !m->busy) {
		m->busy = 1;
		if (m->site && site_key_equal(&m->key, k))
			id = m->site;
		else
			id = site_find(k, w);
		m->busy = 0;
	} else {
		id = site_find(k, SITE_MEMO_WAYS);
	}
	created = id & SITE_CREATED;
	id &= ~SITE_CREATED;
	v = id ? bpf_map_lookup_elem(&site_vals, &id) : NULL;
	if (!v)
		return NULL;
	*site = id;
	if (created)
		return v;
	now = site_clock_ns;
	/* the user-set clock lags the site's first failure by up to its period */
	if (now > v->last_ns)
		v->last_ns = now;
	/* a race lets two CPUs both send a record: harmless, each record counts once */
	if (now > v->next_detail_ns) {
		v->next_detail_ns =
			detail_interval_ns == ~0ULL ? ~0ULL : now + detail_interval_ns;
		return v;
	}
	site_count(id, bytes);
	*counted = true;
	return v;
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
		site_count(v->site, bytes);
		v->next_detail_ns = 0;
		site_stat_inc(AF_SSTAT_DETAIL_LOST);
	}
	return rec;
}

/* After bpf_ringbuf_submit() of record id: user space waits for a record it knows was sent, and
 * a later failure counted in the site of a chain names this record as its cause. */
static __always_inline void site_submitted(struct af_site_val *v, __u64 id)
{
	if (v) {
		v->last_id = id;
		__sync_fetch_and_add(&v->records, 1);
	}
}

#define SITE_FP_FRAMES 16
#define SITE_STACK_SPAN (8ULL << 20) /* a default thread stack */

/*
 * The key's user stack: the return addresses of a frame-pointer walk that follows only frame
 * pointers above sp within a stack's span, so it never faults (bpf_get_stack's walk takes a
 * fault at its end, or at once when the program keeps no frame pointers: microseconds each).
 */
static __always_inline void site_key_ustack_regs(struct pt_regs *ur, struct af_site_key *k)
{
	__u64 sp = ur->sp, fp = ur->bp, ip = ur->ip;
	__u64 h = 0xcbf29ce484222325ULL, frame[2];
	__u32 n = 1;

	h = (h ^ ip) * 0x100000001b3ULL;
	for (int i = 0; i < SITE_FP_FRAMES; i++) {
		if (fp < sp || fp - sp > SITE_STACK_SPAN || (fp & 7))
			break;
		if (bpf_probe_read_user(frame, sizeof(frame), (void *)fp))
			break;
		h = (h ^ frame[1]) * 0x100000001b3ULL;
		h ^= h >> 32;
		n++;
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	k->ustack_len = n;
	k->ustack_hash = h;
}

/* --- kernel-side failures (page_alloc, slab, memcg_charge) --- */

/*
 * A kernel-side key's identity: a hash of up to 32 return addresses of the kernel stack (the
 * tracer's frames, the allocator's, then its caller's), taken into a per-CPU buffer, but for a
 * tracepoint's __traceiter_ frame, there only while another tracer shares the tracepoint. Not
 * bpf_get_stackid(): its stack map would hold a copy of every stack for nothing, and a full
 * map answers -EEXIST, one more way to fail. Only failures pay for this walk.
 */
#define SITE_KSTACK_FRAMES 32
#define SITE_KSTACK_SKIP 4 /* ranges */
#define SITE_KSTACK_TRACER 6 /* the innermost frames, where the tracer's own can be */

/* [start, end) of the tracepoints' __traceiter_ functions (user space: session.c). Read-only,
 * so the verifier knows them: as variables, the page_alloc program took over 1M states. */
const volatile __u64 site_kstack_skip[SITE_KSTACK_SKIP][2] __weak = {};

struct site_kstack {
	__u64 ip[SITE_KSTACK_FRAMES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct site_kstack);
} site_kstack_buf SEC(".maps") __weak;

static __always_inline __u64 site_kstack_hash(void *ctx)
{
	__u64 h = 0xcbf29ce484222325ULL;
	struct site_kstack *b;
	__u32 zero = 0;
	long n;

	b = bpf_map_lookup_elem(&site_kstack_buf, &zero);
	if (!b)
		return 0;
	n = bpf_get_stack(ctx, b->ip, sizeof(b->ip), 0);
	if (n <= 0)
		return 0;
	n /= sizeof(__u64);
	for (int i = 0; i < SITE_KSTACK_FRAMES && i < n; i++) {
		__u64 ip = b->ip[i];
		bool skip = false;

		for (int r = 0; i < SITE_KSTACK_TRACER && r < SITE_KSTACK_SKIP; r++)
			skip |= ip >= site_kstack_skip[r][0] && ip < site_kstack_skip[r][1];
		if (!skip)
			h = (h ^ ip) * 0x100000001b3ULL;
	}
	return h;
}

/*
 * Fill the identity of a kernel-side key (type and its own fields set by the caller, and its
 * kstack_hash if the caller has it: the stack walk is most of the cost) and account the
 * failure. The site of the chain's latest failure is part of the key, if this one follows it
 * (chain_continues()). Returns the site (NULL: not aggregated, a record of its own); *counted:
 * counted in it, and the thread's chain moved on to it; else its record is due.
 */
static __always_inline struct af_site_val *site_account_kernel(void *ctx, struct af_site_key *k,
								__u64 bytes, bool *counted)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, site;
	struct task_struct *tb;
	struct af_site_val *v;
	struct chain *c;
	struct pt_regs *ur;

	*counted = false;
	if (!aggregate)
		return NULL;
	c = open_chains ? bpf_map_lookup_elem(&chains, &tid) : NULL;
	if (c && !chain_continues(c, k->type))
		c = NULL; /* a new allocation failing: nothing below it */
	/* below it, a failure that went out without a site (the map was full): so does this one */
	if (c && !c->last_site)
		return NULL;
	k->cause_site = c ? c->last_site : 0;
	k->__pad = 0;
	k->tgid = id >> 32;
	if (!k->kstack_hash)
		k->kstack_hash = site_kstack_hash(ctx);
	k->ustack_len = 0;
	k->ustack_hash = 0;
	tb = bpf_get_current_task_btf();
	if (capture_ustack && tb->mm) {
		ur = (struct pt_regs *)bpf_task_pt_regs(tb);
		if (ur && (ur->cs & 3) == 3)
			site_key_ustack_regs(ur, k);
	}
	v = site_account(k, bytes, &site, counted);
	if (v && *counted)
		chain_count(tid, k->type, site, v->last_id);
	return v;
}

/* site_reserve() for a kernel-side record: a record that finds the ring buffer full is counted
 * in its site, and the chain moves on to the site as for any counted failure. */
static __always_inline void *site_reserve_kernel(struct af_site_val *v, __u32 size,
						 enum af_event_type type, __u64 bytes)
{
	void *rec = site_reserve(v, size, type, bytes);

	if (!rec && v)
		chain_count((__u32)bpf_get_current_pid_tgid(), type, v->site, v->last_id);
	return rec;
}

#endif
