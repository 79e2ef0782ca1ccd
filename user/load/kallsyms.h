/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's symbols, from /proc/kallsyms: for the loader (where a kernel function lies) and
 * for kernel stacks. Strings handed out live until kallsyms__free(). One thread uses a table.
 */
#ifndef ALLOCFAIL_KALLSYMS_H
#define ALLOCFAIL_KALLSYMS_H

#include <stdint.h>
#include "event.h"

struct kallsyms;

/* Start reading /proc/kallsyms (a few hundred ms on a loaded machine) on a thread of its own, so
 * it is done by the first event, whose evidence read after it may go with its process; the
 * first lookup waits for it. If it cannot be read, or hides the addresses (kptr_restrict), that
 * is said once on stderr and kernel frames stay unsymbolized. NULL if out of memory. */
struct kallsyms *kallsyms__open(void);
void kallsyms__free(struct kallsyms *k); /* NULL-safe; waits for the read */

/* The text of kernel function name: [*start, *end) up to the next symbol. 0, or -ENOENT. */
int kallsyms__func(struct kallsyms *k, const char *name, uint64_t *start, uint64_t *end);

/* Fill out->frames from raw kernel addresses (innermost first): sym, off and obj ("[kernel]" or
 * the module's name) where an address is within a symbol, else only addr. A return address is
 * looked up at addr - 1 (except the innermost frame). out->n is overwritten; out->truncated is
 * set when the frames do not fit, and otherwise left as it was. */
void kallsyms__stack(struct kallsyms *k, const uint64_t *addrs, unsigned int n,
		     struct stack *out);

#endif
