/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine's settings a diagnosis shows and builds its fixes from: the VM sysctls, memory and
 * huge page pools, and the memory cgroups the failures concerned. Read once when the session
 * ends (outputs__end()) and handed to every sink's end; a record stores them
 * (docs/record-format.md), so that `allocfail report` describes the machine that was recorded,
 * not the one it runs on.
 */
#ifndef ALLOCFAIL_SETTINGS_H
#define ALLOCFAIL_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "procinfo.h"

#define DIAG_MAX_MEMCGS 16 /* memory cgroups whose settings are kept */

struct diag_settings {
	bool valid;	      /* read (live), or loaded from a record */
	bool recorded;	      /* report: never read this machine; what is missing is unknown */
	struct sysinfo sys;   /* -1 where unknown */
	int version;	      /* the memory controller's cgroup version, 0 if not found */
	char mount[PATH_MAX]; /* its hierarchy, "" if not found */
	unsigned int nmemcgs;
	struct {
		const char *path; /* owned by whoever filled it: the caller of read, or the reader */
		struct memcg_info now;
	} memcgs[DIAG_MAX_MEMCGS];
};

/*
 * Reads the settings as they are now into *s (valid), with those of the memory cgroups
 * paths[0..n) (relative to the memory controller's hierarchy; borrowed, n capped at
 * DIAG_MAX_MEMCGS). Every /proc and /sys file is read under root (NULL or "": the real ones):
 * sysinfo__read_root(root), root/sys/fs/cgroup/memory for cgroup v1, else the cgroup2 mount
 * named in root/proc/self/mountinfo (taken under root too). What cannot be read stays unknown.
 */
void settings__read(struct diag_settings *s, const char *root, const char *const *paths,
		    unsigned int n);

/* The directory of memory cgroup path under s->mount into buf; "" if the hierarchy is unknown. */
const char *settings__memcg_dir(const struct diag_settings *s, const char *path, char *buf,
				size_t len);

/* The state of memory cgroup path as s holds it (the last, if a record repeats it); NULL if s
 * does not. */
const struct memcg_info *settings__memcg(const struct diag_settings *s, const char *path);

#endif
