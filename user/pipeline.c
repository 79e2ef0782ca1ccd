// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cause.h"
#include "cgroups.h"
#include "common.h"
#include "decode.h"
#include "frag.h"
#include "kallsyms.h"
#include "pipeline.h"
#include "procinfo.h"
#include "procmaps.h"
#include "sites.h"
#include "symbolize.h"
#include "syscalls.h"
#include "unwind.h"

/* What the sites' enriched records may hold (user/sites.h). */
#define SITE_CACHE_BYTES (8u << 20)

struct pipeline {
	struct sink *sinks[PIPELINE_MAX_SINKS];
	unsigned int nsinks;
	struct kallsyms *ksyms; /* the caller's */
	struct symbolizer *sym;
	struct procmaps *pm; /* NULL if it could not be had: symbols then come from /proc only */
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
	struct unwound uw;
	struct sites *sites;
	uint64_t site_stats[AF_SSTAT_MAX];
	pthread_t warm;
	bool warming; /* warm_up() may still run: nothing else touches sym until warm_wait() */
};

/* Mappings as the kernel reports them, so processes that exit at once are still symbolized.
 * Opened before the BPF programs attach; then the processes already running are read. */
static struct procmaps *maps_open(void)
{
	struct procmaps *pm = procmaps__new(NULL);
	int err;

	if (!pm)
		return NULL;
	err = procmaps__open_perf(pm);
	if (err) {
		elog("warning: cannot follow mappings (perf_event_open: %s): processes that exit "
		     "before their event is read show unresolved user frames", strerror(-err));
		procmaps__free(pm);
		return NULL;
	}
	vlog("mappings: %u processes read from /proc", procmaps__seed_all(pm));
	return pm;
}

static void maps_close(struct procmaps *pm)
{
	struct pm_stats st;

	if (!pm)
		return;
	procmaps__stats(pm, &st);
	/* a lost mapping record can leave frames unresolved: never only under -v */
	if (st.lost || st.evicted || st.maps_dropped)
		elog("warning: mappings: %llu records lost, %llu live processes evicted, %llu "
		     "mappings dropped: some user frames may be unresolved",
		     (unsigned long long)st.lost, (unsigned long long)st.evicted,
		     (unsigned long long)st.maps_dropped);
	vlog("mappings: %llu records, %llu lost, %llu live processes evicted, %llu mappings "
	     "dropped; %u processes held at the end", (unsigned long long)st.records,
	     (unsigned long long)st.lost, (unsigned long long)st.evicted,
	     (unsigned long long)st.maps_dropped, st.procs);
	procmaps__free(pm);
}

/* The tracer's own C library (most processes share it), read while the BPF programs load
 * rather than at the first event */
static void *warm_up(void *arg)
{
	struct pipeline *p = arg;

	symbolizer__warm_libc(p->sym);
	return NULL;
}

static void warm_start(struct pipeline *p)
{
	p->warming = !common__thread_start(&p->warm, warm_up, p);
	if (!p->warming)
		warm_up(p);
}

/* Before anything uses the symbolizer. */
static void warm_wait(struct pipeline *p)
{
	if (p->warming)
		pthread_join(p->warm, NULL);
	p->warming = false;
}

