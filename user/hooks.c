// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "hooks.h"
#include "probe.h"

const struct hook_source hook_sources[] = {
	{
		.name = "syscall",
		.what = "syscalls returning ENOMEM, brk that did not move",
		.rungs = {
			{ AF_HOOK_TP_BTF, "sys_exit_btf", "sys_exit" },
			{ AF_HOOK_RAW_TP, "sys_exit_raw", "sys_exit" },
			{ AF_HOOK_TRACEPOINT, "sys_exit_tp", "raw_syscalls/sys_exit" },
		},
	},
	{
		.name = "fork",
		.what = "process tree following (run)",
		.follow_only = true,
		.rungs = {
			{ AF_HOOK_TP_BTF, "fork_btf", "sched_process_fork" },
			{ AF_HOOK_RAW_TP, "fork_raw", "sched_process_fork" },
			{ AF_HOOK_TRACEPOINT, "fork_tp", "sched/sched_process_fork" },
		},
	},
	{
		.name = "exit",
		.what = "forgetting exited processes (-p, run)",
		.follow_only = true,
		.rungs = {
			{ AF_HOOK_TP_BTF, "exit_btf", "sched_process_exit" },
			{ AF_HOOK_RAW_TP, "exit_raw", "sched_process_exit" },
			{ AF_HOOK_TRACEPOINT, "exit_tp", "sched/sched_process_exit" },
		},
	},
};

const unsigned int hook_nsources = sizeof(hook_sources) / sizeof(hook_sources[0]);

void hooks__choose(const struct hook_source *src, bool all, struct hook_choice *out)
{
	memset(out, 0, sizeof(*out));
	out->src = src;
	out->chosen = -1;
	for (int i = 0; i < HOOK_MAX_RUNGS && src->rungs[i].prog; i++) {
		out->err[i] = probe__hook(src->rungs[i].kind, src->rungs[i].target, out->why[i],
					  sizeof(out->why[i]));
		if (!out->err[i] && out->chosen < 0)
			out->chosen = i;
		if (out->chosen >= 0 && !all)
			break;
	}
}
