/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The diagnosis' tables, private to its modules: the tally and the sink (diagnosis.c), the fix
 * per cause (diagnosis_fix.c), and the text and JSON renderers (diagnosis_text.c,
 * diagnosis_json.c).
 */
#ifndef ALLOCFAIL_DIAGNOSIS_TALLY_H
#define ALLOCFAIL_DIAGNOSIS_TALLY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "cause.h"
#include "common.h"
#include "diagnosis.h"

/* Every table entry starts with this: what it counts, keyed by a number (a pid, a hash, the
 * address of an interned string). */
struct tally {
	uint64_t key;
	uint64_t count;
};

struct diag_proc {
	struct tally t; /* key: pid */
	char comm[AF_COMM_LEN + 1];
};

struct diag_cgroup {
	struct tally t; /* key: the interned path */
	const char *path;
};

struct diag_stack {
	struct tally t; /* key: hash of the identity */
	unsigned int nuser, nkernel;
	bool user_more; /* more user frames than shown, or the capture was truncated */
	const char *user[DIAG_USER_FRAMES];
	const char *kernel[DIAG_KERNEL_FRAMES];
};

struct diag_memcg {
	struct tally t; /* key: the interned path */
	const char *path;
	struct memcg_info at_failure; /* as the latest event's enrich step read it */
	struct memcg_info now;	      /* as the settings hold it */
	char dir[PATH_MAX];	      /* its directory, "" if the hierarchy was not found */
};

struct diag_cause {
	struct tally t; /* key: the code, + 1 */
	enum cause_code id;
	const char *code; /* its name */
	struct cause last; /* the latest event's verdict: summary, advice, evidence */
	bool has_last;
	int64_t need; /* the largest requirement seen (fix_rule.need), -1: none */
	struct diag_proc procs[DIAG_MAX_PROCS];
	unsigned int nprocs;
	uint64_t procs_other;
	struct diag_cgroup cgroups[DIAG_MAX_CGROUPS];
	unsigned int ncgroups;
	uint64_t cgroups_other;
	struct diag_stack stacks[DIAG_MAX_STACKS];
	unsigned int nstacks;
	uint64_t stacks_other;
};

struct diagnosis {
	struct sink sink; /* first: the sink handed out is the diagnosis */
	bool json;
	struct strpool *pool; /* names, codes and paths outlive the events they came from */
	uint64_t events;
	struct diag_cause causes[DIAG_MAX_CAUSES];
	unsigned int ncauses;
	uint64_t causes_other;
	struct diag_memcg memcgs[DIAG_MAX_MEMCGS];
	unsigned int nmemcgs;
	uint64_t memcgs_other;
	/* the settings handed to end(), as the renderers and fixes use them */
	struct sysinfo sys;   /* -1 where unknown */
	char mount[PATH_MAX]; /* the memory controller's hierarchy, "" if not found */
	int version;
	bool recorded; /* a report's: the recorded machine's, not this one's */
};

/* order[0..n) gets the table's indexes by count, largest first; ties keep their arrival. */
void diag__rank(const void *table, size_t size, unsigned int n, unsigned int *order);

#define RANK(tab, n, order) diag__rank((tab), sizeof((tab)[0]), (n), (order))

/* ---- diagnosis_fix.c ---- */

/* Keeps the latest verdict of cause c and the largest requirement seen (v may be NULL). */
void diag_fix__note(struct diag_cause *c, const struct cause *v);
/* The checklist line of a cause: its rule's, built into buf, else the latest advice. */
const char *diag_fix__line(const struct diagnosis *d, const struct diag_cause *c, char *buf,
			   size_t len);
/* common__human_bytes(), "?" for an unknown (negative) size */
const char *diag__bytes(int64_t b, char *buf, size_t len);
/* kB to bytes, saturating; unknown (negative) stays negative */
int64_t diag__kib(int64_t kb);

#define H(b) diag__bytes((b), (char[HUMAN_BYTES_LEN]){ 0 }, HUMAN_BYTES_LEN)

/* ---- the renderers: the block or line on d->sink.out; 0 or -errno ---- */

int diag_text__write(const struct diagnosis *d, uint64_t lost, uint64_t skipped);
int diag_json__write(const struct diagnosis *d, uint64_t lost, uint64_t skipped);

#endif
