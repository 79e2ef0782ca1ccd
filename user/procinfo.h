/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers of the system state the cause rules need and BPF cannot read: the vm sysctls,
 * /proc/meminfo, the huge page pools, and a memory cgroup's limit and usage. Every value that
 * cannot be read is -1. The parsers take a FILE * or a directory so tests run them on fixed text.
 */
#ifndef ALLOCFAIL_PROCINFO_H
#define ALLOCFAIL_PROCINFO_H

#include <stdbool.h>
#include <stdio.h>
#include "cause.h"

/* sysinfo__refresh() re-reads at most this often: settings change rarely, and each read costs
 * about a dozen small files. */
#define SYSINFO_REFRESH_MS 500

/* Read everything from the running system. Returns 0, or the -errno of the first source that
 * could not be read (/proc/meminfo, /proc/sys/vm/...); what was readable is filled anyway. */
int sysinfo__read(struct sysinfo *si);

/* The same with every path under root ("" or NULL: the real /proc and /sys), for tests. */
int sysinfo__read_root(const char *root, struct sysinfo *si);

/*
 * Re-read si when its last read (si->read_ns, set by the readers; 0 in a zeroed struct: never
 * read) is SYSINFO_REFRESH_MS or more before now_ns (CLOCK_MONOTONIC; 0: take the clock).
 * Returns 1 on the first read and whenever a setting changed (see sysinfo__settings_equal), 0
 * when nothing changed or it was not due, or -errno when nothing at all could be read.
 */
int sysinfo__refresh(struct sysinfo *si, int64_t now_ns);

/* True when the settings a user tunes (sysctls, huge page pools, swap size) are the same in
 * both; the counters that move all the time (free memory, Committed_AS) are not compared. */
bool sysinfo__settings_equal(const struct sysinfo *a, const struct sysinfo *b);

/* Fill the /proc/meminfo fields of si from f ("MemTotal:  24683620 kB" lines). Fields absent
 * from f are left as they are. Returns the number of fields found. */
int sysinfo__parse_meminfo(FILE *f, struct sysinfo *si);

/* One number from a file's first line ("65530\n"); "max" gives -1 (cgroup v2's unlimited).
 * Returns 0 with *val set, or -EINVAL. */
int procinfo__parse_value(const char *text, int64_t *val);

/*
 * A memory cgroup's state from its directory (e.g. /sys/fs/cgroup/memory/a/b for v1,
 * /sys/fs/cgroup/a/b for v2). v1: memory.limit_in_bytes (>= 2^62 is unlimited), usage_in_bytes,
 * failcnt, oom_control; v2: memory.max, memory.current, memory.events. Returns 0 with mi->valid
 * set when the limit and usage were read, else -errno (mi zeroed but for the version).
 */
int memcg_info__read(const char *cgroup_dir, int version, struct memcg_info *mi);

/*
 * Put BPF's snapshot of the memcg at the failure over mi (read from cgroupfs after it, or
 * invalid when the cgroup was gone): limit and usage become the snapshot's, the bind_ fields
 * are set (bind_path: the binding level's path, NULL if unknown; bind_memsw, memsw_read and
 * truncated from the snapshot's flags), the counters read from cgroupfs stay, -1 if they
 * could not be read. version: the hierarchy's (1 or 2). Does nothing when s is not valid.
 */
void memcg_info__at_failure(struct memcg_info *mi, const struct af_memcg_snap *s, int version,
			    const char *bind_path);

/* "key value" lines of v1 memory.oom_control or v2 memory.events into mi. Returns the number of
 * fields found. */
int memcg_info__parse_oom_control(FILE *f, struct memcg_info *mi);
int memcg_info__parse_events(FILE *f, struct memcg_info *mi);

#endif
