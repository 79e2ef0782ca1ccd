/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ABI between the BPF programs and user space: every ring-buffer record starts with
 * struct af_header, then one fixed-size payload per failure source. Fixed-size types only, no
 * vmlinux.h, so user space can include it as is. Bump AF_ABI_VERSION on any layout change.
 */
#ifndef ALLOCFAIL_H
#define ALLOCFAIL_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define AF_ABI_VERSION 6
#define AF_COMM_LEN 16
#define AF_MAX_STACK 64 /* frames per stack */
#define AF_NR_SCARGS 6
/* Bytes of user stack copied for DWARF unwinding (--ustack-size): default and bounds. */
#define AF_USTACK_SIZE_DEFAULT 16384
#define AF_USTACK_SIZE_MIN 512
#define AF_USTACK_SIZE_MAX 65536

enum af_event_type {
	AF_EV_SYSCALL = 1,
	AF_EV_PAGE_ALLOC = 2,
	AF_EV_SLAB = 3,
	AF_EV_OOM_KILL = 4,
	AF_EV_MEMCG_CHARGE = 5,
	AF_EV_MALLOC = 6,
	AF_EV_TYPE_MAX,
};

/* af_header.flags */
enum af_header_flags {
	AF_HF_KSTACK_ERR = 1 << 0, /* bpf_get_stack failed for the kernel stack */
	AF_HF_USTACK_ERR = 1 << 1, /* ... for the user stack (kernel thread, or fault) */
	AF_HF_UTAIL = 1 << 2,	   /* a struct af_utail follows the payload (--ustack=dwarf) */
};

#define AF_MEMCG_LEVELS 8 /* memory cgroups read per record: the memcg and 7 ancestors */
#define AF_MEMCG_UNLIMITED (~0ULL)

/* af_memcg_snap.flags */
enum af_memcg_snap_flags {
	AF_MS_VALID = 1 << 0,	  /* a memcg was read (the memory controller is enabled) */
	AF_MS_TRUNCATED = 1 << 1,  /* AF_MEMCG_LEVELS levels read, ancestors below the root left */
	AF_MS_MEMSW = 1 << 2,	   /* v1: the memsw (memory+swap) counters were read too */
	AF_MS_BIND_MEMSW = 1 << 3, /* the binding limit is memsw's (memory.memsw.limit_in_bytes) */
};

/*
 * A memory cgroup and its ancestors as they were when the record was built: each level's
 * page_counter `memory` (usage, and max: v1 memory.limit_in_bytes and v2 memory.max alike) and
 * on v1 its `memsw` (memory+swap, memory.memsw.limit_in_bytes) where that is limited. usage
 * and limit are the memcg's `memory`. The memcg is the task's, or for memcg_charge / oom_kill
 * records the one the kernel named. The binding limit is the one with the least headroom
 * (limit - usage) among the limited counters read; on a tie memsw before memory
 * (try_charge_memcg() charges memsw first, on every level), else the lowest level: the limit a
 * charge runs into. Bytes; 0 ids: none.
 */
struct af_memcg_snap {
	__u64 memcg_id;	  /* kernfs id of the memcg read */
	__u64 usage;
	__u64 limit;	  /* AF_MEMCG_UNLIMITED: none */
	__u64 bind_id;	  /* kernfs id of the binding level; 0: no level has a limit */
	__u64 bind_usage; /* of the binding counter: memsw's with AF_MS_BIND_MEMSW */
	__u64 bind_limit;
	__u16 bind_level; /* 0: memcg_id itself, 1: its parent, ... */
	__u16 levels;	  /* levels read */
	__u32 flags;	  /* enum af_memcg_snap_flags */
};

