/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A record's stacks as frames: the kernel's through kallsyms, without the tracer's own frames;
 * the user's unwound with DWARF from the registers and stack bytes BPF copied when it can
 * (user/enrich/unwind.h), else the frame-pointer walk BPF made, and symbolized (user/enrich/symbolize.h) with
 * the mappings the process had at the failure (user/enrich/procmaps.h), so processes that exit at once
 * are still symbolized. Frames' strings live until stacks__free() and the kallsyms given to it
 * are freed. Not thread-safe: one thread drives it.
 */
#ifndef ALLOCFAIL_STACKS_H
#define ALLOCFAIL_STACKS_H

#include <stdbool.h>
#include "event.h"

struct stacks;
struct kallsyms;

/*
 * Opens the kernel's mapping records (before the BPF programs attach: processes started since
 * are followed, those running are read from /proc; without them, said once, symbols come from
 * /proc only) and starts reading the tracer's own C library (most processes share it) on a
 * thread of its own. ksyms must outlive the stacks. NULL if out of memory.
 */
struct stacks *stacks__new(struct kallsyms *ksyms);
void stacks__free(struct stacks *st); /* NULL-safe; says what the mapping records lost */

/* Call between polls (every 100 ms or so): applies the mapping records that no event still to
 * come can predate, so their per-CPU buffers do not fill up. */
void stacks__tick(struct stacks *st);

/* The kernel stack of record h: from the innermost frame that is not the tracer's own, truncated
 * if BPF hit its limit or an error. */
void stacks__kernel(struct stacks *st, const struct af_header *h, struct stack *out);

/* The user stack of record h, as the process's mappings were at h->ts_ns. */
void stacks__user(struct stacks *st, const struct af_header *h, struct stack *out);

/* Has the stack a frame whose symbol contains sym? */
bool stacks__has(const struct stack *s, const char *sym);

#endif
