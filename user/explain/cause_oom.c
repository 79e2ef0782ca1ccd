// SPDX-License-Identifier: GPL-2.0
/* The OOM killer's verdict: what constrained it (mm/oom_kill.c's constrained_alloc()) and what
 * to raise or bound. */
#include "cause_priv.h"

static void kv_oom(const struct cause_oom *o, struct cause *out)
{
	struct memcg_view v;

	kv_str(out, "constraint", "%s", o->constraint ? o->constraint : "unknown");
	kv_num(out, "victim_pid", o->victim_pid);
	kv_str(out, "victim_comm", "%s", o->victim_comm ? o->victim_comm : "?");
	kv_num(out, "victim_rss_bytes", (int64_t)o->victim_rss_kb * 1024);
	kv_num(out, "victim_anon_rss_bytes", (int64_t)o->victim_anon_rss_kb * 1024);
	kv_num(out, "victim_total_vm_bytes", (int64_t)o->victim_total_vm_kb * 1024);
	kv_num(out, "order", o->order);
	if (cause_memcg_view(o->memcg_info, o->memcg, &v)) {
		/* the binding ancestor matters only when a memcg limit triggered the kill */
		if (!o->constraint || strcmp(o->constraint, "memcg"))
			v = (struct memcg_view){ o->memcg, o->memcg_info->limit_bytes,
						 o->memcg_info->usage_bytes, 0, false };
		cause_kv_memcg_view(out, o->memcg_info, &v, o->memcg);
	} else if (o->memcg)
		kv_str(out, "memcg", "%s", o->memcg);
	kv_num(out, "mem_total_kb", o->mem_total_kb);
	kv_num(out, "swap_total_kb", o->swap_total_kb);
	kv_num(out, "swap_free_kb", o->swap_free_kb);
}

/* "no swap", "swap 1.0 GiB of 2.0 GiB free" */
static const char *swap_str(const struct cause_oom *o, char *buf, size_t len)
{
	if (o->swap_total_kb == 0)
		snprintf(buf, len, "no swap");
	else if (o->swap_total_kb > 0 && o->swap_free_kb >= 0)
		snprintf(buf, len, "swap %s of %s free", H(o->swap_free_kb * 1024),
			 H(o->swap_total_kb * 1024));
	else
		snprintf(buf, len, "swap unknown");
	return buf;
}

void cause__oom_kill(const struct cause_oom *o, struct cause *out)
{
	const char *cons = o->constraint ? o->constraint : "";
	const char *comm = o->victim_comm ? o->victim_comm : "?";
	char victim[96], limit[48] = "", swap[64];

	set(out, CAUSE_OOM_KILL);
	kv_oom(o, out);
	snprintf(victim, sizeof(victim), "pid %u (%s, %s resident)", o->victim_pid, comm,
		 H(o->victim_rss_kb * 1024));
	if (!strcmp(cons, "memcg")) {
		struct memcg_view v = { o->memcg, -1, -1, 0, false };
		char name[2 * 256 + 64];

		cause_memcg_view(o->memcg_info, o->memcg, &v);
		if (v.limit >= 0)
			snprintf(limit, sizeof(limit), " of %s", H(v.limit));
		summary(out, "the OOM killer killed %s because %s reached its %slimit%s", victim,
			cause_memcg_names(&v, o->memcg ? o->memcg : "(unknown)", name,
					  sizeof(name)),
			cause_memcg_kind(&v), limit);
		if (v.memsw)
			advice(out,
			       "raise the memory+swap limit of %s (memory.memsw.limit_in_bytes, "
			       "then memory.limit_in_bytes) to what the workload needs, or reduce "
			       "what pid %u (%s) holds; memory.stat shows anon, swap and page "
			       "cache",
			       v.path ? v.path : "the cgroup", o->victim_pid, comm);
		else
			advice(out,
			       "raise the limit of %s (memory.max on v2, memory.limit_in_bytes on "
			       "v1) to what the workload needs, or reduce what pid %u (%s) holds; "
			       "memory.stat shows anon vs page cache",
			       v.path ? v.path : "the cgroup", o->victim_pid, comm);
	} else if (!strcmp(cons, "global")) {
		summary(out,
			"the OOM killer killed %s because the machine ran out of memory "
			"(%s RAM, %s)",
			victim, o->mem_total_kb >= 0 ? H(o->mem_total_kb * 1024) : "?",
			swap_str(o, swap, sizeof(swap)));
		advice(out,
		       "add RAM or swap, or bound the biggest consumers with memory cgroups "
		       "(pid %u held %s); oom_score_adj protects what must survive",
		       o->victim_pid, H(o->victim_rss_kb * 1024));
	} else if (!strcmp(cons, "cpuset")) {
		summary(out,
			"the OOM killer killed %s because the memory nodes its cpuset allows ran "
			"out",
			victim);
		advice(out,
		       "widen cpuset.mems of the allocating task's cpuset, or move memory users "
		       "out of it");
	} else if (!strcmp(cons, "mempolicy")) {
		summary(out,
			"the OOM killer killed %s because the nodes the allocating task's memory "
			"policy allows ran out",
			victim);
		advice(out, "allow more nodes in its memory policy (numactl --membind, mbind(), "
			    "set_mempolicy())");
	} else if (!strcmp(cons, "sysrq")) {
		summary(out, "the OOM killer killed %s on a manual request (sysrq-f)", victim);
		advice(out, "nothing to fix: someone asked for it (echo f > /proc/sysrq-trigger)");
	} else {
		summary(out,
			"the OOM killer killed %s; what it was constrained by is not known (no "
			"oom_control, no trigger stack)",
			victim);
		advice(out,
		       "check the kernel log (dmesg) for the OOM report's constraint=; then raise "
		       "the limit that was hit or bound the biggest consumer");
	}
}

void cause__explain_oom(const struct cause_input *in, struct cause *out)
{
	const struct af_oom_kill *k = in->ev->raw.oom;
	const struct sysinfo *s = in->sys;
	struct cause_oom o = {
		.constraint = in->ev->oom_constraint,
		.memcg = in->ev->memcg,
		.memcg_info = in->memcg,
		.victim_pid = k->victim_pid,
		.victim_total_vm_kb = k->victim_total_vm_kb,
		.victim_rss_kb =
			k->victim_anon_rss_kb + k->victim_file_rss_kb + k->victim_shmem_rss_kb,
		.victim_anon_rss_kb = k->victim_anon_rss_kb,
		.order = k->order,
		.mem_total_kb = s ? s->mem_total_kb : -1,
		.swap_total_kb = s ? s->swap_total_kb : -1,
		.swap_free_kb = s ? s->swap_free_kb : -1,
	};
	char comm[AF_COMM_LEN + 1];

	memcpy(comm, k->victim_comm, AF_COMM_LEN);
	comm[AF_COMM_LEN] = '\0';
	o.victim_comm = comm;
	cause__oom_kill(&o, out);
}
