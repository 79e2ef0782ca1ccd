/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DWARF user stacks: the user registers and the top of the stack that BPF copied at a failure
 * (struct af_utail) unwound with the call frame information (.eh_frame, .debug_frame) of the
 * process's modules through elfutils libdwfl, as perf --call-graph dwarf does, so code built
 * without frame pointers still shows its callers. The copied bytes are only read here; what
 * comes out are program counters. Not thread-safe: one thread unwinds at a time.
 */
#ifndef ALLOCFAIL_UNWIND_H
#define ALLOCFAIL_UNWIND_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>
#include "event.h"

/* Frames unwound at most: as many as a frame-pointer stack holds. */
#define UNWIND_MAX_FRAMES AF_MAX_STACK

struct unwound {
	unsigned int n;
	uint64_t pc[UNWIND_MAX_FRAMES]; /* innermost first */
	/* pc is where the thread was (the innermost frame, or one a signal interrupted), not a
	 * return address: look it up as is rather than at pc - 1 */
	bool exact[UNWIND_MAX_FRAMES];
	enum stack_end end; /* why the frames stop where they do */
};

/*
 * Unwind thread tid from t's registers and stack bytes; dwfl holds the process's modules (the
 * symbolizer's, symbolizer__user_dwfl()). The first time a Dwfl is seen this attaches its
 * thread state (libdwfl allows one per Dwfl): a Dwfl given here is the unwinder's for good.
 * Returns 0 with out filled (at least the innermost frame), or -errno and out->n = 0: -ENODATA
 * if t has no user registers (a kernel thread), -ENOEXEC if libdwfl could not take dwfl (no
 * module with a known architecture).
 */
int unwind__stack(Dwfl *dwfl, uint32_t tid, const struct af_utail *t, struct unwound *out);

#endif
