/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What every failure source shares: the configuration (rodata set by user space before load),
 * the maps, the in-kernel filters, the event header and stack capture, and the loss counters.
 * Maps and rodata are __weak so each .bpf.c can include this and the static linker merges them.
 */
#ifndef ALLOCFAIL_COMMON_BPF_H
#define ALLOCFAIL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "allocfail.h"

#define ENOMEM 12
#define E2BIG 7
#define EEXIST 17
#define MAX_CGROUP_DEPTH 32

/* Configuration, set between open and load. */
const volatile bool filter_pids __weak = false;	 /* only tgids in `traced` */
const volatile bool follow_forks __weak = false; /* children of traced tgids become traced */
const volatile bool filter_cgroup __weak = false;
const volatile __u64 filter_cgroup_id __weak = 0; /* kernfs id of the cgroup directory */
const volatile int filter_cgroup_ssid __weak = -1; /* v1 controller's subsys id, -1: v2 */
const volatile bool filter_comm __weak = false;
const volatile char filter_comm_str[AF_COMM_LEN] __weak = {};
const volatile bool capture_kstack __weak = true;
const volatile bool capture_ustack __weak = true; /* frame-pointer stack (bpf_get_stack) */
const volatile bool ustack_dwarf __weak = false;   /* append a struct af_utail to every record */
const volatile __u32 ustack_size __weak = AF_USTACK_SIZE_DEFAULT; /* its stack bytes, x8 */
const volatile __u32 self_tgid __weak = 0; /* never trace the tracer itself */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps") __weak;

/* tgid -> 1 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AF_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps") __weak;

/*
 * Per-thread chain: the failures of one syscall or fault, deepest first. last_id is the record
 * of its latest failure, or when that one was counted in a site, the site's latest record (an
 * earlier failure with the same key); last_site the latest failure's site (0: none). chain_id
 * is 0 until a record joins a chain that counts opened.
 */
struct chain {
	__u64 chain_id;
	__u64 last_id;
	__u32 last_site;
	__u16 last_type; /* enum af_event_type of its latest failure */
	__u16 depth;	 /* its failures so far */
};

#define CHAIN_MAX_DEPTH 6

/* How deep in an allocation a kernel-side failure type sits: the OOM kill inside a charge,
 * the charge inside a page allocation, the page inside a slab allocation. */
static __always_inline int chain_rank(__u16 type)
{
	switch (type) {
	case AF_EV_OOM_KILL:
		return 0;
	case AF_EV_MEMCG_CHARGE:
		return 1;
	case AF_EV_PAGE_ALLOC:
		return 2;
	default:
		return 3;
	}
}

/*
 * Does a kernel-side failure of type follow from the chain's latest one? Only one of a kind
 * above it: a failure of the same kind or a deeper one is a new allocation failing (a page fault
 * or a kernel thread has no syscall exit to close its chain, and a site keyed by its cause must
 * not beget a new site at every repeat). Slab after slab is one kmalloc traced twice (the large
 * kmalloc path and kmalloc itself, on recent kernels); a depth bound stops even that.
 */
static __always_inline bool chain_continues(const struct chain *c, __u16 type)
{
	if (c->depth >= CHAIN_MAX_DEPTH)
		return false;
	if (type == AF_EV_SLAB && c->last_type == AF_EV_SLAB)
		return true;
	return chain_rank(type) > chain_rank(c->last_type);
}

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct chain);
} chains SEC(".maps") __weak;

/* Per-thread slowpath trail: what reclaim and compaction did just before a failure. */
#define TRAIL_MAX_AGE_NS 2000000000ULL /* a slowpath's retries finish well within this */

struct trail {
	__u64 memcg_reclaim_ts; /* last mm_vmscan_memcg_reclaim_end */
	__u64 memcg_nr_reclaimed;
	__u64 memcg_id;
	__u64 direct_reclaim_ts; /* last mm_vmscan_direct_reclaim_end */
	__u64 direct_nr_reclaimed;
	__u64 zone_ts; /* last oom:reclaim_retry_zone */
	__s32 zone_order;
	__u32 zone_idx;
	__u32 reclaim_loops;
	__s32 compact_order; /* last oom:compact_retry */
	__u64 compact_ts;
	__s32 compact_result;
	__s32 compact_priority;
	__s32 compact_retries;
	__u32 __pad;
	struct af_zone zone;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* tid */
	__type(value, struct trail);
} trails SEC(".maps") __weak;

