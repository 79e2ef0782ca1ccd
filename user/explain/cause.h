/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why an allocation failed: pure rules over evidence gathered beforehand (the event's BPF-side
 * evidence, and the system settings and memory cgroup state procinfo.h reads). No I/O here:
 * every rule is a function of its inputs, so it is unit-tested table-driven, and each cites the
 * kernel check it mirrors. The rules of each source are a file of their own (user/cause_*.c).
 */
#ifndef ALLOCFAIL_CAUSE_H
#define ALLOCFAIL_CAUSE_H

#include <stdbool.h>
#include <stdint.h>
#include "event.h"
#include "procinfo.h"

/* BPF's snapshot stopped AF_MEMCG_LEVELS levels up (memcg_info.truncated): a limit above may
 * bind instead. Said the same in every output. */
#define MEMCG_TRUNCATED_NOTE "memory cgroup limits above 8 levels not read"
_Static_assert(AF_MEMCG_LEVELS == 8, "MEMCG_TRUNCATED_NOTE says 8");

#define CAUSE_MAX_EVIDENCE 24

struct cause_kv {
	const char *key; /* static string, e.g. "total_vm_bytes" */
	bool is_str;
	int64_t num;
	char str[128];
};

/* Every verdict, in the order cause__codes() lists their names; unknown last. */
enum cause_code {
	CAUSE_RLIMIT_AS,
	CAUSE_RLIMIT_DATA,
	CAUSE_RLIMIT_MEMLOCK,
	CAUSE_MAX_MAP_COUNT,
	CAUSE_OVERCOMMIT_STRICT,
	CAUSE_OVERCOMMIT_HEURISTIC,
	CAUSE_ADDRESS_SPACE,
	CAUSE_HUGETLB_POOL,
	CAUSE_MREMAP_IN_PLACE,
	CAUSE_MLOCK_HOLES,
	CAUSE_UNMAPPED_RANGE,
	CAUSE_PIDNS_DEAD,
	CAUSE_MEMCG_LIMIT,
	CAUSE_FRAGMENTATION,
	CAUSE_EXHAUSTION,
	CAUSE_SLAB,
	CAUSE_OOM_KILL,
	CAUSE_UNKNOWN,
	CAUSE_NR_CODES
};

struct cause {
	const char *code; /* static: one of cause__codes(), e.g. "rlimit_as", "unknown" */
	enum cause_code code_id; /* the same as an enum, for tables keyed by the verdict */
	char summary[640]; /* one sentence with the numbers; a chain's quotes the verdicts below */
	char advice[320]; /* the concrete fix */
	unsigned int nevidence;
	struct cause_kv evidence[CAUSE_MAX_EVIDENCE];
};

/* The inputs of a verdict beyond the event itself. Fields may be NULL when not gathered. */
struct cause_input {
	const struct event *ev;
	const struct sysinfo *sys;
	const struct memcg_info *memcg;
	/* The verdict already given to the event ev->caused_by names (a failure deeper in the
	 * same syscall), if the caller kept it: a syscall that failed because an allocation
	 * inside it failed takes that allocation's cause. */
	const struct cause *deeper;
};

/* Decide the cause of one event. Always fills out (code "unknown" with the raw evidence when no
 * rule matches). Returns 0, or -EINVAL if in, in->ev or out is NULL. */
int cause__explain(const struct cause_input *in, struct cause *out);

/* Each source's rules, its event type descriptor's explain (user/type_*.c); always fill out. */
void cause__explain_syscall(const struct cause_input *in, struct cause *out);
void cause__explain_page_alloc(const struct cause_input *in, struct cause *out);
void cause__explain_slab(const struct cause_input *in, struct cause *out);
void cause__explain_oom(const struct cause_input *in, struct cause *out);
void cause__explain_memcg_charge(const struct cause_input *in, struct cause *out);

/* Every code cause__explain() can give, "unknown" last; *n gets the count (CAUSE_NR_CODES). */
const char *const *cause__codes(unsigned int *n);

/* The name of a code ("rlimit_as"); "unknown" for a value out of range. */
const char *cause__code_name(enum cause_code code);

/* The code of a name; CAUSE_UNKNOWN for NULL or a name not listed (a verdict read from a
 * record file carries only the name). */
enum cause_code cause__code_of(const char *name);

/* Above this fragmentation index compaction helps (the kernel's default extfrag_threshold). */
#define CAUSE_EXTFRAG_THRESHOLD 500

