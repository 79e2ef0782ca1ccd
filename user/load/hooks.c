// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hooks.h"
#include "probe.h"

const struct hook_source hook_sources[] = {
	{
		.name = "syscall",
		.type = AF_EV_SYSCALL,
		.what = "syscalls returning ENOMEM, brk that did not move",
		.required = true,
		.rungs = {
			{ AF_HOOK_TP_BTF, "sys_exit_btf", "sys_exit" },
			{ AF_HOOK_RAW_TP, "sys_exit_raw", "sys_exit" },
			{ AF_HOOK_TRACEPOINT, "sys_exit_tp", "raw_syscalls/sys_exit" },
		},
	},
	{
		.name = "page_alloc",
		.type = AF_EV_PAGE_ALLOC,
		.what = "page-allocator failures (mm_page_alloc with a NULL page)",
		.rungs = {
			{ AF_HOOK_TP_BTF, "page_alloc_btf", "mm_page_alloc" },
			{ AF_HOOK_RAW_TP, "page_alloc_raw", "mm_page_alloc" },
			{ AF_HOOK_TRACEPOINT, "page_alloc_tp", "kmem/mm_page_alloc" },
		},
	},
	{
		.name = "zone",
		.enrichment = true,
		.what = "zone free lists and watermarks in the failing slowpath",
		.rungs = {
			/* the classic format has no zone pointer: BTF-typed hooks only */
			{ AF_HOOK_TP_BTF, "retry_zone_btf", "reclaim_retry_zone" },
			{ AF_HOOK_RAW_TP, "retry_zone_raw", "reclaim_retry_zone" },
		},
	},
	{
		.name = "compaction",
		.enrichment = true,
		.what = "compaction outcome in the failing slowpath",
		.rungs = {
			{ AF_HOOK_TP_BTF, "compact_retry_btf", "compact_retry" },
			{ AF_HOOK_RAW_TP, "compact_retry_raw", "compact_retry" },
		},
	},
	{
		.name = "reclaim",
		.enrichment = true,
		.what = "direct reclaim progress in the failing slowpath",
		.rungs = {
			{ AF_HOOK_TP_BTF, "direct_reclaim_btf", "mm_vmscan_direct_reclaim_end" },
			{ AF_HOOK_RAW_TP, "direct_reclaim_raw", "mm_vmscan_direct_reclaim_end" },
			{ AF_HOOK_TRACEPOINT, "direct_reclaim_tp",
			  "vmscan/mm_vmscan_direct_reclaim_end" },
		},
	},
	{
		.name = "kmalloc",
		.type = AF_EV_SLAB,
		.what = "kmalloc returning NULL",
		/* Debian's 6.1 and 6.12 verifiers refuse the tp_btf program, which reads the
		 * `const void *ptr` argument ("arg1 type UNKNOWN is not a struct"), though the
		 * probe's program attaches: the load then bans it and takes raw_tp. */
		.rungs = {
			{ AF_HOOK_TP_BTF, "kmalloc_btf", "kmalloc" },
			{ AF_HOOK_RAW_TP, "kmalloc_raw", "kmalloc" },
			{ AF_HOOK_TRACEPOINT, "kmalloc_tp", "kmem/kmalloc" },
		},
	},
	{
		.name = "kmem_cache",
		.type = AF_EV_SLAB,
		.what = "kmem_cache_alloc returning NULL",
		.rungs = {
			/* `const void *ptr` again, as for kmalloc */
			{ AF_HOOK_TP_BTF, "cache_alloc_btf", "kmem_cache_alloc" },
			{ AF_HOOK_RAW_TP, "cache_alloc_raw", "kmem_cache_alloc" },
			{ AF_HOOK_TRACEPOINT, "cache_alloc_tp", "kmem/kmem_cache_alloc" },
		},
	},
	{
		.name = "oom_kill",
		.type = AF_EV_OOM_KILL,
		.what = "OOM kills: trigger, victim, constraint",
		.rungs = {
			{ AF_HOOK_FENTRY, "oom_kill_fentry", "oom_kill_process" },
			{ AF_HOOK_TP_BTF, "mark_victim_btf", "mark_victim" },
			{ AF_HOOK_RAW_TP, "mark_victim_raw", "mark_victim" },
			{ AF_HOOK_TRACEPOINT, "mark_victim_tp", "oom/mark_victim" },
		},
	},
	{
		.name = "memcg",
		.type = AF_EV_MEMCG_CHARGE,
		.what = "memory-cgroup charge failures (below fexit: inferred from reclaim)",
		.infers_below_fentry = true,
		.rungs = {
			{ AF_HOOK_FENTRY, "charge_fexit", "try_charge_memcg" },
			{ AF_HOOK_TP_BTF, "memcg_reclaim_btf", "mm_vmscan_memcg_reclaim_end" },
			{ AF_HOOK_RAW_TP, "memcg_reclaim_raw", "mm_vmscan_memcg_reclaim_end" },
			{ AF_HOOK_TRACEPOINT, "memcg_reclaim_tp",
			  "vmscan/mm_vmscan_memcg_reclaim_end" },
		},
	},
	{
		.name = "fork",
		.what = "process tree following (run)",
		.follow_only = true,
		.required = true,
		.rungs = {
			{ AF_HOOK_TP_BTF, "fork_btf", "sched_process_fork" },
			{ AF_HOOK_RAW_TP, "fork_raw", "sched_process_fork" },
			{ AF_HOOK_TRACEPOINT, "fork_tp", "sched/sched_process_fork" },
		},
	},
	{
		.name = "exit",
		/* in every session: a thread that dies in a fault would leave its chain open
		 * for good, and every syscall exit would pay for it */
		.what = "forgetting exited threads' chains and processes (-p, run)",
		.rungs = {
			{ AF_HOOK_TP_BTF, "exit_btf", "sched_process_exit" },
			{ AF_HOOK_RAW_TP, "exit_raw", "sched_process_exit" },
			{ AF_HOOK_TRACEPOINT, "exit_tp", "sched/sched_process_exit" },
		},
	},
};