/* Event ids and the number of threads with an open chain (read on every syscall exit; an upper
 * bound: chain_forget()). */
__u64 next_event_id __weak = 0;
__u64 open_chains __weak = 0;

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline __u64 cgroup_kn_id(struct cgroup *cg)
{
	return BPF_CORE_READ(cg, kn, id);
}

/* The cgroup of task in the hierarchy of controller ssid, or the default hierarchy if ssid < 0. */
static __always_inline struct cgroup *task_cgroup(struct task_struct *t, int ssid)
{
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	struct cgroup_subsys_state *css;

	if (ssid < 0)
		return BPF_CORE_READ(cset, dfl_cgrp);
	css = BPF_CORE_READ(cset, subsys[ssid]);
	return BPF_CORE_READ(css, cgroup);
}

static __always_inline __u64 task_memcg_id(struct task_struct *t)
{
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	return cgroup_kn_id(task_cgroup(t, bpf_core_enum_value(enum cgroup_subsys_id,
							       memory_cgrp_id)));
}

/* css is the first member of struct mem_cgroup in every kernel supported (6.1 to 7.3 BTF) */
static __always_inline struct mem_cgroup *css_memcg(struct cgroup_subsys_state *css)
{
	return css ? (void *)css - bpf_core_field_offset(struct mem_cgroup, css) : NULL;
}

static __always_inline struct mem_cgroup *task_memcg(struct task_struct *t)
{
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return NULL;
	return css_memcg(BPF_CORE_READ(t, cgroups, subsys[bpf_core_enum_value(
						enum cgroup_subsys_id, memory_cgrp_id)]));
}

#define AF_PAGE_SHIFT 12 /* x86 */

/* Pages of a page_counter in bytes; PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE, what "max" and
 * v1's -1 set) and anything as large is no limit. */
static __always_inline __u64 counter_bytes(unsigned long pages)
{
	return pages >= (1UL << (62 - AF_PAGE_SHIFT)) ? AF_MEMCG_UNLIMITED
						      : (__u64)pages << AF_PAGE_SHIFT;
}

static __always_inline __u64 usage_bytes(long pages)
{
	return pages > 0 ? (__u64)pages << AF_PAGE_SHIFT : 0;
}

/* One limited counter of a level against the binding one so far: it binds when it has less
 * room; on a tie memsw beats memory (try_charge_memcg() charges memsw first, on every level,
 * then memory), else the lower level, seen first, keeps it. */
static __always_inline void snap_bind(struct af_memcg_snap *s, __s64 *best,
				      struct mem_cgroup *memcg, int level, __u64 usage,
				      __u64 limit, bool memsw)
{
	__s64 room = (__s64)limit - (__s64)usage;

	if (limit == AF_MEMCG_UNLIMITED)
		return;
	if (s->bind_id &&
	    (room > *best || (room == *best && (!memsw || (s->flags & AF_MS_BIND_MEMSW)))))
		return;
	*best = room;
	s->bind_id = (__u64)memcg; /* its kernfs id once the walk is done */
	s->bind_usage = usage;
	s->bind_limit = limit;
	s->bind_level = level;
	if (memsw)
		s->flags |= AF_MS_BIND_MEMSW;
	else
		s->flags &= ~AF_MS_BIND_MEMSW;
}

/*
 * memcg and its ancestors' `memory` page_counter, the one try_charge_memcg() charges level by
 * level (page_counter_try_charge()) and v1 limit_in_bytes / v2 memory.max set, and on v1 the
 * `memsw` one (memory+swap, memory.memsw.limit_in_bytes), charged before it: usage, max and
 * parent keep their names in the 6.1, 6.12, 6.18 and 7.3 BTF, only their offsets move, which
 * CO-RE relocates. `memsw` shares a union with `swap` in all four; it counts memory+swap only
 * on a v1 hierarchy (the default one, v2's, is hierarchy 0, "0::" in /proc/PID/cgroup), where
 * v2's `swap` is another limit altogether. Read racily, as the kernel's own reads are: a
 * snapshot, not a transaction.
 */
