// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cause.h"
#include "cgroups.h"
#include "common.h"
#include "decode.h"
#include "event_type.h"
#include "frag.h"
#include "pipeline.h"
#include "procinfo.h"
#include "procmaps.h"
#include "symbolize.h"
#include "syscalls.h"
#include "unwind.h"

/*
 * In-kernel aggregation, user side: what was reported of each site, and a copy of its latest
 * record to describe its count updates with. The table is open-addressed by site id and grows
 * with the kernel's map (bounded by --max-sites); the copies share a byte budget, the least
 * recently refreshed dropped first (their updates then go out minimal, still counted). A
 * kernel-side site keeps its latest verdict too: the failures above it in their chains (keyed by
 * it, their cause_site) take it, as a syscall takes the verdict of the record just before it.
 */
#define SITE_CACHE_BYTES (8u << 20)

struct site {
	uint32_t id;	   /* 0: free slot */
	uint32_t records;  /* records of the site received */
	uint64_t reported; /* of the kernel's count, already reported */
	uint64_t reported_bytes;
	uint64_t total;	   /* failures of the site reported, records included */
	uint64_t used;	   /* p->sites.clock when its copy was last set */
	void *rec;	   /* copy of its latest record, or NULL */
	uint32_t rec_size;
	struct cause *verdict; /* of that record, kernel-side types only; NULL if none */
};

struct sites {
	struct site *slots;
	uint32_t cap, n; /* cap a power of two */
	uint64_t cached_bytes, clock;
};

struct pipeline {
	struct sink *sinks[PIPELINE_MAX_SINKS];
	unsigned int nsinks;
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
	struct sites sites;
	uint64_t site_stats[AF_SSTAT_MAX];
	pthread_t warm;
	bool warming; /* warm_up() may still run: nothing else touches sym until warm_wait() */
	/* but for its kallsyms, read-only once warm_up() has said so here */
	pthread_mutex_t warm_lock;
	pthread_cond_t warm_cond;
	bool kernel_ready;
};

static void sites_free(struct sites *t);

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

/* kallsyms and the tracer's own C library (most processes share it), read while the BPF
 * programs load rather than before, or at the first event */
static void *warm_up(void *arg)
{
	struct pipeline *p = arg;

	symbolizer__load_kernel(p->sym);
	pthread_mutex_lock(&p->warm_lock);
	p->kernel_ready = true;
	pthread_cond_broadcast(&p->warm_cond);
	pthread_mutex_unlock(&p->warm_lock);
	symbolizer__warm_libc(p->sym);
	return NULL;
}

static void warm_start(struct pipeline *p)
{
	pthread_mutex_init(&p->warm_lock, NULL);
	pthread_cond_init(&p->warm_cond, NULL);
	p->warming = !common__thread_start(&p->warm, warm_up, p);
	if (!p->warming)
		warm_up(p);
}

/* Until kallsyms is read: the symbolizer's kernel table may be read beside warm_up() then. */
static void warm_wait_kernel(struct pipeline *p)
{
	pthread_mutex_lock(&p->warm_lock);
	while (!p->kernel_ready)
		pthread_cond_wait(&p->warm_cond, &p->warm_lock);
	pthread_mutex_unlock(&p->warm_lock);
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

struct pipeline *pipeline__new(struct sink *const *sinks, unsigned int nsinks)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p || nsinks > PIPELINE_MAX_SINKS) {
		free(p);
		return NULL;
	}
	memcpy(p->sinks, sinks, nsinks * sizeof(*sinks));
	p->nsinks = nsinks;
	p->sym = symbolizer__new();
	p->cg = cgroups__new();
	if (!p->sym || !p->cg) {
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
	sites_free(&p->sites);
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

static struct site *site_slot(struct sites *t, uint32_t id)
{
	for (uint32_t i = (id * 2654435761u) & (t->cap - 1);; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].id == id || !t->slots[i].id)
			return &t->slots[i];
}

/* The entry of site id, created if new; NULL without memory. */
static struct site *site_get(struct sites *t, uint32_t id)
{
	struct site *e;

	if ((t->n + 1) * 2 > t->cap) {
		struct sites grown = { .cap = t->cap ? t->cap * 2 : 1024 };

		grown.slots = calloc(grown.cap, sizeof(*grown.slots));
		if (!grown.slots)
			return NULL;
		for (uint32_t i = 0; i < t->cap; i++)
			if (t->slots[i].id)
				*site_slot(&grown, t->slots[i].id) = t->slots[i];
		free(t->slots);
		t->slots = grown.slots;
		t->cap = grown.cap;
	}
	e = site_slot(t, id);
	if (!e->id) {
		e->id = id;
		t->n++;
	}
	return e;
}

