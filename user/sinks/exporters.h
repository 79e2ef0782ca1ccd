/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exports for profile viewers: folded stacks (flamegraph.pl, speedscope), pprof (profile.proto,
 * gzipped) and a self-contained interactive SVG flamegraph. Each is a sink (user/sinks/sink.h) that
 * aggregates in memory and writes its file at end(); the caller keeps ownership of `out`.
 */
#ifndef ALLOCFAIL_EXPORTERS_H
#define ALLOCFAIL_EXPORTERS_H

#include <stdint.h>
#include <stdio.h>
#include "event.h"
#include "sink.h"

/* What a stack weighs: its failures, or the bytes those failed requests asked for. */
enum weight {
	WEIGHT_COUNT,
	WEIGHT_BYTES,
};

/* a + b, or UINT64_MAX if that does not fit: weights are sums of what the events say, and a
 * crafted record (or a long session weighed in bytes) must not wrap them to small numbers. */
static inline uint64_t weight__add(uint64_t a, uint64_t b)
{
	uint64_t sum;

	return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

/* "count" / "bytes"; returns 0, or -EINVAL for anything else. */
int weight__parse(const char *s, enum weight *w);
const char *weight__name(enum weight w);

/* One line per distinct stack, `comm;[type];outer;...;inner_kernel_[k] WEIGHT`, sorted. */
struct sink *sink_folded__new(FILE *out, enum weight w);
/* profile.proto, gzip-compressed: sample values (failures, count) and (requested, bytes). */
struct sink *sink_pprof__new(FILE *out, enum weight w);
/* A standalone SVG flamegraph with hover details, click to zoom and search; title may be NULL. */
struct sink *sink_svg__new(FILE *out, enum weight w, const char *title);

/*
 * The in-memory aggregation behind the folded and SVG sinks: distinct folded stacks and their
 * weights. Names in a stack never contain ';', whitespace or control characters.
 */
struct folded;

struct folded *folded__new(enum weight w);
/* Adds the event's stack; its weight is ev->count, or ev->bytes (0 when unknown). 0 or -ENOMEM. */
int folded__add(struct folded *f, const struct event *ev);
/* Sum of all weights added. */
uint64_t folded__total(const struct folded *f);
/*
 * Calls fn for every distinct stack, ordered frame by frame (so stacks sharing a prefix are
 * adjacent, and a stack comes before those it is a prefix of). Stops at fn's first nonzero
 * return and returns it; 0 otherwise.
 */
int folded__foreach(struct folded *f, int (*fn)(const char *stack, uint64_t weight, void *ctx),
		    void *ctx);
void folded__free(struct folded *f);

#endif