void pipeline__tick(struct pipeline *p)
{
	struct timespec ts;

	/* done yet? then its thread goes */
	if (p->warming && !pthread_tryjoin_np(p->warm, NULL))
		p->warming = false;
	if (!p->pm)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	/* events older than this were all read by now: their records may be applied */
	procmaps__advance(p->pm, (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec -
					 100000000ULL);
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
	p->ksyms = ksyms;
	p->sym = symbolizer__new();
	p->cg = cgroups__new();
	p->sites = sites__new(SITE_CACHE_BYTES);
	if (!p->sym || !p->cg || !p->sites) {
		pipeline__free(p);
		return NULL;
	}
	p->wall_offset_ns = decode__wall_offset_ns();
	p->pm = maps_open();
	symbolizer__set_procmaps(p->sym, p->pm);
	/* now, not at the first event, whose evidence may go with its process */
	warm_start(p);
	return p;
}

void pipeline__free(struct pipeline *p)
{
	if (!p)
		return;
	warm_wait(p);
	symbolizer__free(p->sym);
	maps_close(p->pm);
	cgroups__free(p->cg);
	sites__free(p->sites);
	free(p);
}

/* The innermost kernel frames are the tracer's own (the BPF program and the tracepoint
 * machinery that called it): drop them so the stack starts where the failure is. */
static bool is_tracer_frame(const char *sym)
{
	static const char *const prefixes[] = {
		"bpf_prog_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "trace_call_bpf",
		"perf_trace_run_bpf_submit", "perf_trace_", "perf_tp_event", "bpf_get_stack",
		"__bpf_get_stack", "trace_event_raw_event_", "__probestub_",
	};

	for (size_t i = 0; sym && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(sym, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static void trim_tracer_frames(struct stack *st)
{
	unsigned int skip = 0;

	while (skip < st->n && is_tracer_frame(st->frames[skip].sym))
		skip++;
	if (!skip)
		return;
	memmove(st->frames, st->frames + skip, (st->n - skip) * sizeof(st->frames[0]));
	st->n -= skip;
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

/* The memcg an event concerns: the one the kernel named, else the task's own. */
static uint64_t event_memcg_id(const struct event *ev)
{
	if (ev->type == AF_EV_MEMCG_CHARGE)
		return ev->raw.memcg->memcg_id;
	if (ev->type == AF_EV_OOM_KILL && ev->raw.oom->oc_memcg_id)
		return ev->raw.oom->oc_memcg_id;
	return ev->raw.h->memcg_id;
}

/* Usage and limits as BPF saw them at the failure (the header's snapshot, of this same memcg);
 * from cgroupfs what BPF does not read (failure and OOM counters), as they are now. */
static void read_memcg(struct pipeline *p, struct event *ev)
{
	const struct af_memcg_snap *s = &ev->raw.h->memcg;
	uint64_t id = event_memcg_id(ev);
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
	if (ev->type == AF_EV_MEMCG_CHARGE || ev->type == AF_EV_OOM_KILL)
		ev->memcg = cgroups__memcg_path(p->cg, id);
}

static bool kstack_has(const struct event *ev, const char *sym)
{
	for (unsigned int i = 0; i < ev->kstack.n; i++)
		if (ev->kstack.frames[i].sym && strstr(ev->kstack.frames[i].sym, sym))
			return true;
	return false;
}

/* Without oom_control (tracepoint path) the trigger's kernel stack tells who called
 * out_of_memory(): the memcg charge path, sysrq, or the page allocator (global). */
static const char *oom_constraint(const struct event *ev)
{
	static const char *const names[] = {
		[AF_OOM_NONE] = "global", [AF_OOM_CPUSET] = "cpuset",
		[AF_OOM_MEMORY_POLICY] = "mempolicy", [AF_OOM_MEMCG] = "memcg",
	};
	const struct af_oom_kill *o = ev->raw.oom;

	if (o->flags & AF_OOM_SYSRQ || kstack_has(ev, "moom_callback"))
		return "sysrq";
	if (o->flags & AF_OOM_FROM_FENTRY && o->constraint > AF_OOM_UNKNOWN &&
	    o->constraint <= AF_OOM_MEMCG)
		return names[o->constraint];
	if (kstack_has(ev, "mem_cgroup_out_of_memory") || kstack_has(ev, "mem_cgroup_oom"))
		return "memcg";
	return ev->kstack.n ? "global" : NULL;
}

/* What the failed request asked for, the weight of `--weight bytes`. */
static uint64_t event_bytes(const struct event *ev)
{
	switch (ev->type) {
	case AF_EV_SYSCALL:
		return ev->raw.sc->req_bytes; /* bpf/syscall.bpf.c request_bytes() */
	case AF_EV_PAGE_ALLOC:
		return 4096ULL << ev->raw.pa->order;
	case AF_EV_SLAB:
		return ev->raw.slab->bytes_req;
	case AF_EV_MEMCG_CHARGE:
		return ev->raw.memcg->nr_pages * 4096;
	default:
		return 0;
	}
}

/* What the failure's context is now or was then: its memory cgroup, zone, OOM constraint. */
static void enrich(struct pipeline *p, struct event *ev)
{
	read_memcg(p, ev);
	if (ev->type == AF_EV_PAGE_ALLOC && !frag__from_event(ev->raw.pa, &p->frag))
		ev->frag = &p->frag;
	if (ev->type == AF_EV_OOM_KILL) {
		ev->oom_constraint = oom_constraint(ev);
		ev->victim_cgroup = cgroups__memcg_path(p->cg, ev->raw.oom->victim_memcg_id);
	}
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

/* DWARF-unwound from the record's registers and stack bytes when it has them and they unwind;
 * else the frame-pointer walk BPF made. */
static void user_stack(struct pipeline *p, struct event *ev, const struct af_header *h)
{
	const struct af_utail *t = decode__utail(h);
	struct stack *st = &ev->ustack;
	Dwfl *dwfl;

	if (t && (t->flags & AF_UT_REGS)) {
		dwfl = symbolizer__user_dwfl(p->sym, h->pid, t->regs[AF_UREG_IP]);
		if (dwfl && !unwind__stack(dwfl, h->tid, t, &p->uw)) {
			st->truncated = p->uw.end != STACK_END_COMPLETE;
			symbolizer__user_pcs(p->sym, h->pid, p->uw.pc, p->uw.exact, p->uw.n, st);
			st->unwind = STACK_UNWIND_DWARF;
			st->end = p->uw.end;
			return;
		}
	}
	/* __u64 and uint64_t differ in type only */
	symbolizer__user_stack(p->sym, h->pid, (const uint64_t *)h->ustack, h->ustack_len, st);
	st->truncated |= h->ustack_len == AF_MAX_STACK;
	if (h->ustack_len) {
		st->unwind = STACK_UNWIND_FP;
		st->end = h->ustack_len == AF_MAX_STACK ? STACK_END_MAX_DEPTH : STACK_END_FP_CHAIN;
	}
}

/* Symbolize, enrich and explain a decoded record (ev->raw). */
static void process(struct pipeline *p, struct event *ev)
{
	const struct af_header *h = ev->raw.h;

	ev->cgroup = cgroups__event_path(p->cg, h->cgroup_id, h->memcg_id);
	if (p->pm) /* the mappings as they were at the failure */
		procmaps__advance(p->pm, h->ts_ns);
	/* __u64 and uint64_t differ in type only */
	kallsyms__stack(p->ksyms, (const uint64_t *)h->kstack, h->kstack_len, &ev->kstack);
	trim_tracer_frames(&ev->kstack);
	ev->kstack.truncated |= h->kstack_len == AF_MAX_STACK || (h->flags & AF_HF_KSTACK_ERR);
	ev->bytes = event_bytes(ev);
	/* the memcg's counters are read now, before the user stack (debug info, unwinding)
	 * takes its time (its usage and limits are BPF's, from the failure) */
	enrich(p, ev);
	user_stack(p, ev, h);
	explain(p, ev);
}

static int dispatch(struct pipeline *p, struct event *ev)
{
	p->sum.events += ev->count;
	p->sum.by_type[ev->type] += ev->count;
	count_process(&p->sum, ev);
	for (unsigned int i = 0; i < p->nsinks; i++)
		if (sink__event(p->sinks[i], ev) < 0)
			return -1;
	return 0;
}

int pipeline__on_record(void *ctx, void *data, size_t size)
{
	struct pipeline *p = ctx;
	struct event *ev = &p->ev;
	char why[160];

	warm_wait(p);
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

	warm_wait(p);
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

int pipeline__finish(struct pipeline *p, const uint64_t lost[AF_EV_TYPE_MAX],
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
	for (unsigned int i = 0; i < p->nsinks; i++)
		if (sink__end(p->sinks[i], &p->sum) < 0)
			return -1;
	return 0;
}