const unsigned int hook_nsources = sizeof(hook_sources) / sizeof(hook_sources[0]);
_Static_assert(sizeof(hook_sources) / sizeof(hook_sources[0]) <= HOOK_MAX_SOURCES,
	       "raise HOOK_MAX_SOURCES");

void hooks__choose(const struct hook_source *src, bool all, enum af_hook_kind floor,
		   const struct hook_bans *bans, struct hook_choice *out)
{
	unsigned int si = src - hook_sources;

	memset(out, 0, sizeof(*out));
	out->src = src;
	out->chosen = -1;
	for (int i = 0; i < HOOK_MAX_RUNGS && src->rungs[i].prog; i++) {
		if (src->rungs[i].kind < floor) {
			out->err[i] = -ECANCELED;
			snprintf(out->why[i], sizeof(out->why[i]), "skipped: --max-hook %s",
				 hook_kind__name(floor));
			continue;
		}
		if (bans && si < hook_nsources && bans->mask[si] & 1u << i) {
			out->err[i] = bans->err[si][i];
			snprintf(out->why[i], sizeof(out->why[i]), "%s", bans->why[si][i]);
			continue;
		}
		out->err[i] = probe__hook(src->rungs[i].kind, src->rungs[i].target, out->why[i],
					  sizeof(out->why[i]));
		if (!out->err[i] && out->chosen < 0)
			out->chosen = i;
		if (out->chosen >= 0 && !all)
			break;
	}
}

bool hooks__find_prog(const char *prog, unsigned int *src, int *rung)
{
	for (unsigned int i = 0; i < hook_nsources; i++)
		for (int r = 0; r < HOOK_MAX_RUNGS && hook_sources[i].rungs[r].prog; r++)
			if (!strcmp(hook_sources[i].rungs[r].prog, prog)) {
				*src = i;
				*rung = r;
				return true;
			}
	return false;
}

void hooks__ban(struct hook_bans *bans, unsigned int src, int rung, int err, const char *why)
{
	if (src >= HOOK_MAX_SOURCES || rung < 0 || rung >= HOOK_MAX_RUNGS)
		return;
	bans->mask[src] |= 1u << rung;
	bans->err[src][rung] = err < 0 ? err : -EINVAL;
	snprintf(bans->why[src][rung], sizeof(bans->why[src][rung]), "%s", why);
}

enum af_hook_kind hook_kind__parse(const char *name)
{
	for (enum af_hook_kind k = AF_HOOK_FENTRY; k <= AF_HOOK_TRACEPOINT; k++)
		if (!strcmp(name, hook_kind__name(k)))
			return k;
	return AF_HOOK_NONE;
}