struct af_header {
	__u16 type;	 /* enum af_event_type */
	__u16 version;	 /* AF_ABI_VERSION */
	__u32 size;	 /* whole record, header included */
	__u64 ts_ns;	 /* CLOCK_BOOTTIME */
	__u32 pid;	 /* tgid */
	__u32 tid;
	__u32 uid;
	__u32 flags;	 /* enum af_header_flags */
	__u64 cgroup_id; /* default (v2) hierarchy */
	__u64 memcg_id;	 /* memory controller's cgroup (v1 or v2), kernfs id; 0 if none */
	char comm[AF_COMM_LEN];
	__u64 id;	 /* unique per session, in submission order */
	__u64 chain_id;	 /* events of one thread within one syscall or fault share it; 0: none */
	__u64 caused_by; /* id of the deeper event of the same chain this one follows; 0: none */
	__u16 kstack_len; /* frames used in kstack[] */
	__u16 ustack_len;
	__u32 site;	  /* its site in the `sites` map (struct af_site_key); 0: not aggregated */
	__u32 cause_site; /* the site of the deeper failure of its chain (its key's cause_site) */
	__u32 __pad;
	struct af_memcg_snap memcg; /* at the failure (not filled on the aggregated path) */
	__u64 kstack[AF_MAX_STACK]; /* innermost first */
	__u64 ustack[AF_MAX_STACK];
};

/* The x86_64 DWARF register numbers (psABI), the order of af_utail.regs[]. */
enum af_ureg {
	AF_UREG_AX, AF_UREG_DX, AF_UREG_CX, AF_UREG_BX, AF_UREG_SI, AF_UREG_DI, AF_UREG_BP,
	AF_UREG_SP, AF_UREG_R8, AF_UREG_R9, AF_UREG_R10, AF_UREG_R11, AF_UREG_R12, AF_UREG_R13,
	AF_UREG_R14, AF_UREG_R15, AF_UREG_IP,
	AF_NR_UREGS,
};

/* af_utail.flags */
enum af_utail_flags {
	AF_UT_REGS = 1 << 0, /* regs[] hold the task's user-mode registers (none: kernel thread) */
};

/*
 * With --ustack=dwarf every record has this tail after its payload (AF_HF_UTAIL; the header's
 * size covers it): the user registers at the failure and the top of the user stack, cap bytes
 * of room of which len were copied from sp upwards. User space unwinds it with the modules'
 * CFI and keeps only the frames: these bytes may hold anything the program had on its stack,
 * so they never reach an output or a record file.
 */
struct af_utail {
	__u64 regs[AF_NR_UREGS]; /* enum af_ureg */
	__u32 flags;		 /* enum af_utail_flags */
	__u32 cap;		 /* bytes of room in stack[]: the session's --ustack-size */
	__u32 len;		 /* bytes copied from regs[AF_UREG_SP]; the rest is not initialized */
	__u32 __pad;
	__u8 stack[];
};

/*
 * What only the kernel knows at the moment of failure, read from current at sys_exit, so the
 * cause rules can decide without racing against the process (see user/explain/cause.c).
 */
enum af_mm_flags {
	AF_MM_PRESENT = 1 << 0,	     /* the task had an mm (not a kernel thread) */
	AF_MM_CAP_IPC_LOCK = 1 << 1, /* effective capabilities, in the task's user namespace */
	AF_MM_CAP_SYS_ADMIN = 1 << 2,
	AF_MM_INIT_USER_NS = 1 << 3, /* the task's user namespace is the initial one */
	AF_MM_PIDNS_DEAD = 1 << 4,   /* pid_ns_for_children stopped accepting pids (init exited) */
};

struct af_mm_evidence {
	__u64 total_vm; /* pages */
	__u64 data_vm;
	__u64 locked_vm;
	__u64 pinned_vm;
	__u64 stack_vm;
	__u64 start_brk; /* addresses */
	__u64 brk;
	__u64 start_data;
	__u64 end_data;
	__u64 mmap_base;
	__u64 task_size;
	__u64 rlim_as_cur; /* bytes; RLIM_INFINITY is ~0 */
	__u64 rlim_as_max;
	__u64 rlim_data_cur;
	__u64 rlim_data_max;
	__u64 rlim_memlock_cur;
	__u64 rlim_memlock_max;
	__u32 map_count;
	__u32 flags; /* enum af_mm_flags */
	__u32 pidns_level;
	__u32 pid_allocated; /* of pid_ns_for_children, PIDNS_ADDING bit included */
};