/* The entry of site id, if known. */
static struct site *site_find(struct sites *t, uint32_t id)
{
	struct site *e;

	if (!t->cap || !id)
		return NULL;
	e = site_slot(t, id);
	return e->id ? e : NULL;
}

/* What a site's copies take of the cache's budget. */
static size_t copy_bytes(const struct site *e)
{
	return e->rec_size + (e->verdict ? sizeof(*e->verdict) : 0);
}

static void site_drop_copy(struct sites *t, struct site *e)
{
	t->cached_bytes -= copy_bytes(e);
	free(e->rec);
	free(e->verdict);
	e->rec = NULL;
	e->verdict = NULL;
	e->rec_size = 0;
}

/* Keep the site's latest record (its evidence is the freshest) and, if given, its verdict within
 * the cache's budget. */
static void site_keep(struct sites *t, struct site *e, const void *data, uint32_t size,
		      const struct cause *verdict)
{
	size_t need = size + (verdict ? sizeof(*verdict) : 0);
	void *copy;

	site_drop_copy(t, e);
	while (t->cached_bytes + need > SITE_CACHE_BYTES) {
		struct site *oldest = NULL;

		for (uint32_t i = 0; i < t->cap; i++)
			if (t->slots[i].rec && (!oldest || t->slots[i].used < oldest->used))
				oldest = &t->slots[i];
		if (!oldest)
			return;
		site_drop_copy(t, oldest);
	}
	if (verdict) {
		e->verdict = malloc(sizeof(*verdict));
		if (!e->verdict)
			return;
		*e->verdict = *verdict;
	}
	copy = malloc(size);
	if (!copy) {
		free(e->verdict);
		e->verdict = NULL;
		return;
	}
	memcpy(copy, data, size);
	e->rec = copy;
	e->rec_size = size;
	e->used = ++t->clock;
	t->cached_bytes += copy_bytes(e);
}

