/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook ladder: for each failure source, the BPF programs that can serve it, best first.
 * A new source is one entry here plus its .bpf.c.
 */
#ifndef ALLOCFAIL_HOOKS_H
#define ALLOCFAIL_HOOKS_H

#include <stdbool.h>
#include "../bpf/allocfail.h"

#define HOOK_MAX_RUNGS 5

struct hook_rung {
	enum af_hook_kind kind;
	const char *prog;   /* BPF program name in the skeleton */
	const char *target; /* what probe__hook() takes */
};

struct hook_source {
	const char *name;    /* "syscall" */
	const char *what;    /* one line for `check` */
	bool follow_only;    /* only needed when following a process tree (run) */
	struct hook_rung rungs[HOOK_MAX_RUNGS];
};

struct hook_choice {
	const struct hook_source *src;
	int chosen; /* index into src->rungs, -1: none works */
	int err[HOOK_MAX_RUNGS];
	char why[HOOK_MAX_RUNGS][160];
};

extern const struct hook_source hook_sources[];
extern const unsigned int hook_nsources;

/* Probe src's rungs best first; stop at the first that works unless all is set (for check). */
void hooks__choose(const struct hook_source *src, bool all, struct hook_choice *out);

#endif