/* af_syscall.flags */
enum af_syscall_flags {
	AF_SC_IA32 = 1 << 0,	 /* a 32-bit compat syscall: nr is from the ia32 table */
	AF_SC_X32 = 1 << 1,	 /* x32 ABI: __X32_SYSCALL_BIT was set in nr */
	AF_SC_BRK_SILENT = 1 << 2, /* brk returned the old break: failure without errno */
};

struct af_syscall {
	struct af_header h;
	__s64 nr; /* __X32_SYSCALL_BIT already removed */
	__s64 ret;
	__u64 args[AF_NR_SCARGS];
	__u32 flags; /* enum af_syscall_flags */
	__u32 __pad;
	__u64 req_bytes; /* what the call asked for (mmap's length, brk's growth...); 0: unsized */
	struct af_mm_evidence mm;
};

#define AF_NR_ORDERS 11 /* MAX_PAGE_ORDER + 1 on x86 (MAX_ORDER in 6.1) */
#define AF_ZONE_NAME_LEN 16

/* af_zone.flags */
enum af_zone_flags {
	AF_ZONE_VALID = 1 << 0,	     /* read from the zone during this allocation's slowpath */
	AF_ZONE_WMARK_CHECK = 1 << 1, /* reclaim_retry_zone's verdict: the watermark would pass */
};

/* A zone as the failing allocation's slowpath saw it (oom:reclaim_retry_zone). */
struct af_zone {
	char name[AF_ZONE_NAME_LEN];
	__u64 free_blocks[AF_NR_ORDERS]; /* free_area[order].nr_free (per-CPU lists excluded) */
	__u64 free_pages;		 /* vm_stat[NR_FREE_PAGES] */
	__u64 wmark_min, wmark_low, wmark_high, wmark_boost;
	__u64 reclaimable; /* pages, as should_reclaim_retry() estimated */
	__u64 available;
	__s32 no_progress_loops;
	__s32 node;
	__u32 flags; /* enum af_zone_flags */
	__u32 __pad;
};

/* af_page_alloc.flags */
enum af_page_alloc_flags {
	AF_PA_RECLAIM_SEEN = 1 << 0, /* direct reclaim ran in this allocation */
	AF_PA_COMPACT_SEEN = 1 << 1, /* oom:compact_retry fired in this allocation */
	AF_PA_MEMCG_TRAIL = 1 << 2,  /* memcg reclaim ran in this thread's current syscall/fault */
};

struct af_page_alloc {
	struct af_header h;
	__u32 order;
	__u32 gfp;
	__s32 migratetype;
	__s32 node; /* NUMA node the thread ran on */
	__u32 flags; /* enum af_page_alloc_flags */
	__s32 compact_result;	/* enum compact_result of the last compact_retry */
	__s32 compact_priority;
	__s32 compact_retries;
	__u64 nr_reclaimed; /* by direct reclaim in this allocation */
	__u32 reclaim_loops; /* reclaim_retry_zone events seen */
	__u32 __pad;
	struct af_zone zone;
};

enum af_slab_flags {
	AF_SLAB_KMALLOC = 1 << 0,    /* kmem:kmalloc (else kmem:kmem_cache_alloc) */
	AF_SLAB_ACCOUNTED = 1 << 1,
};

struct af_slab {
	struct af_header h;
	__u64 call_site;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u32 gfp;
	__s32 node;
	__u32 flags; /* enum af_slab_flags */
	__u32 __pad;
	char cache[32]; /* kmem_cache name, "" for kmalloc */
};

enum af_oom_constraint {
	AF_OOM_UNKNOWN = 0, /* tracepoint path: decided in user space from the trigger's stack */
	AF_OOM_NONE,	    /* global; the kernel's CONSTRAINT_NONE */
	AF_OOM_CPUSET,
	AF_OOM_MEMORY_POLICY,
	AF_OOM_MEMCG,
};

enum af_oom_flags {
	AF_OOM_FROM_FENTRY = 1 << 0,  /* oom_kill_process(): oom_control fields are exact */
	AF_OOM_VICTIM_TASK = 1 << 1,  /* victim fields read from its task_struct / tracepoint */
	AF_OOM_SYSRQ = 1 << 2,	      /* order -1: a manual OOM (sysrq-f) */
};

