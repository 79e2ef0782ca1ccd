// SPDX-License-Identifier: GPL-2.0
/* oom_kill: the OOM killer chose a victim (bpf/oom.bpf.c). The header is the trigger's: the
 * task that ran the OOM killer. */
#include "cause.h"
#include "cgroups.h"
#include "event_type.h"
#include "json_form.h"
#include "render.h"
#include "stacks.h"

static void text_what(const struct event *ev, char *buf, size_t len)
{
	const struct af_oom_kill *k = ev->raw.oom;
	char comm[AF_COMM_LEN + 1];

	snprintf(comm, sizeof(comm), "%.*s", AF_COMM_LEN, k->victim_comm);
	snprintf(buf, len, "victim %u (%s)%s%s", k->victim_pid, ESC(comm, 4 * sizeof(comm)),
		 ev->oom_constraint ? " " : "",
		 ev->oom_constraint ? ESC(ev->oom_constraint, 128) : "");
}

static void text_detail(FILE *out, const struct event *ev)
{
	const struct af_oom_kill *k = ev->raw.oom;
	char gfp[256];

	fprintf(out, "    victim pid %u uid %u cgroup ", k->victim_pid, k->victim_uid);
	escape__fputs(ev->victim_cgroup ? ev->victim_cgroup : "?", out);
	fprintf(out, ": rss anon %" PRIu64 " kB, file %" PRIu64
		     " kB, shmem %" PRIu64 " kB; total_vm %" PRIu64 " kB, oom_score_adj %d\n",
		(uint64_t)k->victim_anon_rss_kb, (uint64_t)k->victim_file_rss_kb,
		(uint64_t)k->victim_shmem_rss_kb, (uint64_t)k->victim_total_vm_kb,
		k->victim_oom_score_adj);
	fputs("    constraint ", out);
	escape__fputs(ev->oom_constraint ? ev->oom_constraint : "unknown", out);
	fputs(", memcg ", out);
	escape__fputs(ev->memcg ? ev->memcg : "-", out);
	if (k->flags & AF_OOM_FROM_FENTRY)
		fprintf(out, ", order %d, gfp %s, points %" PRIu64 " of %" PRIu64, k->order,
			render__gfp_text(k->gfp, gfp, sizeof(gfp)), (uint64_t)k->chosen_points,
			(uint64_t)k->totalpages);
	fputc('\n', out);
	render__memcg_lines(out, ev->memcg_info);
}

static struct json_object *victim_json(const struct event *ev)
{
	const struct af_oom_kill *k = ev->raw.oom;
	struct json_object *o = json_object_new_object();

	add(o, "pid", json_object_new_int64(k->victim_pid));
	add(o, "comm", fixed_str(k->victim_comm, sizeof(k->victim_comm)));
	add(o, "uid", json_object_new_int64(k->victim_uid));
	add(o, "cgroup", str_or_null(ev->victim_cgroup));
	add(o, "total_vm_kb", json_object_new_uint64(k->victim_total_vm_kb));
	add(o, "anon_rss_kb", json_object_new_uint64(k->victim_anon_rss_kb));
	add(o, "file_rss_kb", json_object_new_uint64(k->victim_file_rss_kb));
	add(o, "shmem_rss_kb", json_object_new_uint64(k->victim_shmem_rss_kb));
	add(o, "pgtables_kb", json_object_new_uint64(k->victim_pgtables_kb));
	add(o, "oom_score_adj", json_object_new_int(k->victim_oom_score_adj));
	return o;
}

static struct json_object *json(const struct event *ev)
{
	const struct af_oom_kill *k = ev->raw.oom;
	bool exact = k->flags & AF_OOM_FROM_FENTRY; /* oom_control was read: the rest is known */
	struct json_object *o = json_object_new_object();

	add(o, "victim", victim_json(ev));
	add(o, "constraint", str_or_null(ev->oom_constraint));
	add(o, "memcg", str_or_null(ev->memcg));
	add(o, "memcg_state", json_form__memcg_state(ev->memcg_info));
	add(o, "order", exact ? json_object_new_int(k->order) : NULL);
	add(o, "gfp", exact ? render__gfp_json(k->gfp) : NULL);
	add(o, "totalpages", exact ? json_object_new_uint64(k->totalpages) : NULL);
	add(o, "chosen_points", exact ? json_object_new_uint64(k->chosen_points) : NULL);
	return o;
}

/* the memcg at its limit (a memcg OOM: oom_control's), else the trigger's own */
static uint64_t memcg_id(const struct event *ev)
{
	return ev->raw.oom->oc_memcg_id;
}

/* Without oom_control (tracepoint path) the trigger's kernel stack tells who called
 * out_of_memory(): the memcg charge path, sysrq, or the page allocator (global). */
static const char *constraint(const struct event *ev)
{
	static const char *const names[] = {
		[AF_OOM_NONE] = "global", [AF_OOM_CPUSET] = "cpuset",
		[AF_OOM_MEMORY_POLICY] = "mempolicy", [AF_OOM_MEMCG] = "memcg",
	};
	const struct af_oom_kill *o = ev->raw.oom;

	if (o->flags & AF_OOM_SYSRQ || stacks__has(&ev->kstack, "moom_callback"))
		return "sysrq";
	if (o->flags & AF_OOM_FROM_FENTRY && o->constraint > AF_OOM_UNKNOWN &&
	    o->constraint <= AF_OOM_MEMCG)
		return names[o->constraint];
	if (stacks__has(&ev->kstack, "mem_cgroup_out_of_memory") ||
	    stacks__has(&ev->kstack, "mem_cgroup_oom"))
		return "memcg";
	return ev->kstack.n ? "global" : NULL;
}

/* the constraint, and the victim's cgroup: its own, never the trigger's */
static void enrich(struct event *ev, const struct enrich_ctx *c)
{
	ev->oom_constraint = constraint(ev);
	ev->victim_cgroup = cgroups__memcg_path(c->cg, ev->raw.oom->victim_memcg_id);
}

/* no request size, and no site: every OOM kill is a record of its own */
const struct event_type_desc type_oom_kill = {
	.name = "oom_kill",
	.size = sizeof(struct af_oom_kill),
	.text_what = text_what,
	.text_detail = text_detail,
	.json = json,
	.memcg_id = memcg_id,
	.names_memcg = true,
	.enrich = enrich,
	.explain = cause__explain_oom,
};
