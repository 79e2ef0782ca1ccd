/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers of the system state the cause rules need and BPF cannot read: the vm sysctls,
 * /proc/meminfo, the huge page pools, and a memory cgroup's limit and usage. Every value that
 * cannot be read is -1. The parsers take a FILE * or a directory so tests run them on fixed text.
 */
#ifndef ALLOCFAIL_PROCINFO_H
#define ALLOCFAIL_PROCINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "bpf/allocfail.h"

#define SYSINFO_MAX_HSTATES 4

/* One huge page pool, /sys/kernel/mm/hugepages/hugepages-<size>kB; -1 where unknown. */
struct sysinfo_hstate {
	int64_t size_kb;
	int64_t total; /* nr_hugepages */
	int64_t free; /* free_hugepages */
	int64_t rsvd; /* resv_hugepages */
	int64_t surplus;
	int64_t overcommit; /* nr_overcommit_hugepages */
};

/*
 * System-wide settings and counters BPF cannot read; read by procinfo.c, -1 where unknown.
 * Not <sys/sysinfo.h>'s struct sysinfo: never include both in one file.
 */
struct sysinfo {
	int64_t page_size;
	int64_t overcommit_memory; /* vm.overcommit_memory */
	int64_t overcommit_ratio;
	int64_t overcommit_kbytes;
	int64_t admin_reserve_kbytes;
	int64_t user_reserve_kbytes;
	int64_t max_map_count; /* vm.max_map_count */
	int64_t mem_total_kb; /* /proc/meminfo */
	int64_t mem_free_kb;
	int64_t mem_available_kb;
	int64_t swap_total_kb;
	int64_t swap_free_kb;
	int64_t commit_limit_kb;
	int64_t committed_as_kb;
	int64_t hugepages_total; /* default huge page size, /proc/meminfo */
	int64_t hugepages_free;
	int64_t hugepages_rsvd;
	int64_t hugepage_size_kb;
	int64_t mmap_min_addr;
	int64_t ignore_rlimit_data; /* boot option: 1 if set, 0 if not */
	unsigned int nhstates; /* every huge page size the kernel has */
	struct sysinfo_hstate hstates[SYSINFO_MAX_HSTATES];
	int64_t read_ns; /* CLOCK_MONOTONIC of the last read, for sysinfo__refresh() */
};

/* A memory cgroup's state, read for the cgroup an event concerns (v1 or v2); -1 where unknown. */
struct memcg_info {
	bool valid;
	int version; /* 1 or 2 */
	int64_t limit_bytes; /* -1: unlimited */
	int64_t usage_bytes;
	int64_t failcnt; /* v1 memory.failcnt; v2: memory.events "max" */
	int64_t oom_events; /* v1: under_oom (0/1, no counter exists); v2 memory.events "oom" */
	int64_t oom_kill; /* v1 memory.oom_control "oom_kill"; v2 memory.events "oom_kill" */
	int64_t oom_kill_disable; /* v1 memory.oom_control; 0 on v2 */
	/* BPF's snapshot (struct af_memcg_snap): limit_bytes and usage_bytes above, and the bind_
	 * fields, are as they were at the failure; false: read from cgroupfs after it, no bind_ */
	bool at_failure;
	/* The level whose limit binds (least headroom), at the failure: 0 this memcg, n its n-th
	 * ancestor, -1 none of the levels read has a limit. */
	int bind_level;
	const char *bind_path; /* its path (borrowed); NULL if unknown */
	int64_t bind_limit_bytes;
	int64_t bind_usage_bytes;
	/* v1: the binding limit is the memory+swap one (memory.memsw.limit_in_bytes) */
	bool bind_memsw;
	/* v1: memory+swap limits were read too (none bound if !bind_memsw) */
	bool memsw_read;
	/* ancestors above the AF_MEMCG_LEVELS read were left out: one of them may bind */
	bool truncated;
};

/* sysinfo__refresh() re-reads at most this often: settings change rarely, and each read costs
 * about a dozen small files. */
#define SYSINFO_REFRESH_MS 500

/* Every value unknown (-1), no huge page pools: what the rules see when nothing was read. */
void sysinfo__unknown(struct sysinfo *si);

/* The default huge page size in bytes (Hugepagesize in /proc/meminfo), which a MAP_HUGETLB or
 * SHM_HUGETLB request without a size is rounded up to; 0 if unknown (no hugetlb). */
uint64_t sysinfo__huge_page_bytes(void);

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
