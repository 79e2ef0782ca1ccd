// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Syscall failures: any syscall returning -ENOMEM, and a brk that did not reach the requested
 * break (the kernel returns the old break without an errno; glibc then reports ENOMEM).
 * One handler, one thin wrapper per hook kind; user space autoloads exactly one wrapper.
 */
#include "common.bpf.h"

#define TS_COMPAT 0x0002	     /* arch/x86/include/asm/thread_info.h */
#define X32_SYSCALL_BIT 0x40000000 /* arch/x86/include/uapi/asm/unistd.h */
#define NR_BRK_64 12
#define NR_BRK_IA32 45
#define RLIMIT_DATA 2
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define CAP_IPC_LOCK 14
#define CAP_SYS_ADMIN 21
#define PIDNS_ADDING (1U << 31)

char LICENSE[] SEC("license") = "GPL";

/* commit f122a08b197d ("capability: just use a u64 instead of a u32[2] array"), 6.3 */
struct kernel_cap_struct___old {
	__u32 cap[2];
} __attribute__((preserve_access_index));

struct cred___old {
	struct kernel_cap_struct___old cap_effective;
} __attribute__((preserve_access_index));

static __always_inline __u64 cred_cap_effective(const struct cred *cred)
{
	struct cred___old *old = (void *)cred;
	__u32 lo, hi;

	if (bpf_core_field_exists(cred->cap_effective.val))
		return BPF_CORE_READ(cred, cap_effective.val);
	lo = BPF_CORE_READ(old, cap_effective.cap[0]);
	hi = BPF_CORE_READ(old, cap_effective.cap[1]);
	return ((__u64)hi << 32) | lo;
}

static __always_inline void read_mm_evidence(struct task_struct *t, struct af_mm_evidence *e)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct pid_namespace *pidns = BPF_CORE_READ(t, nsproxy, pid_ns_for_children);
	struct rlimit *rlim = BPF_CORE_READ(t, signal, rlim);
	__u64 caps = cred_cap_effective(cred);

	__builtin_memset(e, 0, sizeof(*e));
	if (mm) {
		e->flags |= AF_MM_PRESENT;
		e->total_vm = BPF_CORE_READ(mm, total_vm);
		e->data_vm = BPF_CORE_READ(mm, data_vm);
		e->locked_vm = BPF_CORE_READ(mm, locked_vm);
		/* atomic64_t since 5.x, unsigned long before: 8 bytes either way */
		bpf_core_read(&e->pinned_vm, sizeof(e->pinned_vm), &mm->pinned_vm);
		e->stack_vm = BPF_CORE_READ(mm, stack_vm);
		e->start_brk = BPF_CORE_READ(mm, start_brk);
		e->brk = BPF_CORE_READ(mm, brk);
		e->start_data = BPF_CORE_READ(mm, start_data);
		e->end_data = BPF_CORE_READ(mm, end_data);
		e->mmap_base = BPF_CORE_READ(mm, mmap_base);
		e->task_size = BPF_CORE_READ(mm, task_size);
		e->map_count = BPF_CORE_READ(mm, map_count);
	}
	bpf_probe_read_kernel(&e->rlim_as_cur, sizeof(__u64), &rlim[RLIMIT_AS].rlim_cur);
	bpf_probe_read_kernel(&e->rlim_as_max, sizeof(__u64), &rlim[RLIMIT_AS].rlim_max);
	bpf_probe_read_kernel(&e->rlim_data_cur, sizeof(__u64), &rlim[RLIMIT_DATA].rlim_cur);
	bpf_probe_read_kernel(&e->rlim_data_max, sizeof(__u64), &rlim[RLIMIT_DATA].rlim_max);
	bpf_probe_read_kernel(&e->rlim_memlock_cur, sizeof(__u64), &rlim[RLIMIT_MEMLOCK].rlim_cur);
	bpf_probe_read_kernel(&e->rlim_memlock_max, sizeof(__u64), &rlim[RLIMIT_MEMLOCK].rlim_max);
	if (caps & (1ULL << CAP_IPC_LOCK))
		e->flags |= AF_MM_CAP_IPC_LOCK;
	if (caps & (1ULL << CAP_SYS_ADMIN))
		e->flags |= AF_MM_CAP_SYS_ADMIN;
	if (BPF_CORE_READ(cred, user_ns, level) == 0)
		e->flags |= AF_MM_INIT_USER_NS;
	if (pidns) {
		e->pidns_level = BPF_CORE_READ(pidns, level);
		e->pid_allocated = BPF_CORE_READ(pidns, pid_allocated);
		if (!(e->pid_allocated & PIDNS_ADDING))
			e->flags |= AF_MM_PIDNS_DEAD;
	}
}

static __always_inline void read_args(struct pt_regs *regs, bool ia32, __u64 *a)
{
	if (ia32) {
		a[0] = BPF_CORE_READ(regs, bx);
		a[1] = BPF_CORE_READ(regs, cx);
		a[2] = BPF_CORE_READ(regs, dx);
		a[3] = BPF_CORE_READ(regs, si);
		a[4] = BPF_CORE_READ(regs, di);
		a[5] = BPF_CORE_READ(regs, bp);
	} else {
		a[0] = BPF_CORE_READ(regs, di);
		a[1] = BPF_CORE_READ(regs, si);
		a[2] = BPF_CORE_READ(regs, dx);
		a[3] = BPF_CORE_READ(regs, r10);
		a[4] = BPF_CORE_READ(regs, r8);
		a[5] = BPF_CORE_READ(regs, r9);
	}
}

static __always_inline int handle_sys_exit(void *ctx, struct pt_regs *regs, long ret)
{
	struct task_struct *t;
	struct af_syscall *e;
	__u32 flags = 0, tgid;
	__u64 requested = 0;
	bool ia32;
	long nr;

	/* Hot path: every syscall of the machine passes here; most leave at these tests. */
	if (ret != -ENOMEM && open_chains)
		chain_drop(bpf_get_current_pid_tgid());
	if (ret != -ENOMEM && ret <= 0)
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	t = current_task();
	ia32 = BPF_CORE_READ(t, thread_info.status) & TS_COMPAT;
	if (ret != -ENOMEM) {
		/* glibc's __brk: failure is a returned break below the requested one */
		if (nr != (ia32 ? NR_BRK_IA32 : NR_BRK_64) && nr != (NR_BRK_64 | X32_SYSCALL_BIT))
			return 0;
		requested = ia32 ? (__u32)BPF_CORE_READ(regs, bx) : BPF_CORE_READ(regs, di);
		if (!requested || (__u64)ret >= requested)
			return 0;
		flags |= AF_SC_BRK_SILENT;
	}
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!task_is_traced(tgid))
		return 0;

	e = event_reserve(sizeof(*e), AF_EV_SYSCALL);
	if (!e)
		return 0;
	event_fill_header(ctx, &e->h, AF_EV_SYSCALL, sizeof(*e));
	if (ia32)
		flags |= AF_SC_IA32;
	else if (nr & X32_SYSCALL_BIT)
		flags |= AF_SC_X32;
	e->nr = nr & ~(long)X32_SYSCALL_BIT;
	e->ret = ret;
	e->flags = flags;
	e->__pad = 0;
	read_args(regs, ia32, e->args);
	read_mm_evidence(t, &e->mm);
	chain_link(&e->h, true);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(ctx, regs, ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(ctx, regs, ret);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(
		(struct task_struct *)bpf_get_current_task_btf());

	return handle_sys_exit(ctx, regs, ctx->ret);
}
