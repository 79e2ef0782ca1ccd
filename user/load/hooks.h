/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook ladder: for each failure source, the BPF programs that can serve it, best first.
 * A new source is one entry here plus its .bpf.c.
 */
#ifndef ALLOCFAIL_HOOKS_H
#define ALLOCFAIL_HOOKS_H

#include <stdbool.h>
#include "bpf/allocfail.h"

#define HOOK_MAX_RUNGS 5
#define HOOK_MAX_SOURCES 16

struct hook_rung {
	enum af_hook_kind kind;
	const char *prog;   /* BPF program name in the skeleton */
	const char *target; /* what probe__hook() takes */
};

struct hook_source {
	const char *name;    /* "syscall" */
	const char *what;    /* one line for `check` */
	bool follow_only;    /* only needed when following a process tree (run) */
	bool required;	     /* no session without it; the others degrade with a warning */
	bool enrichment;     /* adds context to another source's events: missing is no warning */
	enum af_event_type type; /* of the failures it reports; 0: none (context, following) */
	/* below its fentry/fexit rung its programs infer the failure from what they see
	 * (rodata memcg_infer), rather than read it */
	bool infers_below_fentry;
	struct hook_rung rungs[HOOK_MAX_RUNGS];
};

struct hook_choice {
	const struct hook_source *src;
	int chosen; /* index into src->rungs, -1: none works */
	int err[HOOK_MAX_RUNGS];
	char why[HOOK_MAX_RUNGS][160];
};

/* Rungs whose real program the kernel refused (a verifier stricter than the two-instruction
 * probe, an attach that failed), learnt by loading: later choices skip them. */
struct hook_bans {
	unsigned int mask[HOOK_MAX_SOURCES]; /* bit r: rung r of hook_sources[i] */
	int err[HOOK_MAX_SOURCES][HOOK_MAX_RUNGS];
	char why[HOOK_MAX_SOURCES][HOOK_MAX_RUNGS][160];
};

extern const struct hook_source hook_sources[];
extern const unsigned int hook_nsources;

/* Probe src's rungs best first, skipping kinds better than `floor` (AF_HOOK_NONE: none skipped)
 * and the rungs banned (NULL: none); stop at the first that works unless all is set (for
 * check). */
void hooks__choose(const struct hook_source *src, bool all, enum af_hook_kind floor,
		   const struct hook_bans *bans, struct hook_choice *out);
/* Find the source and rung of a BPF program name; false if it is none of the ladders'. */
bool hooks__find_prog(const char *prog, unsigned int *src, int *rung);
/* Ban rung of source src with err (-errno) and a reason. */
void hooks__ban(struct hook_bans *bans, unsigned int src, int rung, int err, const char *why);
/* "fentry", "tp_btf"... to a kind; AF_HOOK_NONE if unknown. */
enum af_hook_kind hook_kind__parse(const char *name);

#endif
