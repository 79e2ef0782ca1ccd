// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cause.h"
#include "cgroups.h"
#include "common.h"
#include "decode.h"
#include "pipeline.h"
#include "procinfo.h"
#include "symbolize.h"

#define SYSINFO_MAX_AGE_NS 500000000LL /* settings change rarely; re-read at most twice a second */

struct pipeline {
	struct sink *sink;
	struct symbolizer *sym;
	struct cgroups *cg;
	int64_t wall_offset_ns;
	struct sysinfo sys;
	int64_t sys_read_ns;
	struct summary sum;
	uint64_t malformed;
	struct event ev; /* large (stacks): one, reused */
	struct cause cause;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct pipeline *pipeline__new(struct sink *sink)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->sink = sink;
	p->sym = symbolizer__new();
	p->cg = cgroups__new();
	if (!p->sym || !p->cg) {
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
	symbolizer__free(p->sym);
	cgroups__free(p->cg);
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

static void explain(struct pipeline *p, struct event *ev, uint64_t memcg_id)
{
	struct memcg_info mi = { 0 };
	struct cause_input in = { .ev = ev, .sys = &p->sys, .memcg = &mi };
	const char *dir;
	int version;

	if (mono_ns() - p->sys_read_ns > SYSINFO_MAX_AGE_NS) {
		sysinfo__read(&p->sys);
		p->sys_read_ns = mono_ns();
	}
	dir = cgroups__memcg_dir(p->cg, memcg_id, &version);
	if (dir)
		memcg_info__read(dir, version, &mi);
	if (!cause__explain(&in, &p->cause))
		ev->cause = &p->cause;
}

int pipeline__on_record(void *ctx, void *data, size_t size)
{
	struct pipeline *p = ctx;
	const struct af_header *h = data;
	struct event *ev = &p->ev;
	char why[160];

	if (decode__record(data, size, p->wall_offset_ns, ev, why, sizeof(why))) {
		if (!p->malformed++)
			elog("malformed record from BPF (%s); counting, not showing", why);
		return 0;
	}
	ev->cgroup = cgroups__event_path(p->cg, h->cgroup_id, h->memcg_id);
	/* __u64 and uint64_t differ in type only */
	symbolizer__kernel_stack(p->sym, (const uint64_t *)h->kstack, h->kstack_len, &ev->kstack);
	symbolizer__user_stack(p->sym, h->pid, (const uint64_t *)h->ustack, h->ustack_len, &ev->ustack);
	ev->kstack.truncated |= h->kstack_len == AF_MAX_STACK;
	ev->ustack.truncated |= h->ustack_len == AF_MAX_STACK;
	explain(p, ev, h->memcg_id);
	p->sum.events += ev->count;
	p->sum.by_type[ev->type] += ev->count;
	count_process(&p->sum, ev);
	return sink__event(p->sink, ev) < 0 ? -1 : 0;
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
	if (p->sum.lost)
		elog("WARNING: %llu events lost (ring buffer full%s); counts in the summary",
		     (unsigned long long)p->sum.lost, p->malformed ? " or malformed" : "");
	return sink__end(p->sink, &p->sum);
}
