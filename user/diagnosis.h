/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The diagnosis at the end of a session: a sink that tallies every event by its cause and, at
 * end(), writes the causes ranked by count with the processes, cgroups and stacks they hit, the
 * settings that matter as they are now, and a fix per cause (docs/diagnosis.md). It goes on the
 * main output's file, after the main sink, so its block or its {"type":"diagnosis",...} line
 * follows the summary. Memory is bounded by the caps below; what does not fit is counted as
 * "other".
 */
#ifndef ALLOCFAIL_DIAGNOSIS_H
#define ALLOCFAIL_DIAGNOSIS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include "cause.h"
#include "sink.h"

#define DIAG_MAX_CAUSES 24  /* distinct cause codes (cause__codes() has 18) */
#define DIAG_MAX_PROCS 8    /* processes per cause */
#define DIAG_MAX_CGROUPS 8  /* cgroups per cause */
#define DIAG_MAX_STACKS 16  /* distinct stacks counted per cause, first come */
#define DIAG_TOP_STACKS 3   /* shown per cause */
#define DIAG_MAX_MEMCGS 16  /* memory cgroups whose settings are shown */
#define DIAG_USER_FRAMES 5  /* user frames shown per stack (all of them make its identity) */
#define DIAG_KERNEL_FRAMES 3 /* innermost kernel frames, in a stack's identity and shown */

/*
 * The settings a diagnosis shows and builds its fixes from, read once when the session ends. A
 * record stores them (docs/record-format.md), so that `allocfail report` describes the machine
 * that was recorded, not the one it runs on.
 */
struct diag_settings {
	bool valid;	       /* read (live), or loaded from a record */
	bool recorded;	       /* report: never read this machine; what is missing is unknown */
	struct sysinfo sys;    /* -1 where unknown */
	int version;	       /* the memory controller's cgroup version, 0 if not found */
	char mount[PATH_MAX];  /* its hierarchy, "" if not found */
	unsigned int nmemcgs;
	struct {
		const char *path; /* owned by whoever filled it: the diagnosis, or the reader */
		struct memcg_info now;
	} memcgs[DIAG_MAX_MEMCGS];
};

/* Text (json false) or one JSON line; the settings are read from the running system at end().
 * NULL if out is NULL or memory ran out. */
struct sink *sink_diagnosis__new(FILE *out, bool json);

/*
 * The same with the settings in *settings (kept by the caller, outliving the sink). If they are
 * not valid at end(), end() reads them from the running system into *settings, unless they are
 * `recorded`; if they are, they are used as they are and nothing is read. out may be NULL here:
 * end() then reads the settings and writes nothing (a record without a live output).
 */
struct sink *sink_diagnosis__new_settings(FILE *out, bool json, struct diag_settings *settings);

/* The same reading every /proc and /sys file under root (NULL or "": the real ones), for tests:
 * sysinfo__read_root(root), root/sys/fs/cgroup/memory for cgroup v1, else the cgroup2 mount
 * named in root/proc/self/mountinfo (taken under root too). */
struct sink *sink_diagnosis__new_root(FILE *out, bool json, const char *root);

#endif
