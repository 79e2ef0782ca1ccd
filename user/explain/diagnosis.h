/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The diagnosis at the end of a session: a sink that tallies every event by its cause and, at
 * end(), writes the causes ranked by count with the processes, cgroups and stacks they hit, the
 * settings that matter as end() is handed them, and a fix per cause (docs/diagnosis.md). It goes
 * on the main output's file, after the main sink, so its block or its {"type":"diagnosis",...}
 * line follows the summary. Memory is bounded by the caps below; what does not fit is counted as
 * "other".
 */
#ifndef ALLOCFAIL_DIAGNOSIS_H
#define ALLOCFAIL_DIAGNOSIS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include "cause.h"
#include "settings.h"
#include "sink.h"

#define DIAG_MAX_CAUSES CAUSE_NR_CODES /* a row per cause code: causes_other stays 0 */
#define DIAG_MAX_PROCS 8    /* processes per cause */
#define DIAG_MAX_CGROUPS 8  /* cgroups per cause */
#define DIAG_MAX_STACKS 16  /* distinct stacks counted per cause, first come */
#define DIAG_TOP_STACKS 3   /* shown per cause */
#define DIAG_USER_FRAMES 5  /* user frames shown per stack (all of them make its identity) */
#define DIAG_KERNEL_FRAMES 3 /* innermost kernel frames, in a stack's identity and shown */

/* Text (json false) or one JSON line, written at end() with the settings it is handed
 * (sink_diagnosis__read_settings(), or a record's). out NULL: the tables alone, writing nothing,
 * for the settings a record keeps (record -q). NULL if memory ran out. */
struct sink *sink_diagnosis__new(FILE *out, bool json);

/*
 * The settings the diagnosis shows, read now under root (NULL: the real /proc and /sys; see
 * settings__read()): the machine's and those of the memory cgroups its events concerned, whose
 * paths live as long as the sink. Nothing (not valid) if no event came: there is nothing to
 * explain, and a record keeps none.
 */
void sink_diagnosis__read_settings(const struct sink *s, const char *root,
				   struct diag_settings *settings);

#endif
