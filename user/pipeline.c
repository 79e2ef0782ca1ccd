// SPDX-License-Identifier: GPL-2.0
/*
 * One record: decode, its stacks (user/enrich/stacks.h) and its context (cgroup paths, the memory
 * cgroup's state, the zone's fragmentation), its verdict, then every sink; a record of a site is
 * kept as enriched (user/enrich/sites.h) to describe the site's count updates.
 */
#include <stdlib.h>
#include <string.h>
#include "cause.h"
#include "cgroups.h"
#include "common.h"
#include "decode.h"
#include "event_type.h"
#include "frag.h"
#include "pipeline.h"
#include "procinfo.h"
#include "sites.h"
#include "stacks.h"
#include "syscalls.h"

/* What the sites' enriched records may hold (user/enrich/sites.h). */
#define SITE_CACHE_BYTES (8u << 20)

struct pipeline {
	struct sink *sinks[PIPELINE_MAX_SINKS];
	unsigned int nsinks;
	struct stacks *stacks;
	struct cgroups *cg;
	int64_t wall_offset_ns;
	struct sysinfo sys;
	struct summary sum;
	uint64_t malformed;
	struct event ev; /* large (stacks): one, reused */
	struct cause cause;
	struct cause prev_cause; /* the previous event's verdict, for the next of its chain */
	uint64_t prev_id;
	struct memcg_info memcg;
	struct frag_info frag;
	struct sites *sites;
	uint64_t site_stats[AF_SSTAT_MAX];
};

void pipeline__tick(struct pipeline *p)
{
	stacks__tick(p->stacks);
}

struct pipeline *pipeline__new(struct sink *const *sinks, unsigned int nsinks,
			       struct kallsyms *ksyms)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p || nsinks > PIPELINE_MAX_SINKS) {
		free(p);
		return NULL;
	}
	memcpy(p->sinks, sinks, nsinks * sizeof(*sinks));
	p->nsinks = nsinks;
	p->stacks = stacks__new(ksyms);
	p->cg = cgroups__new();
	p->sites = sites__new(SITE_CACHE_BYTES);
	if (!p->stacks || !p->cg || !p->sites) {
		pipeline__free(p);
		return NULL;
	}
	p->wall_offset_ns = decode__wall_offset_ns();
	return p;
}

void pipeline__free(struct pipeline *p)
{
	if (!p)
		return;
	stacks__free(p->stacks);
	cgroups__free(p->cg);
	sites__free(p->sites);
	free(p);
}

static void count_process(struct summary *sum, const struct event *ev)
{
	for (unsigned int i = 0; i < sum->nprocs; i++) {
		if (sum->procs[i].pid == ev->pid) {
			sum->procs[i].events += ev->count;
			return;
		}
	}
	if (sum->nprocs == SUMMARY_MAX_PROCS) {
		sum->procs_other += ev->count;
		return;
	}
	sum->procs[sum->nprocs].pid = ev->pid;
	strcpy(sum->procs[sum->nprocs].comm, ev->comm);
	sum->procs[sum->nprocs].events = ev->count;
	sum->nprocs++;
}

/* The memcg an event concerns: the one the kernel named (its type's descriptor), else the
 * task's own. */
static uint64_t event_memcg_id(const struct event *ev, const struct event_type_desc *d)
{
	uint64_t id = d && d->memcg_id ? d->memcg_id(ev) : 0;

	return id ? id : ev->raw.h->memcg_id;
}

/* Usage and limits as BPF saw them at the failure (the header's snapshot, of this same memcg);
 * from cgroupfs what BPF does not read (failure and OOM counters), as they are now. */
static void read_memcg(struct pipeline *p, struct event *ev, const struct event_type_desc *d)
{
	const struct af_memcg_snap *s = &ev->raw.h->memcg;
	uint64_t id = event_memcg_id(ev, d);
	const char *dir;
	int version = cgroups__memcg_version(p->cg);

	memset(&p->memcg, 0, sizeof(p->memcg));
	dir = cgroups__memcg_dir(p->cg, id, &version);
	if (dir)
		memcg_info__read(dir, version, &p->memcg);
	if (s->memcg_id == id)
		memcg_info__at_failure(&p->memcg, s, version,
				       cgroups__memcg_path(p->cg, s->bind_id));
	if (p->memcg.valid)
		ev->memcg_info = &p->memcg;
	if (d && d->names_memcg)
		ev->memcg = cgroups__memcg_path(p->cg, id);
}

/* What the failure's context is now or was then: its memory cgroup, zone, OOM constraint. */
static void enrich(struct pipeline *p, struct event *ev)
{
	const struct event_type_desc *d = event_type__get(ev->type);
	const struct enrich_ctx c = { .cg = p->cg, .frag = &p->frag };

	ev->bytes = event_type__request_bytes(ev); /* the weight of `--weight bytes` */
	read_memcg(p, ev, d);
	if (d && d->enrich)
		d->enrich(ev, &c);
}

