// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Syscall failures: any syscall returning -ENOMEM, and a brk that did not reach the requested
 * break (the kernel returns the old break without an errno; glibc then reports ENOMEM).
 * One handler, one thin wrapper per hook kind; user space autoloads exactly one wrapper.
 */
#include "sites.bpf.h"
#include "syscalls.h"

#define TS_COMPAT 0x0002	     /* arch/x86/include/asm/thread_info.h */
#define RLIMIT_DATA 2
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define CAP_IPC_LOCK 14
#define CAP_SYS_ADMIN 21
#define PIDNS_ADDING (1U << 31)

char LICENSE[] SEC("license") = "GPL";

/* The default huge page size (Hugepagesize), which a MAP_HUGETLB / SHM_HUGETLB request without
 * a size is rounded up to; set by user space, 0: unknown (no rounding, as the rules do then). */
const volatile __u64 huge_page_bytes = 0;

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

/* Argument i of the syscall; ur: the task's saved user registers, a BTF pointer: direct loads.
 * One at a time, as the key needs two or three: an array of six cost the program 48 bytes of
 * its 512-byte stack, which site_find()'s frame shares on 6.1. */
static __always_inline __u64 scarg(struct pt_regs *ur, bool ia32, int i)
{
	switch (i) {
	case 0: return ia32 ? ur->bx : ur->di;
	case 1: return ia32 ? ur->cx : ur->si;
	case 2: return ur->dx;
	case 3: return ia32 ? ur->si : ur->r10;
	case 4: return ia32 ? ur->di : ur->r8;
	default: return ia32 ? ur->bp : ur->r9;
	}
}

static __always_inline void read_args(struct pt_regs *ur, bool ia32, __u64 *a)
{
	for (int i = 0; i < AF_NR_SCARGS; i++)
		a[i] = scarg(ur, ia32, i);
}

/* The arguments whose flags the cause rules branch on (user/explain/cause_sc_decode.c). */
static __always_inline __u64 arg_class(long nr, bool ia32, struct pt_regs *ur)
{
	switch (af_sc_nr64(nr, ia32)) {
	case AF_NR64_MMAP:		/* mmap, mmap2: prot, flags (MAP_HUGETLB, MAP_FIXED...) */
		return scarg(ur, ia32, 2) << 32 | (__u32)scarg(ur, ia32, 3);
	case AF_NR64_MREMAP:		/* MREMAP_MAYMOVE, _FIXED */
		return scarg(ur, ia32, 3);
	case AF_NR64_MLOCK2:
	case AF_NR64_MPROTECT:		/* mprotect, pkey_mprotect: prot */
	case AF_NR64_PKEY_MPROTECT:
	case AF_NR64_MADVISE:		/* advice */
		return scarg(ur, ia32, 2);
	case AF_NR64_SHMGET:		/* SHM_HUGETLB and friends, not the mode */
		return scarg(ur, ia32, 2) & ~0777ULL;
	case AF_NR64_MLOCKALL:
	case AF_NR64_CLONE:
		return scarg(ur, ia32, 0);
	default:
		return 0;
	}
}

/* The evidence bits of the site key: the limits this request runs into, as the rules test.
 * Direct loads through the BTF task pointer: a probe read each would cost more than the rest
 * of the aggregated path together. */
static __always_inline __u32 site_evidence(struct task_struct *t, __u64 req)
{
	struct mm_struct *mm = t->mm;
	struct rlimit *rlim = t->signal->rlim;
	struct cred___old *old = (void *)t->cred;
	__u64 caps;
	__u32 ev = 0;

	if (!mm)
		ev |= AF_SE_NO_MM;
	else {
		if (mm->total_vm * 4096 + req > rlim[RLIMIT_AS].rlim_cur)
			ev |= AF_SE_OVER_AS;
		if (mm->data_vm * 4096 + req > rlim[RLIMIT_DATA].rlim_cur)
			ev |= AF_SE_OVER_DATA;
		if (mm->locked_vm * 4096 + req > rlim[RLIMIT_MEMLOCK].rlim_cur)
			ev |= AF_SE_OVER_MEMLOCK;
		if (mm->map_count + 3 > site_max_map_count)
			ev |= AF_SE_MAP_COUNT;
	}
	if (bpf_core_field_exists(t->cred->cap_effective.val))
		caps = t->cred->cap_effective.val;
	else
		caps = old->cap_effective.cap[0];
	if (caps & (1ULL << CAP_IPC_LOCK))
		ev |= AF_SE_CAP_IPC_LOCK;
	if (t->nsproxy && !(t->nsproxy->pid_ns_for_children->pid_allocated & PIDNS_ADDING))
		ev |= AF_SE_PIDNS_DEAD;
	return ev;
}