/* The header's identity is the trigger (the task running the OOM killer). */
struct af_oom_kill {
	struct af_header h;
	__u32 victim_pid;
	__u32 victim_uid;
	char victim_comm[AF_COMM_LEN];
	__u64 victim_total_vm_kb;
	__u64 victim_anon_rss_kb;
	__u64 victim_file_rss_kb;
	__u64 victim_shmem_rss_kb;
	__u64 victim_pgtables_kb;
	__u64 victim_memcg_id;
	__u64 oc_memcg_id; /* the memcg over its limit (fentry path), 0: global or unknown */
	__u64 totalpages;
	__u64 chosen_points;
	__s32 victim_oom_score_adj;
	__u32 constraint; /* enum af_oom_constraint */
	__s32 order;
	__u32 gfp;
	__u32 flags; /* enum af_oom_flags */
	__u32 __pad;
};

enum af_memcg_flags {
	AF_MEMCG_INFERRED = 1 << 0, /* tracepoint path: memcg reclaim trail + a failure after it */
};

struct af_memcg_charge {
	struct af_header h;
	__u64 memcg_id;
	__u64 nr_pages;
	__u64 nr_reclaimed; /* by memcg reclaim in this thread before the failure */
	__s64 ret;
	__u32 gfp;
	__u32 flags; /* enum af_memcg_flags */
};

/* Hook kinds, in order of preference; user space picks one per source at run time. */
enum af_hook_kind {
	AF_HOOK_NONE = 0,
	AF_HOOK_FENTRY,
	AF_HOOK_KPROBE,
	AF_HOOK_TP_BTF,
	AF_HOOK_RAW_TP,
	AF_HOOK_TRACEPOINT,
};

/* Index of the per-CPU counters in the `stats` map. */
enum af_stat {
	AF_STAT_LOST_BASE = 0, /* + type: ring buffer full, record dropped */
	/* + type: records attempted (the failures counted in a site are in `sites` instead) */
	AF_STAT_SEEN_BASE = AF_EV_TYPE_MAX,
	/* processes a traced parent forked that the full `traced` map could not hold: untraced */
	AF_STAT_TRACED_FULL = 2 * AF_EV_TYPE_MAX,
	AF_STAT_MAX,
};

_Static_assert(AF_STAT_TRACED_FULL == AF_STAT_SEEN_BASE + AF_EV_TYPE_MAX &&
		       AF_STAT_MAX == AF_STAT_TRACED_FULL + 1, "af_stat indexes");
_Static_assert(sizeof(struct af_memcg_snap) == 6 * 8 + 8, "af_memcg_snap layout");
_Static_assert(sizeof(struct af_header) ==
		       104 + sizeof(struct af_memcg_snap) + 2 * 8 * AF_MAX_STACK,
	       "af_header layout changed: bump AF_ABI_VERSION");
_Static_assert(sizeof(struct af_utail) == 8 * AF_NR_UREGS + 16 && AF_NR_UREGS == 17,
	       "af_utail layout changed: bump AF_ABI_VERSION");
_Static_assert(AF_USTACK_SIZE_MIN % 8 == 0 && AF_USTACK_SIZE_MAX % 8 == 0, "8-byte words");
_Static_assert(sizeof(struct af_mm_evidence) == 17 * 8 + 4 * 4, "af_mm_evidence layout");
_Static_assert(sizeof(struct af_syscall) ==
		       sizeof(struct af_header) + 16 + 8 * AF_NR_SCARGS + 16 +
			       sizeof(struct af_mm_evidence),
	       "af_syscall layout");

_Static_assert(sizeof(struct af_zone) == 16 + 8 * AF_NR_ORDERS + 8 * 7 + 16, "af_zone layout");
_Static_assert(sizeof(struct af_page_alloc) == sizeof(struct af_header) + 48 +
						      sizeof(struct af_zone),
	       "af_page_alloc layout");
_Static_assert(sizeof(struct af_slab) == sizeof(struct af_header) + 72, "af_slab layout");
_Static_assert(sizeof(struct af_oom_kill) == sizeof(struct af_header) + 8 + 16 + 9 * 8 + 24,
	       "af_oom_kill layout");
_Static_assert(sizeof(struct af_memcg_charge) == sizeof(struct af_header) + 40,
	       "af_memcg_charge layout");