static void explain(struct pipeline *p, struct event *ev)
{
	struct cause_input in = { .ev = ev, .sys = &p->sys, .memcg = ev->memcg_info };

	/* chains arrive deepest first: a syscall that failed because of the allocation before
	 * it takes that allocation's verdict; when that allocation was counted in a site, the
	 * verdict of the site's latest record */
	if (ev->caused_by && ev->caused_by == p->prev_id)
		in.deeper = &p->prev_cause;
	else
		in.deeper = sites__verdict(p->sites, ev->cause_site);
	sysinfo__refresh(&p->sys, 0);
	if (!cause__explain(&in, &p->cause))
		ev->cause = &p->cause;
	p->prev_id = ev->id;
	if (ev->cause)
		p->prev_cause = p->cause;
	else
		p->prev_id = 0;
}

/* Symbolize, enrich and explain a decoded record (ev->raw). */
static void process(struct pipeline *p, struct event *ev)
{
	const struct af_header *h = ev->raw.h;

	ev->cgroup = cgroups__event_path(p->cg, h->cgroup_id, h->memcg_id);
	stacks__kernel(p->stacks, h, &ev->kstack);
	/* the memcg's counters are read now, before the user stack (debug info, unwinding)
	 * takes its time (its usage and limits are BPF's, from the failure) */
	enrich(p, ev);
	stacks__user(p->stacks, h, &ev->ustack);
	explain(p, ev);
}

static int dispatch(struct pipeline *p, struct event *ev)
{
	p->sum.events += ev->count;
	p->sum.by_type[ev->type] += ev->count;
	count_process(&p->sum, ev);
	/* a sink that fails says so and is counted (sink.h); tracing and the others go on */
	for (unsigned int i = 0; i < p->nsinks; i++)
		sink__event(p->sinks[i], ev);
	return 0;
}

int pipeline__on_record(void *ctx, void *data, size_t size)
{
	struct pipeline *p = ctx;
	struct event *ev = &p->ev;
	char why[160];

	if (decode__record(data, size, p->wall_offset_ns, ev, why, sizeof(why))) {
		if (!p->malformed++)
			elog("malformed record from BPF (%s); counting, not showing", why);
		return 0;
	}
	process(p, ev);
	if (ev->site)
		sites__record(p->sites, ev);
	return dispatch(p, ev);
}

int pipeline__on_site(void *ctx, const struct af_site_key *k, const struct af_site_val *v,
		      bool final)
{
	struct pipeline *p = ctx;
	struct event *ev = &p->ev;

	switch (sites__update(p->sites, k, v, final, p->wall_offset_ns, ev)) {
	case SITES_UPDATE_NONE:
		return 0;
	case SITES_UPDATE_BARE: /* its context as it is now */
		enrich(p, ev);
		break;
	case SITES_UPDATE_DETAIL:
		break;
	}
	p->sum.aggregated += ev->count;
	return dispatch(p, ev);
}

void pipeline__site_stats(struct pipeline *p, const uint64_t stats[AF_SSTAT_MAX])
{
	memcpy(p->site_stats, stats, sizeof(p->site_stats));
}

void pipeline__skipped(struct pipeline *p, const uint64_t by_type[AF_EV_TYPE_MAX],
		       uint64_t other)
{
	p->sum.skipped = 0;
	for (int t = 0; t < AF_EV_TYPE_MAX; t++) {
		p->sum.skipped_by_type[t] = by_type[t];
		p->sum.skipped += by_type[t];
	}
	p->sum.skipped_other = other;
}

void pipeline__traced_full(struct pipeline *p, uint64_t n)
{
	p->sum.traced_full = n;
}

const struct summary *pipeline__finish(struct pipeline *p, const uint64_t lost[AF_EV_TYPE_MAX],
				      uint64_t duration_ns)
{
	p->sum.lost = p->malformed;
	for (int t = 0; t < AF_EV_TYPE_MAX; t++) {
		p->sum.lost_by_type[t] = lost[t];
		p->sum.lost += lost[t];
	}
	p->sum.duration_ns = duration_ns;
	p->sum.sites = sites__count(p->sites);
	p->sum.sites_full = p->site_stats[AF_SSTAT_FULL];
	p->sum.detail_lost = p->site_stats[AF_SSTAT_DETAIL_LOST];
	vlog("sites: %u, %llu of their enriched records dropped for the budget",
	     sites__count(p->sites), (unsigned long long)sites__evicted(p->sites));
	if (p->sum.lost)
		elog("WARNING: %llu events lost (ring buffer full%s); counts in the summary",
		     (unsigned long long)p->sum.lost, p->malformed ? " or malformed" : "");
	if (p->sum.skipped)
		elog("WARNING: the kernel skipped %llu runs of the failure programs (one was running "
		     "on that CPU already); failures among them are not counted",
		     (unsigned long long)p->sum.skipped);
	return &p->sum;
}