static __always_inline void memcg_snap_fill(struct af_memcg_snap *s, struct mem_cgroup *memcg)
{
	bool memsw = false;
	__s64 best = 0;

	__builtin_memset(s, 0, sizeof(*s));
	if (!memcg)
		return;
	s->flags = AF_MS_VALID;
	s->memcg_id = BPF_CORE_READ(memcg, css.cgroup, kn, id);
	if (bpf_core_field_exists(struct mem_cgroup, memsw) &&
	    BPF_CORE_READ(memcg, css.cgroup, root, hierarchy_id) != 0) {
		memsw = true;
		s->flags |= AF_MS_MEMSW;
	}
	for (int i = 0; i < AF_MEMCG_LEVELS; i++) {
		__u64 usage, limit;

		s->levels = i + 1;
		/* v1 refuses a memsw limit below the memory one, and without swap in use both
		 * usages match: most memsw limits tie with the memory limit of their level */
		if (memsw)
			snap_bind(s, &best, memcg, i,
				  usage_bytes(BPF_CORE_READ(memcg, memsw.usage.counter)),
				  counter_bytes(BPF_CORE_READ(memcg, memsw.max)), true);
		usage = usage_bytes(BPF_CORE_READ(memcg, memory.usage.counter));
		limit = counter_bytes(BPF_CORE_READ(memcg, memory.max));
		if (i == 0) {
			s->usage = usage;
			s->limit = limit;
		}
		snap_bind(s, &best, memcg, i, usage, limit, false);
		memcg = css_memcg(BPF_CORE_READ(memcg, css.parent));
		if (!memcg)
			break;
	}
	/* the root memcg takes no limit: stopping right below it misses nothing */
	if (memcg && BPF_CORE_READ(memcg, css.parent))
		s->flags |= AF_MS_TRUNCATED;
	memcg = (struct mem_cgroup *)s->bind_id; /* not in the macro: s is no kernel type */
	if (memcg)
		s->bind_id = BPF_CORE_READ(memcg, css.cgroup, kn, id);
}

static __always_inline bool cgroup_matches(struct task_struct *t)
{
	struct cgroup *cg = task_cgroup(t, filter_cgroup_ssid);

	for (int i = 0; i < MAX_CGROUP_DEPTH && cg; i++) {
		if (cgroup_kn_id(cg) == filter_cgroup_id)
			return true;
		/* a cgroup's own css is its first member: the parent css is the parent cgroup */
		cg = (struct cgroup *)BPF_CORE_READ(cg, self.parent);
	}
	return false;
}

