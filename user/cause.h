/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why an allocation failed: pure rules over evidence gathered beforehand (the event's BPF-side
 * evidence, and the system settings in struct sysinfo). No I/O here: every rule is a function
 * of its inputs, so it is unit-tested table-driven, and each cites the kernel check it mirrors.
 */
#ifndef ALLOCFAIL_CAUSE_H
#define ALLOCFAIL_CAUSE_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"

/* System-wide settings and counters BPF cannot read; read by procinfo.c, -1 where unknown. */
struct sysinfo {
	int64_t page_size;
	int64_t overcommit_memory; /* vm.overcommit_memory */
	int64_t overcommit_ratio;
	int64_t overcommit_kbytes;
	int64_t admin_reserve_kbytes;
	int64_t user_reserve_kbytes;
	int64_t max_map_count;	  /* vm.max_map_count */
	int64_t mem_total_kb;	  /* /proc/meminfo */
	int64_t mem_free_kb;
	int64_t mem_available_kb;
	int64_t swap_total_kb;
	int64_t swap_free_kb;
	int64_t commit_limit_kb;
	int64_t committed_as_kb;
	int64_t hugepages_total;
	int64_t hugepages_free;
	int64_t hugepages_rsvd;
	int64_t hugepage_size_kb;
	int64_t mmap_min_addr;
};

/* A memory cgroup's state, read for the cgroup an event concerns (v1 or v2). */
struct memcg_info {
	bool valid;
	int version;	      /* 1 or 2 */
	int64_t limit_bytes;  /* -1: unlimited */
	int64_t usage_bytes;
	int64_t failcnt;      /* v1 memory.failcnt; v2: memory.events "max" */
	int64_t oom_events;   /* v1 under_oom/oom_kill count; v2 memory.events "oom" */
	int64_t oom_kill;
};

#define CAUSE_MAX_EVIDENCE 16

struct cause_kv {
	const char *key;   /* static string, e.g. "total_vm_bytes" */
	bool is_str;
	int64_t num;
	char str[64];
};

struct cause {
	const char *code;    /* static: "rlimit_as", "max_map_count", ..., "unknown" */
	char summary[320];   /* one sentence with the numbers */
	char advice[320];    /* the concrete fix */
	unsigned int nevidence;
	struct cause_kv evidence[CAUSE_MAX_EVIDENCE];
};

/* The inputs of a verdict beyond the event itself. Fields may be NULL when not gathered. */
struct cause_input {
	const struct event *ev;
	const struct sysinfo *sys;
	const struct memcg_info *memcg;
};

/* Decide the cause of one event. Always fills out (code "unknown" with the raw evidence when no
 * rule matches). Returns 0, or -EINVAL if ev is NULL. */
int cause__explain(const struct cause_input *in, struct cause *out);

#endif
