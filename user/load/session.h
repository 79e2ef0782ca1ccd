/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF side of a tracing session: open → configure rodata → choose hooks → load → attach →
 * poll → detach. */
#ifndef ALLOCFAIL_SESSION_H
#define ALLOCFAIL_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include "bpf/allocfail.h"

struct session;
struct kallsyms;

struct session_opts {
	const uint32_t *pids; /* traced tgids; NULL/0: no pid filter */
	unsigned int npids;
	bool pid_filter;      /* filter on the pid set even if it starts empty */
	bool follow_forks;
	bool cgroup_filter;
	uint64_t cgroup_id;
	int cgroup_ssid;
	const char *comm;     /* NULL: any */
	bool kstack, ustack;
	bool ustack_dwarf;    /* copy registers and stack for DWARF unwinding (struct af_utail) */
	uint32_t ustack_size; /* bytes of stack copied, AF_USTACK_SIZE_MIN..MAX, x8 */
	enum af_hook_kind max_hook; /* use no hook kind better than this; AF_HOOK_NONE: any */
	/* called for every ring-buffer record; a negative return stops polling */
	int (*on_record)(void *ctx, void *data, size_t size);
	/* in-kernel aggregation: off, one record per site per detail_interval_ns after the first
	 * (0: 1 s; UINT64_MAX: the first only), sites map size (0: AF_MAX_SITES_DEFAULT) */
	bool no_aggregate;
	uint64_t detail_interval_ns;
	uint32_t max_sites;
	/* called for every site at each flush (session__flush_sites); a negative return stops */
	int (*on_site)(void *ctx, const struct af_site_key *k, const struct af_site_val *v,
		       bool final);
	/* where kernel functions lie, for the kernel-side site keys; NULL: not known */
	struct kallsyms *ksyms;
	void *ctx; /* of on_record and on_site */
};

/* NULL on failure, after logging one line. A program the kernel refuses makes its source fall
 * back to the next rung of its ladder (one warning each); only a required source with no rung
 * left, or a refusal that names no program, fails the session. */
struct session *session__open(const struct session_opts *opts);
struct hook_bans;
/* Load and attach every source's programs as a session would, tracing nothing, to learn which
 * rungs the kernel refuses beyond what probing shows (for check). 0, or -errno after one line. */
int session__learn_bans(struct hook_bans *bans);
/* The hook each traced source uses: "syscall tp_btf sys_exit, page_alloc tp_btf ...". */
const char *session__hooks(const struct session *s);
int session__poll(struct session *s, int timeout_ms); /* records handled, or -errno */
int session__drain(struct session *s);
/* Per-type counters summed over CPUs: failures matched, records lost (ring buffer full).
 * -1 with a line when a counter cannot be read: never a zero that was not counted. */
int session__counts(struct session *s, uint64_t seen[AF_EV_TYPE_MAX],
		    uint64_t lost[AF_EV_TYPE_MAX]);
/* Hand every site's counters to on_site (final: after session__detach and the last drain);
 * refreshes what the site keys compare against (vm.max_map_count). */
int session__flush_sites(struct session *s, bool final);
/* The aggregation's counters summed over CPUs (enum af_site_stat); -1 as session__counts. */
int session__site_stats(struct session *s, uint64_t stats[AF_SSTAT_MAX]);
/* Runs of the programs the kernel skipped (one was running on that CPU already): by the type
 * of failure their source reports, and for the others (context, process following). -1 with a
 * line if unreadable. */
int session__skipped(struct session *s, uint64_t by_type[AF_EV_TYPE_MAX], uint64_t *other);
/* Say once, when it first happens, that the kernel skips runs of the failure programs: a long
 * session would otherwise tell only at its end. */
void session__tell_skips(struct session *s);
/* Processes a traced one forked that the full `traced` map could not hold, so untraced; said
 * once on stderr when first seen (session__tell_skips() looks too). -1 as session__counts. */
int session__traced_full(struct session *s, uint64_t *n);
/* Under -v: the open chains the BPF count holds and the chains map's entries (both 0 once every
 * chain was closed by its syscall's exit or its thread's). */
void session__tell_chains(struct session *s);
/* Detach every program: nothing more is counted or sent; the maps stay readable. */
void session__detach(struct session *s);
void session__close(struct session *s); /* NULL-safe; detaches everything */

#endif
