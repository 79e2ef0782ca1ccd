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

#define AF_ABI_VERSION 1
#define AF_COMM_LEN 16
#define AF_MAX_STACK 64 /* frames per stack */
#define AF_NR_SCARGS 6

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
	__u16 kstack_len; /* frames used in kstack[] */
	__u16 ustack_len;
	__u32 __pad;
	__u64 kstack[AF_MAX_STACK]; /* innermost first */
	__u64 ustack[AF_MAX_STACK];
};

/*
 * What only the kernel knows at the moment of failure, read from current at sys_exit, so the
 * cause rules can decide without racing against the process (see user/cause.c).
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
	struct af_mm_evidence mm;
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
	AF_STAT_SEEN_BASE = AF_EV_TYPE_MAX, /* + type: failures matched by the filters */
	AF_STAT_MAX = 2 * AF_EV_TYPE_MAX,
};

_Static_assert(sizeof(struct af_header) == 72 + 2 * 8 * AF_MAX_STACK,
	       "af_header layout changed: bump AF_ABI_VERSION");
_Static_assert(sizeof(struct af_mm_evidence) == 17 * 8 + 4 * 4, "af_mm_evidence layout");
_Static_assert(sizeof(struct af_syscall) ==
		       sizeof(struct af_header) + 16 + 8 * AF_NR_SCARGS + 8 +
			       sizeof(struct af_mm_evidence),
	       "af_syscall layout");

#endif /* ALLOCFAIL_H */
