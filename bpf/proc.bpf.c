// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Process tree following for `run` (and `-p` exit cleanup): a child of a traced process is
 * traced from its first instruction, before it can fail. In every session, an exiting thread's
 * chain is closed. Thin wrappers per hook kind.
 */
#include "common.bpf.h"

static __always_inline int handle_fork(__u32 parent_tgid, __u32 child_tgid)
{
	__u8 one = 1;
	long err;

	if (!follow_forks || parent_tgid == child_tgid)
		return 0;
	if (!bpf_map_lookup_elem(&traced, &parent_tgid))
		return 0;
	/* not inserted (the map full: E2BIG; a bucket busy: EBUSY): the child goes untraced;
	 * counted, user space warns */
	err = bpf_map_update_elem(&traced, &child_tgid, &one, BPF_NOEXIST);
	if (err && err != -EEXIST)
		stat_inc(AF_STAT_TRACED_FULL);
	return 0;
}

static __always_inline int handle_exit(void)
{
	struct task_struct *t = current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	/* a thread that died in a fault, or failed in a kernel thread, never reaches the syscall
	 * exit that closes its chain */
	chain_forget((__u32)id);
	/*
	 * Forget the tgid when its last thread exits, not its leader: a leader may leave first
	 * (pthread_exit) while workers go on failing. do_exit() has decremented signal->live
	 * before it fires sched_process_exit, so 0 means the group is dead.
	 */
	if (filter_pids && !BPF_CORE_READ(t, signal, live.counter))
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(BPF_CORE_READ(parent, tgid), BPF_CORE_READ(child, tgid));
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(BPF_CORE_READ(parent, tgid), BPF_CORE_READ(child, tgid));
}

SEC("tracepoint/sched/sched_process_fork")
int fork_tp(struct trace_event_raw_sched_process_fork *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	/* the classic format has the child's tid only: a thread shares the parent's tgid */
	if (BPF_CORE_READ(t, pid) != ctx->parent_pid)
		return 0;
	return handle_fork(BPF_CORE_READ(t, tgid), ctx->child_pid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf)
{
	return handle_exit();
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw)
{
	return handle_exit();
}

SEC("tracepoint/sched/sched_process_exit")
int exit_tp(void *ctx)
{
	return handle_exit();
}
