/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every process's executable file mappings, kept as the kernel reports them (perf MMAP2, FORK,
 * COMM exec and EXIT records on one dummy software event per CPU), so a process that failed
 * and died before its event was read can still be symbolized. Processes older than the tracer
 * are read once from /proc/PID/maps. Records are applied in time order, up to the time of the
 * event about to be symbolized, so the model shows the process as it was when it failed.
 * Bounded: processes, mappings per process and how long the dead are kept. Not thread-safe.
 */
#ifndef ALLOCFAIL_PROCMAPS_H
#define ALLOCFAIL_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>

#define PM_BUILD_ID_MAX 20

/* One executable file mapping. path is owned by the model; valid until the next update. */
struct pm_map {
	uint64_t start, end, pgoff;
	const char *path;
	uint32_t maj, min; /* both 0 when unknown (the kernel sent a build-id instead) */
	uint64_t ino;
	uint8_t build_id[PM_BUILD_ID_MAX];
	uint8_t build_id_len; /* 0: unknown */
};

/* What a process looks like now (in model time). Valid until the next update or lookup. */
struct pm_view {
	const struct pm_map *maps; /* sorted by start, not overlapping */
	unsigned int n;
	bool alive;
	uint64_t gen; /* changes whenever maps change, or the pid names another process */
};

struct pm_limits {
	unsigned int max_procs;	    /* beyond it the least recently used process goes */
	unsigned int max_maps;	    /* per process; further mappings are dropped */
	uint64_t dead_keep_ns;	    /* how long an exited process stays, in record time */
};

#define PM_DEFAULT_MAX_PROCS 8192
#define PM_DEFAULT_MAX_MAPS 2048
#define PM_DEFAULT_DEAD_KEEP_NS 2000000000ULL

/* What was dropped or missed, for -v. */
struct pm_stats {
	unsigned int procs, maps; /* held now */
	uint64_t records;	  /* perf records applied */
	uint64_t lost;		  /* perf records the kernel could not write (ring full) */
	uint64_t evicted;	  /* live processes pushed out by max_procs */
	uint64_t maps_dropped;	  /* mappings beyond max_maps */
	uint64_t seeded;	  /* processes read from /proc */
};

struct procmaps;

/* The model alone, without the kernel channel (NULL limits: defaults). NULL if out of memory. */
struct procmaps *procmaps__new(const struct pm_limits *lim);
void procmaps__free(struct procmaps *pm); /* NULL-safe */

/* Open the kernel channel: one perf dummy event per online CPU. 0, or -errno (refused: the
 * caller goes on without; the model then only holds what /proc showed). */
int procmaps__open_perf(struct procmaps *pm);
bool procmaps__has_perf(const struct procmaps *pm);

/* Read /proc/PID/maps of every process now (those older than the tracer). Returns how many
 * had mappings (kernel threads have none). */
unsigned int procmaps__seed_all(struct procmaps *pm);
/* One process; 0 or -errno. */
int procmaps__seed(struct procmaps *pm, uint32_t pid);

/* Apply the kernel's records up to until_ns (CLOCK_BOOTTIME), in time order; later ones wait. */
void procmaps__advance(struct procmaps *pm, uint64_t until_ns);

/* The model's operations, as the records drive them (public for the unit tests). ts_ns orders
 * them; dead processes are freed dead_keep_ns after their exit, in this time. */
void procmaps__mmap(struct procmaps *pm, uint64_t ts_ns, uint32_t pid, const struct pm_map *m);
void procmaps__fork(struct procmaps *pm, uint64_t ts_ns, uint32_t pid, uint32_t ppid);
void procmaps__exec(struct procmaps *pm, uint64_t ts_ns, uint32_t pid);
void procmaps__exit(struct procmaps *pm, uint64_t ts_ns, uint32_t pid);
/* Replace pid's mappings by the text of a /proc/PID/maps file (executable file lines only). */
int procmaps__load_maps(struct procmaps *pm, uint64_t ts_ns, uint32_t pid, const char *text);

/* pid's mappings, if the model knows the process. */
bool procmaps__get(struct procmaps *pm, uint32_t pid, struct pm_view *out);

void procmaps__stats(const struct procmaps *pm, struct pm_stats *st);

#endif