/* ur: the task's user registers as a BTF pointer (direct loads): tp_btf's own argument, else
 * bpf_task_pt_regs(). */
static __always_inline int handle_sys_exit(void *ctx, struct pt_regs *ur, long ret)
{
	struct af_site_val *site_v = NULL;
	struct chain *c = NULL;
	struct task_struct *t, *tb;
	struct af_site_key k;
	struct af_syscall *e;
	__u32 flags = 0, tgid, tid, site = 0;
	__u64 requested = 0, bytes = 0, id;
	bool ia32, counted;
	long nr;

	/* Hot path: every syscall of the machine passes here; most leave at these tests. */
	if (ret != -ENOMEM)
		chain_forget(bpf_get_current_pid_tgid());
	if (ret != -ENOMEM && ret <= 0)
		return 0;
	nr = ur->orig_ax;
	/* glibc's __brk: failure is a returned break below the requested one */
	if (ret != -ENOMEM && nr != AF_NR32_BRK && nr != AF_NR64_BRK &&
	    nr != (AF_NR64_BRK | AF_X32_SYSCALL_BIT))
		return 0;
	tb = bpf_get_current_task_btf();
	t = (struct task_struct *)tb;
	ia32 = tb->thread_info.status & TS_COMPAT;
	if (ret != -ENOMEM) {
		if (nr != (ia32 ? AF_NR32_BRK : AF_NR64_BRK) &&
		    nr != (AF_NR64_BRK | AF_X32_SYSCALL_BIT))
			return 0;
		requested = ia32 ? (__u32)ur->bx : ur->di;
		if (!requested || (__u64)ret >= requested)
			return 0;
		flags |= AF_SC_BRK_SILENT;
	}
	/* the ids by direct loads, not helper calls: under the Safe RET mitigation (AMD,
	 * spec_rstack_overflow) every return is dear, and two calls were a tenth of this path */
	tgid = tb->tgid;
	tid = tb->pid;
	if (!task_is_traced(tgid))
		return 0;
	if (ia32)
		flags |= AF_SC_IA32;
	else if (nr & AF_X32_SYSCALL_BIT)
		flags |= AF_SC_X32;
	nr &= ~(long)AF_X32_SYSCALL_BIT;
	/* the record's req_bytes and the site's bytes: the cause rules' request_bytes */
	bytes = af_sc_request_bytes(nr, ia32, scarg(ur, ia32, 0), scarg(ur, ia32, 1),
				    scarg(ur, ia32, 2), scarg(ur, ia32, 3),
				    tb->mm ? tb->mm->brk : 0, huge_page_bytes);

	/* A failure in a chain (a kernel-side failure opened one) is keyed by the site of the
	 * failure below it too, so its count names its cause; a chain whose deeper failure went
	 * out without a site (the map was full) is not aggregated. */
	if (open_chains)
		c = bpf_map_lookup_elem(&chains, &tid);
	if (aggregate && !(c && !c->last_site)) {
		k.type = AF_EV_SYSCALL;
		k.flags = flags;
		k.tgid = tgid;
		k.nr = nr;
		k.arg_class = arg_class(nr, ia32, ur);
		k.evidence = site_evidence(tb, bytes);
		k.ustack_len = 0;
		k.ustack_hash = 0;
		k.kstack_hash = 0;
		k.object = 0;
		k.cause_site = c ? c->last_site : 0;
		k.__pad = 0;
		if (capture_ustack)
			site_key_ustack_regs(ur, &k);
		site_v = site_account(&k, bytes, &site, &counted);
		if (counted) {
			if (c)
				chain_drop(tid);
			return 0;
		}
	}

	e = site_reserve(site_v, sizeof(*e), AF_EV_SYSCALL, bytes);
	if (!e) {
		if (c)
			chain_drop(tid);
		return 0;
	}
	event_fill_header(ctx, &e->h, AF_EV_SYSCALL, sizeof(*e));
	e->h.site = site;
	e->nr = nr;
	e->ret = ret;
	e->flags = flags;
	e->__pad = 0;
	e->req_bytes = bytes;
	read_args(ur, ia32, e->args);
	read_mm_evidence(t, &e->mm);
	chain_link(&e->h, true);
	id = e->h.id;
	bpf_ringbuf_submit(e, 0);
	site_submitted(site_v, id);
	return 0;
}

static __always_inline struct pt_regs *current_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(ctx, regs, ret);
}

/* raw_tp's arguments are plain numbers to the verifier: take the registers from the task */
SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(ctx, current_user_regs(), ret);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return handle_sys_exit(ctx, current_user_regs(), ctx->ret);
}
