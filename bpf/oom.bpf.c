// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * OOM kills. Best: fentry on oom_kill_process(), where struct oom_control says exactly why
 * (constraint, the memcg over its limit, totalpages, points). Else oom:mark_victim, whose
 * signature changed; the trigger is current in both (whoever ran out_of_memory()).
 */
#include "common.bpf.h"

#define PAGE_KB 4 /* x86: PAGE_SIZE / 1024 */
#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SHMEMPAGES 3

/* mark_victim was TP_PROTO(int pid) up to 6.8; TP_PROTO(struct task_struct *, uid_t) from 6.9,
 * also in 6.1.130+ stable (kernel-failure-paths.md). The new classic format gained total_vm. */
struct trace_event_raw_mark_victim___new {
	unsigned long total_vm;
} __attribute__((preserve_access_index));

/* commit f1a7941243c1 ("mm: convert mm's rss stats into percpu_counter"), 6.2 */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/*
 * An mm counter as get_mm_counter() reads it: the percpu_counter's central value (6.2+), or the
 * atomic before. The index must be a constant: CO-RE relocates a constant array index with the
 * running kernel's element size, a variable one only with this build's. Only a field of
 * mm_struct is asked for: a type the kernel's BTF lacks (mm_rss_stat, 6.2+) sends libbpf to the
 * modules' BTF, which it cannot list without CAP_SYS_ADMIN, and the load fails.
 */
#define mm_counter(mm, member)                                                                  \
	({                                                                                      \
		struct mm_struct___old *old = (void *)(mm);                                     \
		long v;                                                                         \
                                                                                                \
		if (bpf_core_field_exists(old->rss_stat.count))                                 \
			v = BPF_CORE_READ(old, rss_stat.count[member].counter);                 \
		else                                                                            \
			v = BPF_CORE_READ(mm, rss_stat[member].count);                          \
		(__u64)(v > 0 ? v : 0);                                                         \
	})

static __always_inline void fill_victim(struct af_oom_kill *e, struct task_struct *v)
{
	struct mm_struct *mm = BPF_CORE_READ(v, mm);

	e->victim_pid = BPF_CORE_READ(v, tgid);
	e->victim_uid = BPF_CORE_READ(v, cred, uid.val);
	bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm), &v->comm);
	e->victim_oom_score_adj = BPF_CORE_READ(v, signal, oom_score_adj);
	e->victim_memcg_id = task_memcg_id(v);
	if (mm) {
		e->victim_total_vm_kb = BPF_CORE_READ(mm, total_vm) * PAGE_KB;
		e->victim_anon_rss_kb = mm_counter(mm, MM_ANONPAGES) * PAGE_KB;
		e->victim_file_rss_kb = mm_counter(mm, MM_FILEPAGES) * PAGE_KB;
		e->victim_shmem_rss_kb = mm_counter(mm, MM_SHMEMPAGES) * PAGE_KB;
		e->victim_pgtables_kb = (__u64)BPF_CORE_READ(mm, pgtables_bytes.counter) / 1024;
	}
	e->flags |= AF_OOM_VICTIM_TASK;
}

static __always_inline struct af_oom_kill *oom_reserve(void *ctx)
{
	struct af_oom_kill *e;

	/* the trigger may be outside the filter while the victim is inside, or the reverse:
	 * an OOM kill is reported whenever either side is traced */
	e = event_reserve(sizeof(*e), AF_EV_OOM_KILL);
	if (!e)
		return NULL;
	event_fill_header(ctx, &e->h, AF_EV_OOM_KILL, sizeof(*e));
	__builtin_memset((char *)e + sizeof(e->h), 0, sizeof(*e) - sizeof(e->h));
	return e;
}

static __always_inline void oom_submit(struct af_oom_kill *e)
{
	chain_link(&e->h, false);
	bpf_ringbuf_submit(e, 0);
}

static __always_inline bool oom_is_traced(__u32 victim_tgid)
{
	__u32 trigger = bpf_get_current_pid_tgid() >> 32;

	/* the tracer's own allocation can run the OOM killer (its memory cgroup is full, as in
	 * tests/integration/survive.bats): the kill is still news, judged by its victim */
	if (trigger == self_tgid)
		return !filter_pids || bpf_map_lookup_elem(&traced, &victim_tgid);
	if (!filter_pids)
		return task_is_traced(trigger);
	return task_is_traced(trigger) || bpf_map_lookup_elem(&traced, &victim_tgid);
}

