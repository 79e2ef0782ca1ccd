// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common.h"
#include "decode.h"
#include "kallsyms.h"
#include "procmaps.h"
#include "stacks.h"
#include "symbolize.h"
#include "unwind.h"

struct stacks {
	struct kallsyms *ksyms; /* the caller's */
	struct symbolizer *sym;
	struct procmaps *pm; /* NULL if it could not be had: symbols then come from /proc only */
	struct unwound uw;
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
	struct stacks *st = arg;

	symbolizer__warm_libc(st->sym);
	return NULL;
}

/* Before anything uses the symbolizer. */
static void warm_wait(struct stacks *st)
{
	if (st->warming)
		pthread_join(st->warm, NULL);
	st->warming = false;
}

struct stacks *stacks__new(struct kallsyms *ksyms)
{
	struct stacks *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->ksyms = ksyms;
	st->sym = symbolizer__new();
	if (!st->sym) {
		free(st);
		return NULL;
	}
	st->pm = maps_open();
	symbolizer__set_procmaps(st->sym, st->pm);
	/* now, not at the first event, whose evidence may go with its process */
	st->warming = !common__thread_start(&st->warm, warm_up, st);
	if (!st->warming)
		warm_up(st);
	return st;
}

void stacks__free(struct stacks *st)
{
	if (!st)
		return;
	warm_wait(st);
	symbolizer__free(st->sym);
	maps_close(st->pm);
	free(st);
}

void stacks__tick(struct stacks *st)
{
	struct timespec ts;

	/* done yet? then its thread goes */
	if (st->warming && !pthread_tryjoin_np(st->warm, NULL))
		st->warming = false;
	if (!st->pm)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	/* events older than this were all read by now: their records may be applied */
	procmaps__advance(st->pm, (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec -
					  100000000ULL);
}

/* The innermost kernel frames are the tracer's own (the BPF program and the tracepoint
 * machinery that called it): dropped, so the stack starts where the failure is. */
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

/* The BPF program itself is named only if kallsyms was read after it loaded (it is read on a
 * thread of its own, racing the load), and a JIT address may fall near a module's or another
 * program's symbol: a frame outside the core kernel's text may be it. */
static bool maybe_bpf_prog(const struct frame *f)
{
	return !f->sym || !f->obj || strcmp(f->obj, "[kernel]");
}

/* Frames the BPF program itself may take before the tracing machinery (its subprograms) */
#define PROG_FRAMES_MAX 2

/*
 * How many innermost frames are the tracer's: up to the last of the tracing machinery's frames
 * that are innermost, whether or not the program's own frame before them has a name. Not by the
 * program's symbol, which depends on when kallsyms was read.
 */
static unsigned int tracer_frames(const struct stack *s)
{
	unsigned int i = 0, n = 0;

	while (i < s->n && i < PROG_FRAMES_MAX && !is_tracer_frame(s->frames[i].sym) &&
	       maybe_bpf_prog(&s->frames[i]))
		i++;
	while (i < s->n && is_tracer_frame(s->frames[i].sym))
		n = ++i;
	return n;
}

void stacks__kernel(struct stacks *st, const struct af_header *h, struct stack *out)
{
	unsigned int skip;

	/* __u64 and uint64_t differ in type only */
	kallsyms__stack(st->ksyms, (const uint64_t *)h->kstack, h->kstack_len, out);
	skip = tracer_frames(out);
	memmove(out->frames, out->frames + skip, (out->n - skip) * sizeof(out->frames[0]));
	out->n -= skip;
	out->truncated |= h->kstack_len == AF_MAX_STACK || (h->flags & AF_HF_KSTACK_ERR);
}

/* DWARF-unwound from the record's registers and stack bytes when it has them and they unwind
 * (the process's libdwfl session is the symbolizer's); else the frame-pointer walk BPF made. */
void stacks__user(struct stacks *st, const struct af_header *h, struct stack *out)
{
	const struct af_utail *t = decode__utail(h);
	Dwfl *dwfl;

	warm_wait(st);
	if (st->pm) /* the mappings as they were at the failure */
		procmaps__advance(st->pm, h->ts_ns);
	if (t && (t->flags & AF_UT_REGS)) {
		dwfl = symbolizer__user_dwfl(st->sym, h->pid, t->regs[AF_UREG_IP]);
		if (dwfl && !unwind__stack(dwfl, h->tid, t, &st->uw)) {
			out->truncated = st->uw.end != STACK_END_COMPLETE;
			symbolizer__user_pcs(st->sym, h->pid, st->uw.pc, st->uw.exact, st->uw.n,
					     out);
			out->unwind = STACK_UNWIND_DWARF;
			out->end = st->uw.end;
			return;
		}
	}
	/* __u64 and uint64_t differ in type only */
	symbolizer__user_stack(st->sym, h->pid, (const uint64_t *)h->ustack, h->ustack_len, out);
	out->truncated |= h->ustack_len == AF_MAX_STACK;
	if (h->ustack_len) {
		out->unwind = STACK_UNWIND_FP;
		out->end = h->ustack_len == AF_MAX_STACK ? STACK_END_MAX_DEPTH : STACK_END_FP_CHAIN;
	}
}

bool stacks__has(const struct stack *s, const char *sym)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (s->frames[i].sym && strstr(s->frames[i].sym, sym))
			return true;
	return false;
}