static void sites_free(struct sites *t)
{
	for (uint32_t i = 0; i < t->cap; i++) {
		free(t->slots[i].rec);
		free(t->slots[i].verdict);
	}
	free(t->slots);
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

static void enrich(struct pipeline *p, struct event *ev)
{
	ev->bytes = event_type__request_bytes(ev); /* the weight of `--weight bytes` */
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
	struct site *below;

	/* chains arrive deepest first: a syscall that failed because of the allocation before
	 * it takes that allocation's verdict; when that allocation was counted in a site (or
	 * this is a count), the verdict of the site's latest record */
	if (ev->caused_by && ev->caused_by == p->prev_id)
		in.deeper = &p->prev_cause;
	else if ((below = site_find(&p->sites, ev->cause_site)) && below->verdict)
		in.deeper = below->verdict;
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
static void process(struct pipeline *p, struct event *ev, bool explained)
{
	const struct af_header *h = ev->raw.h;

	ev->cgroup = cgroups__event_path(p->cg, h->cgroup_id, h->memcg_id);
	if (p->pm) /* the mappings as they were at the failure */
		procmaps__advance(p->pm, h->ts_ns);
	/* __u64 and uint64_t differ in type only */
	symbolizer__kernel_stack(p->sym, (const uint64_t *)h->kstack, h->kstack_len, &ev->kstack);
	trim_tracer_frames(&ev->kstack);
	ev->kstack.truncated |= h->kstack_len == AF_MAX_STACK || (h->flags & AF_HF_KSTACK_ERR);
	/* the memcg's counters are read now, before the user stack (debug info, unwinding)
	 * takes its time (its usage and limits are BPF's, from the failure) */
	enrich(p, ev);
	user_stack(p, ev, h);
	if (explained)
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
	const struct af_header *h = data;
	struct event *ev = &p->ev;
	char why[160];

	warm_wait(p);
	if (decode__record(data, size, p->wall_offset_ns, ev, why, sizeof(why))) {
		if (!p->malformed++)
			elog("malformed record from BPF (%s); counting, not showing", why);
		return 0;
	}
	process(p, ev, true);
	if (h->site) {
		struct site *e = site_get(&p->sites, h->site);

		if (e) {
			e->records++;
			e->total++;
			ev->site_total = e->total;
			site_keep(&p->sites, e, data, h->size,
				  ev->type != AF_EV_SYSCALL ? ev->cause : NULL);
		}
	}
	return dispatch(p, ev);
}

/* A site whose records never arrived (ring buffer full, or its copy dropped): what the key
 * says, as a record without stacks or evidence, so the sinks can show and count it. */
static int minimal_event(struct pipeline *p, const struct af_site_key *k,
			 const struct af_site_val *v, struct event *ev)
{
	static union af_any_record rec;
	char why[160];

	if (!decode__payload_size(k->type))
		return -1;
	memset(&rec, 0, sizeof(rec));
	rec.h.type = k->type;
	rec.h.version = AF_ABI_VERSION;
	rec.h.size = decode__payload_size(k->type);
	rec.h.ts_ns = v->last_ns;
	rec.h.pid = rec.h.tid = k->tgid;
	rec.h.site = v->site;
	rec.h.cause_site = k->cause_site;
	memcpy(rec.h.comm, v->comm, AF_COMM_LEN);
	/* the key's fields (bpf/allocfail.h); a size asked for is the site's mean */
	switch (k->type) {
	case AF_EV_SYSCALL:
		rec.sc.nr = k->nr;
		rec.sc.flags = k->flags;
		rec.sc.ret = -12; /* ENOMEM; a silent brk's break is not kept */
		break;
	case AF_EV_PAGE_ALLOC:
		rec.pa.order = k->nr;
		rec.pa.gfp = k->arg_class;
		rec.pa.migratetype = k->flags;
		rec.pa.flags = k->evidence;
		break;
	case AF_EV_SLAB:
		rec.slab.flags = k->flags;
		rec.slab.bytes_alloc = k->nr;
		rec.slab.bytes_req = v->count ? v->bytes / v->count : 0;
		rec.slab.gfp = k->arg_class;
		rec.slab.call_site = k->object;
		break;
	case AF_EV_MEMCG_CHARGE:
		rec.memcg.memcg_id = k->object;
		rec.memcg.gfp = k->arg_class;
		rec.memcg.flags = k->flags;
		rec.memcg.ret = -12;
		rec.memcg.nr_pages = v->count ? v->bytes / v->count / 4096 : 0;
		break;
	default:
		break;
	}
	if (decode__record(&rec, rec.h.size, p->wall_offset_ns, ev, why, sizeof(why)))
		return -1;
	enrich(p, ev);
	return 0;
}

int pipeline__on_site(void *ctx, const struct af_site_key *k, const struct af_site_val *v,
		      bool final)
{
	struct pipeline *p = ctx;
	struct event *ev = &p->ev;
	struct site *e = site_get(&p->sites, v->site);
	char why[160];
	int64_t wall;

	warm_wait(p);
	if (!e || v->count <= e->reported)
		return 0;
	/* a record sent but not read yet: it describes the site, wait for it (not at the end:
	 * after detach and the last drain every record sent has been read) */
	if (!final && !e->rec && v->records > e->records)
		return 0;
	if (e->rec && !decode__record(e->rec, e->rec_size, p->wall_offset_ns, ev, why,
				      sizeof(why))) {
		process(p, ev, true);
		ev->site_detail = true;
		e->used = ++p->sites.clock;
	} else if (minimal_event(p, k, v, ev)) {
		return 0;
	}
	ev->site = v->site;
	ev->site_update = true;
	ev->count = v->count - e->reported;
	ev->bytes = v->bytes - e->reported_bytes;
	ev->id = 0;
	ev->chain_id = ev->caused_by = 0;
	ev->ts_ns = v->last_ns;
	wall = (int64_t)v->last_ns + p->wall_offset_ns;
	ev->wall.tv_sec = wall / 1000000000;
	ev->wall.tv_nsec = wall % 1000000000;
	e->reported = v->count;
	e->reported_bytes = v->bytes;
	e->total += ev->count;
	ev->site_total = e->total;
	p->sum.aggregated += ev->count;
	return dispatch(p, ev);
}

int pipeline__kernel_func(void *ctx, const char *name, uint64_t *start, uint64_t *end)
{
	struct pipeline *p = ctx;

	warm_wait_kernel(p);
	return symbolizer__kernel_func(p->sym, name, start, end);
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

const struct summary *pipeline__finish(struct pipeline *p, const uint64_t lost[AF_EV_TYPE_MAX],
				      uint64_t duration_ns)
{
	p->sum.lost = p->malformed;
	for (int t = 0; t < AF_EV_TYPE_MAX; t++) {
		p->sum.lost_by_type[t] = lost[t];
		p->sum.lost += lost[t];
	}
	p->sum.duration_ns = duration_ns;
	p->sum.sites = p->sites.n;
	p->sum.sites_full = p->site_stats[AF_SSTAT_FULL];
	p->sum.detail_lost = p->site_stats[AF_SSTAT_DETAIL_LOST];
	if (p->sum.lost)
		elog("WARNING: %llu events lost (ring buffer full%s); counts in the summary",
		     (unsigned long long)p->sum.lost, p->malformed ? " or malformed" : "");
	if (p->sum.skipped)
		elog("WARNING: the kernel skipped %llu runs of the failure programs (one was running "
		     "on that CPU already); failures among them are not counted",
		     (unsigned long long)p->sum.skipped);
	return &p->sum;
}
