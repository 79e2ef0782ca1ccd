/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Addresses to frames: the kernel's from /proc/kallsyms, a process's through elfutils libdw
 * (ELF symbols, DWARF file:line and inline frames where debug info exists). Strings in the
 * returned frames are interned and live until symbolizer__free().
 */
#ifndef ALLOCFAIL_SYMBOLIZE_H
#define ALLOCFAIL_SYMBOLIZE_H

#include <stdint.h>
#include "event.h"

struct symbolizer;

struct symbolizer *symbolizer__new(void);
void symbolizer__free(struct symbolizer *s); /* NULL-safe */

/* Fill out->frames from raw kernel addresses (innermost first). */
void symbolizer__kernel_stack(struct symbolizer *s, const uint64_t *addrs, unsigned int n,
			      struct stack *out);

/* Fill out->frames from raw user addresses of process pid (innermost first). Inline frames are
 * expanded where DWARF has them. A return address is looked up at addr - 1 (except the
 * innermost frame) so the call site, not the next line, is reported. */
void symbolizer__user_stack(struct symbolizer *s, uint32_t pid, const uint64_t *addrs,
			    unsigned int n, struct stack *out);

/* Read the process's mappings now, while it lives (e.g. when first seen). Idempotent. */
int symbolizer__snapshot(struct symbolizer *s, uint32_t pid);

/* The process exited: drop its per-process state once nothing refers to it any more. */
void symbolizer__forget(struct symbolizer *s, uint32_t pid);

#endif