SEC("fentry/oom_kill_process")
int BPF_PROG(oom_kill_fentry, struct oom_control *oc, const char *message)
{
	struct task_struct *victim = BPF_CORE_READ(oc, chosen);
	struct af_oom_kill *e;

	if (!victim || !oom_is_traced(BPF_CORE_READ(victim, tgid)))
		return 0;
	e = oom_reserve(ctx);
	if (!e)
		return 0;
	fill_victim(e, victim);
	e->flags |= AF_OOM_FROM_FENTRY;
	/* enum oom_constraint: CONSTRAINT_NONE, _CPUSET, _MEMORY_POLICY, _MEMCG, in order */
	e->constraint = AF_OOM_NONE + BPF_CORE_READ(oc, constraint);
	if (BPF_CORE_READ(oc, memcg)) {
		e->oc_memcg_id = BPF_CORE_READ(oc, memcg, css.cgroup, kn, id);
		/* the memcg over its limit (try_charge_memcg()'s mem_over_limit), not the
		 * trigger's own */
		memcg_snap_fill(&e->h.memcg, BPF_CORE_READ(oc, memcg));
	}
	e->totalpages = BPF_CORE_READ(oc, totalpages);
	e->chosen_points = BPF_CORE_READ(oc, chosen_points);
	e->order = BPF_CORE_READ(oc, order);
	e->gfp = BPF_CORE_READ(oc, gfp_mask);
	if (e->order == -1)
		e->flags |= AF_OOM_SYSRQ;
	oom_submit(e);
	return 0;
}

/* tp_btf/raw_tp: args[0] is the victim task (new shape) or its pid (old shape). */
static __always_inline int handle_mark_victim_raw(void *ctx, __u64 arg0)
{
	struct task_struct *victim = NULL;
	struct af_oom_kill *e;
	__u32 pid;

	if (bpf_core_field_exists(struct trace_event_raw_mark_victim___new, total_vm)) {
		victim = (struct task_struct *)arg0;
		pid = BPF_CORE_READ(victim, tgid);
	} else {
		pid = (__u32)arg0;
	}
	if (!oom_is_traced(pid))
		return 0;
	e = oom_reserve(ctx);
	if (!e)
		return 0;
	e->victim_pid = pid;
	if (victim)
		fill_victim(e, victim);
	oom_submit(e);
	return 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(mark_victim_btf)
{
	return handle_mark_victim_raw(ctx, ctx[0]);
}

SEC("raw_tp/mark_victim")
int BPF_PROG(mark_victim_raw)
{
	return handle_mark_victim_raw(ctx, ctx[0]);
}

SEC("tracepoint/oom/mark_victim")
int mark_victim_tp(struct trace_event_raw_mark_victim *ctx)
{
	struct trace_event_raw_mark_victim___new *n = (void *)ctx;
	struct af_oom_kill *e;

	if (!oom_is_traced(ctx->pid))
		return 0;
	e = oom_reserve(ctx);
	if (!e)
		return 0;
	e->victim_pid = ctx->pid;
	if (bpf_core_field_exists(n->total_vm)) {
		/* the new classic format carries the victim's numbers, already in kB */
		e->victim_total_vm_kb = BPF_CORE_READ(ctx, total_vm);
		e->victim_anon_rss_kb = BPF_CORE_READ(ctx, anon_rss);
		e->victim_file_rss_kb = BPF_CORE_READ(ctx, file_rss);
		e->victim_shmem_rss_kb = BPF_CORE_READ(ctx, shmem_rss);
		e->victim_pgtables_kb = BPF_CORE_READ(ctx, pgtables);
		e->victim_oom_score_adj = BPF_CORE_READ(ctx, oom_score_adj);
		e->victim_uid = BPF_CORE_READ(ctx, uid);
		bpf_probe_read_kernel_str(e->victim_comm, sizeof(e->victim_comm),
					  (char *)ctx + (BPF_CORE_READ(ctx, __data_loc_comm) & 0xffff));
		e->flags |= AF_OOM_VICTIM_TASK;
	}
	oom_submit(e);
	return 0;
}
