/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parts of the events that the unit tests and the fuzzer's seed corpus
 * (tests/fuzz/record_fixtures.h) build by hand: a verdict with its evidence, frames pushed onto
 * a stack, the stacks of a failed mmap, the arguments of a failed 1 TiB mmap and the time it
 * failed. Written once so that what one test checks of them holds for the others.
 */
#ifndef ALLOCFAIL_TESTS_FIXTURES_EVENTS_H
#define ALLOCFAIL_TESTS_FIXTURES_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "cause.h"
#include "event.h"

/* When the events built here failed: 2026-11-22T12:34:56.789012345Z */
#define FIXTURE_WALL_SEC 1795350896
#define FIXTURE_WALL_NSEC 789012345

/* mmap(NULL, 1 TiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0), an array's value */
#define FIXTURE_MMAP_1T_ARGS { 0, 1ULL << 40, 3, 0x22, (uint64_t)-1, 0 }

/* c emptied and given a verdict; its evidence follows with kv_num() and kv_str(). */
static inline void set_cause(struct cause *c, const char *code, const char *summary,
			     const char *advice)
{
	memset(c, 0, sizeof(*c));
	c->code = code;
	c->code_id = cause__code_of(code);
	snprintf(c->summary, sizeof(c->summary), "%s", summary);
	snprintf(c->advice, sizeof(c->advice), "%s", advice);
}

static inline void kv_num(struct cause *c, const char *key, int64_t v)
{
	c->evidence[c->nevidence++] = (struct cause_kv){ .key = key, .num = v };
}

static inline void kv_str(struct cause *c, const char *key, const char *v)
{
	struct cause_kv *kv = &c->evidence[c->nevidence++];

	*kv = (struct cause_kv){ .key = key, .is_str = true };
	snprintf(kv->str, sizeof(kv->str), "%s", v);
}

/* A frame pushed onto st, outside the innermost ones already there. */
static inline void fixture__frame(struct stack *st, uint64_t addr, const char *sym, uint64_t off,
				  const char *obj, const char *file, int line, bool inlined)
{
	st->frames[st->n++] = (struct frame){ addr, sym, off, obj, file, line, inlined };
}

/*
 * The stacks of a failed mmap, pushed onto ev's: ksym+koff in the kernel below do_syscall_64;
 * libc's __mmap64, then grab inlined (prog.c:12) into fail_here (prog.c:42) of the program prog,
 * then a frame nothing is known of. seed moves the innermost kernel and the outermost user
 * address.
 */
static inline void fixture__mmap_stacks(struct event *ev, const char *ksym, uint64_t koff,
					const char *prog, unsigned int seed)
{
	fixture__frame(&ev->kstack, 0xffffffff81234567ULL + seed, ksym, koff, "[kernel]", NULL, 0,
		       false);
	fixture__frame(&ev->kstack, 0xffffffff81000100ULL, "do_syscall_64", 0x7f, "[kernel]",
		       NULL, 0, false);
	fixture__frame(&ev->ustack, 0x7f0011223344ULL, "__mmap64", 0x13,
		       "/usr/lib/x86_64-linux-gnu/libc.so.6", NULL, 0, false);
	fixture__frame(&ev->ustack, 0x555500001234ULL, "grab", 0, prog, "prog.c", 12, true);
	fixture__frame(&ev->ustack, 0x555500001234ULL, "fail_here", 0x20, prog, "prog.c", 42,
		       false);
	fixture__frame(&ev->ustack, 0x555500009999ULL + seed, NULL, 0, NULL, NULL, 0, false);
}

#endif