static __always_inline bool comm_matches(void)
{
	char comm[AF_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < AF_COMM_LEN; i++) {
		if (comm[i] != filter_comm_str[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* The in-kernel filter: an untraced process costs one map lookup at most. */
static __always_inline bool task_is_traced(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	if (filter_pids && !bpf_map_lookup_elem(&traced, &tgid))
		return false;
	if (filter_comm && !comm_matches())
		return false;
	if (filter_cgroup && !cgroup_matches(current_task()))
		return false;
	return true;
}

/* Bytes the DWARF tail adds to every record: a constant to the verifier, as rodata is frozen. */
static __always_inline __u32 ustack_tail_size(void)
{
	return ustack_dwarf ? sizeof(struct af_utail) + ustack_size : 0;
}

#define USTACK_PAGE 4096

/*
 * The tail after a payload of payload_size bytes: the task's user registers (saved at kernel
 * entry: right for syscalls and faults; a kernel thread has none) and up to ustack_size bytes
 * of its stack from sp. Near the top of a stack fewer bytes exist: then the pages up to the
 * first unreadable one are copied.
 */
static __always_inline void ustack_tail_fill(struct af_header *h, __u32 payload_size)
{
	struct af_utail *t = (void *)h + payload_size;
	struct task_struct *task = current_task();
	struct pt_regs *regs;
	__u64 avail; /* 64-bit: a zero-extended copy would lose the verifier its bounds */
	__u64 sp;
	char b;

	if (!ustack_dwarf)
		return;
	h->flags |= AF_HF_UTAIL;
	__builtin_memset(t->regs, 0, sizeof(t->regs));
	t->flags = 0;
	t->cap = ustack_size;
	t->len = 0;
	t->__pad = 0;
	regs = (struct pt_regs *)bpf_task_pt_regs((struct task_struct *)bpf_get_current_task_btf());
	if (!regs || !BPF_CORE_READ(task, mm) || (BPF_CORE_READ(regs, cs) & 3) != 3)
		return;
	t->flags = AF_UT_REGS;
	t->regs[AF_UREG_AX] = BPF_CORE_READ(regs, ax);
	t->regs[AF_UREG_DX] = BPF_CORE_READ(regs, dx);
	t->regs[AF_UREG_CX] = BPF_CORE_READ(regs, cx);
	t->regs[AF_UREG_BX] = BPF_CORE_READ(regs, bx);
	t->regs[AF_UREG_SI] = BPF_CORE_READ(regs, si);
	t->regs[AF_UREG_DI] = BPF_CORE_READ(regs, di);
	t->regs[AF_UREG_BP] = BPF_CORE_READ(regs, bp);
	t->regs[AF_UREG_SP] = sp = BPF_CORE_READ(regs, sp);
	t->regs[AF_UREG_R8] = BPF_CORE_READ(regs, r8);
	t->regs[AF_UREG_R9] = BPF_CORE_READ(regs, r9);
	t->regs[AF_UREG_R10] = BPF_CORE_READ(regs, r10);
	t->regs[AF_UREG_R11] = BPF_CORE_READ(regs, r11);
	t->regs[AF_UREG_R12] = BPF_CORE_READ(regs, r12);
	t->regs[AF_UREG_R13] = BPF_CORE_READ(regs, r13);
	t->regs[AF_UREG_R14] = BPF_CORE_READ(regs, r14);
	t->regs[AF_UREG_R15] = BPF_CORE_READ(regs, r15);
	t->regs[AF_UREG_IP] = BPF_CORE_READ(regs, ip);
	if (!bpf_probe_read_user(t->stack, ustack_size, (void *)sp)) {
		t->len = ustack_size;
		return;
	}
	avail = USTACK_PAGE - (sp & (USTACK_PAGE - 1));
	for (int i = 0; i < AF_USTACK_SIZE_MAX / USTACK_PAGE; i++) {
		if (avail >= ustack_size || bpf_probe_read_user(&b, 1, (void *)(sp + avail)))
			break;
		avail += USTACK_PAGE;
	}
	if (avail > ustack_size)
		avail = ustack_size;
	if (!bpf_probe_read_user(t->stack, avail, (void *)sp))
		t->len = avail;
}

/* Reserve a record of `size` bytes (plus the DWARF tail, if any) for an event of `type`,
 * counting it as seen and, when the ring buffer is full, as lost. */
static __always_inline void *event_reserve(__u32 size, enum af_event_type type)
{
	void *rec;

	stat_inc(AF_STAT_SEEN_BASE + type);
	rec = bpf_ringbuf_reserve(&events, size + ustack_tail_size(), 0);
	if (!rec)
		stat_inc(AF_STAT_LOST_BASE + type);
	return rec;
}

/* Place record h (id and site set) in the thread's chain; close the chain at a syscall's exit. */
static __always_inline void chain_link(struct af_header *h, bool close)
{
	__u32 tid = h->tid;
	struct chain *c = bpf_map_lookup_elem(&chains, &tid);

	h->chain_id = 0;
	h->caused_by = 0;
	h->cause_site = 0;
	if (c && (close || chain_continues(c, h->type))) {
		h->chain_id = c->chain_id ? c->chain_id : h->id;
		h->caused_by = c->last_id;
		h->cause_site = c->last_site;
		c->chain_id = h->chain_id;
		c->last_id = h->id;
		c->last_site = h->site;
		c->last_type = h->type;
		c->depth++;
		if (close) {
			bpf_map_delete_elem(&chains, &tid);
			__sync_fetch_and_add(&open_chains, -1);
		}
	} else if (c) {
		/* a new allocation failing: the chain starts again from it */
		*c = (struct chain){ .chain_id = h->id, .last_id = h->id, .last_site = h->site,
				     .last_type = h->type, .depth = 1 };
		h->chain_id = h->id;
	} else if (!close) {
		struct chain n = { .chain_id = h->id, .last_id = h->id, .last_site = h->site,
				   .last_type = h->type, .depth = 1 };

		h->chain_id = h->id; /* the deepest event starts the chain */
		if (!bpf_map_update_elem(&chains, &tid, &n, BPF_NOEXIST))
			__sync_fetch_and_add(&open_chains, 1);
	}
}

/* A kernel-side failure of type was counted in site (whose latest record is record_id), not
 * sent: the thread's chain moves on to it, or starts from it (chain_continues()). */
static __always_inline void chain_count(__u32 tid, __u16 type, __u32 site, __u64 record_id)
{
	struct chain *c = bpf_map_lookup_elem(&chains, &tid);
	struct chain n = { .last_id = record_id, .last_site = site, .last_type = type, .depth = 1 };

	if (c && chain_continues(c, type)) {
		c->last_id = record_id;
		c->last_site = site;
		c->last_type = type;
		c->depth++;
	} else if (c) {
		*c = n;
	} else if (!bpf_map_update_elem(&chains, &tid, &n, BPF_NOEXIST)) {
		__sync_fetch_and_add(&open_chains, 1);
	}
}

/* A syscall ended without ENOMEM: whatever failed inside it was handled; forget the chain. */
static __always_inline void chain_drop(__u32 tid)
{
	if (bpf_map_delete_elem(&chains, &tid) == 0)
		__sync_fetch_and_add(&open_chains, -1);
}

/*
 * The thread's chain, if it has one, is over (a syscall exit without ENOMEM, the thread's exit).
 * open_chains is a hint, not an exact count: a chain the LRU evicts is never decremented, so it
 * may stay above zero for good. Then every call pays a lock-free lookup, not the bucket-locked
 * delete, which only a thread that has a chain does.
 */
static __always_inline void chain_forget(__u32 tid)
{
	if (open_chains && bpf_map_lookup_elem(&chains, &tid))
		chain_drop(tid);
}

static __always_inline struct trail *trail_get(__u32 tid)
{
	struct trail *t = bpf_map_lookup_elem(&trails, &tid);

	if (!t) {
		static const struct trail zero;

		bpf_map_update_elem(&trails, &tid, &zero, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&trails, &tid);
	}
	return t;
}

/* The current thread's trail, if its process is traced (created on first use). */
static __always_inline struct trail *traced_trail(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (!task_is_traced(id >> 32))
		return NULL;
	return trail_get((__u32)id);
}

static __always_inline bool recent(__u64 ts, __u64 now)
{
	return ts && now - ts < TRAIL_MAX_AGE_NS;
}

static __always_inline void event_fill_header(void *ctx, struct af_header *h, __u16 type,
					      __u32 size)
{
	__u64 id = bpf_get_current_pid_tgid();
	long n;

	h->type = type;
	h->version = AF_ABI_VERSION;
	h->size = size + ustack_tail_size();
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->flags = 0;
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->memcg_id = task_memcg_id(current_task());
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->id = __sync_fetch_and_add(&next_event_id, 1) + 1;
	h->chain_id = 0;
	h->caused_by = 0;
	h->kstack_len = 0;
	h->ustack_len = 0;
	h->site = 0;
	h->cause_site = 0;
	h->__pad = 0;
	memcg_snap_fill(&h->memcg, task_memcg(current_task()));
	if (capture_kstack) {
		n = bpf_get_stack(ctx, h->kstack, sizeof(h->kstack), 0);
		if (n >= 0)
			h->kstack_len = n / sizeof(__u64);
		else
			h->flags |= AF_HF_KSTACK_ERR;
	}
	if (capture_ustack) {
		n = bpf_get_stack(ctx, h->ustack, sizeof(h->ustack), BPF_F_USER_STACK);
		if (n >= 0)
			h->ustack_len = n / sizeof(__u64);
		else
			h->flags |= AF_HF_USTACK_ERR;
	}
	ustack_tail_fill(h, size);
}

#endif /* ALLOCFAIL_COMMON_BPF_H */