/* A zone as a failed page allocation saw it; pages unless named otherwise. */
struct cause_zone {
	const char *zone; /* "Normal", ...; NULL if unknown */
	int node;
	unsigned int order; /* of the failed allocation */
	uint64_t free_blocks[AF_NR_ORDERS];
	uint64_t free_pages; /* NR_FREE_PAGES; 0: the sum over free_blocks */
	uint64_t wmark_min; /* watermark_boost included, as min_wmark_pages() */
	uint64_t wmark_low, wmark_high;
	bool after; /* a /proc snapshot taken after the failure, not the slowpath's view */
	bool can_reclaim; /* __GFP_DIRECT_RECLAIM: the allocation could reclaim and compact */
	bool have_reclaim; /* the slowpath's reclaim numbers below are known */
	uint64_t nr_reclaimed;
	uint64_t reclaimable;
	int no_progress_loops;
	int64_t swap_free_kb; /* -1 if unknown */
	int64_t swap_total_kb;
	uint64_t page_size; /* 0: 4096 */
};

/*
 * fragmentation / exhaustion, mirroring __zone_watermark_ok() (mm/page_alloc.c): free pages
 * at or below the min watermark is exhaustion; otherwise, for order > 0, no free block of the
 * order is fragmentation when __fragmentation_index() > extfrag_threshold and exhaustion (the
 * kernel's reading: "lack of memory") when at or below it. Returns true with out filled, or
 * false (out untouched) when the zone would have served the allocation.
 */
bool cause__fragmentation(const struct cause_zone *z, struct cause *out);

/* An OOM kill, for the oom_kill verdict. */
struct cause_oom {
	const char
		*constraint; /* "memcg", "global", "cpuset", "mempolicy", "sysrq"; NULL: unknown */
	const char *memcg; /* the memcg at its limit (memcg constraint), NULL if unknown */
	const struct memcg_info *memcg_info; /* its state, NULL if not read */
	uint32_t victim_pid;
	const char *victim_comm;
	uint64_t victim_total_vm_kb;
	uint64_t victim_rss_kb; /* anon + file + shmem */
	uint64_t victim_anon_rss_kb;
	int order; /* of the allocation that triggered it; -1: sysrq */
	int64_t mem_total_kb; /* -1 if unknown */
	int64_t swap_total_kb;
	int64_t swap_free_kb;
};

/* Always fills out with code "oom_kill"; summary and advice follow the constraint (the kernel's
 * constrained_alloc() / mem_cgroup_oom() decide it, mm/oom_kill.c). */
void cause__oom_kill(const struct cause_oom *o, struct cause *out);

/* A failed slab allocation (kmem_cache_alloc / kmalloc returning NULL). */
struct cause_slab {
	const char *cache; /* kmem_cache name; NULL or "" for kmalloc */
	bool kmalloc;
	bool accounted; /* __GFP_ACCOUNT or a SLAB_ACCOUNT cache: charged to the memcg */
	uint64_t bytes_req;
	uint64_t bytes_alloc;
	const char *memcg; /* path of the memcg charged, NULL if unknown */
	const struct memcg_info *memcg_info;
	const struct cause *deeper; /* the page allocation failure it follows, if known */
	uint64_t page_size; /* 0: 4096 */
};

/* memcg_limit when charged to a memcg at its limit, else "slab" (the caller's size beyond
 * KMALLOC_MAX_SIZE, or the slab allocator could not get pages: see deeper). Always fills. */
void cause__slab(const struct cause_slab *s, struct cause *out);

/* The file of a memory cgroup's limit: v1's memory+swap one (memsw), else memory's on the
 * hierarchy's version (1 or 2). */
const char *cause__limit_file(int version, bool memsw);

/* A memcg at its limit explains a failed charge of charge_bytes (0: a small kernel object) when
 * its usage is within max(charge_bytes, 1 MiB) of the limit: the margin covers the per-CPU
 * charge stocks (64 pages each) and, for a usage read after the failure, what was freed since.
 * With BPF's snapshot (mi->at_failure) the memcg judged is the binding level: an ancestor's
 * limit is named with the ancestor's path (evidence "memcg"; "charged_memcg" is path). `what`
 * names the failed call in the summary. Returns true with out filled (memcg_limit). */
bool cause__memcg(const struct memcg_info *mi, const char *path, uint64_t charge_bytes,
		  const char *what, struct cause *out);

#endif