/*
 * In-kernel aggregation (bpf/sites.bpf.h): a failure whose site is already known adds to the
 * site's counters (the `sites` hash maps a key to its id, `site_vals` an id to its counters)
 * instead of sending a record. Records go out for the first occurrence of a site and then at
 * most once per --detail-rate interval; their header's `site` is the id. User space reads the
 * maps every second and at the end (after detach):
 * count and bytes only grow, so the failures of a site are its records plus its count, exactly.
 * Kernel-side failures (page_alloc, slab, memcg_charge) have sites too. A failure inside a chain
 * has its key's cause_site set to the site of the chain's failure below it, so a count always
 * says what caused it (docs/events.md, "Storms").
 */
#define AF_MAX_SITES_DEFAULT 16384

/* af_site_key.evidence: what the cause rules decide on, as the kernel saw it at the failure */
enum af_site_evidence {
	AF_SE_NO_MM = 1 << 0,	     /* no mm (kernel thread) */
	AF_SE_OVER_AS = 1 << 1,	     /* total_vm + request > RLIMIT_AS */
	AF_SE_OVER_DATA = 1 << 2,    /* data_vm + request > RLIMIT_DATA */
	AF_SE_OVER_MEMLOCK = 1 << 3, /* locked_vm + request > RLIMIT_MEMLOCK */
	AF_SE_MAP_COUNT = 1 << 4,    /* map_count within 3 of vm.max_map_count */
	AF_SE_PIDNS_DEAD = 1 << 5,
	AF_SE_CAP_IPC_LOCK = 1 << 6,
};

/*
 * What each field holds, by type:
 *   syscall:      flags af_syscall.flags, nr its number, arg_class the flag arguments the rules
 *                 read (mmap: prot << 32 | flags), evidence enum af_site_evidence
 *   page_alloc:   flags the migratetype, nr the order, arg_class gfp, evidence the
 *                 af_page_alloc.flags of the slowpath trail
 *   slab:         flags af_slab.flags, nr bytes_alloc (the size class), arg_class gfp, object
 *                 call_site
 *   memcg_charge: flags af_memcg_charge.flags, arg_class gfp, object the memcg's id
 */
struct af_site_key {
	__u16 type;	 /* enum af_event_type */
	__u16 flags;
	__u32 tgid;
	__s64 nr;
	__u64 arg_class;
	__u32 evidence;
	__u32 ustack_len;
	__u64 ustack_hash; /* of the frame-pointer user stack; 0 without one */
	__u64 kstack_hash; /* kernel-side types: of the kernel stack's return addresses */
	__u64 object;
	__u32 cause_site; /* the site of the failure below it in its chain; 0: none */
	__u32 __pad;
};

/* site_counts[id], per CPU */
struct af_site_count {
	__u64 count; /* failures counted here, not sent as records */
	__u64 bytes; /* what they asked for */
};

struct af_site_val {
	__u64 count;	      /* the CPUs' af_site_count summed by user space; BPF leaves it 0 */
	__u64 bytes;	      /* likewise */
	__u64 first_ns;	      /* CLOCK_BOOTTIME of the site's first failure */
	__u64 last_ns;	      /* ... of its latest */
	__u64 next_detail_ns; /* a record goes out for the first failure after this */
	__u32 site;	      /* session-unique, from 1: af_header.site of its records */
	__u32 records;	      /* records submitted (a record lost is counted in count) */
	char comm[AF_COMM_LEN];
	__u64 last_id;	      /* af_header.id of its latest record; 0: none sent yet */
};

/* Index of the per-CPU counters in the `site_stats` map. */
enum af_site_stat {
	AF_SSTAT_FULL = 0,	  /* the sites map was full: sent as a record, not aggregated */
	AF_SSTAT_DETAIL_LOST = 1, /* a site's record found the ring buffer full: counted in the site */
	AF_SSTAT_MAX,
};

_Static_assert(sizeof(struct af_site_key) == 64, "af_site_key layout");
_Static_assert(sizeof(struct af_site_val) == 72, "af_site_val layout");
_Static_assert(sizeof(struct af_site_count) == 16, "af_site_count layout");

#endif /* ALLOCFAIL_H */
