/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session's sinks: the main output (text or JSON) and its diagnosis, the flamegraph exports
 * and, for `record`, the record file, last (it keeps the settings the diagnosis read at its end).
 */
#ifndef ALLOCFAIL_OUTPUTS_H
#define ALLOCFAIL_OUTPUTS_H

#include "args.h"
#include "diagnosis.h"
#include "pipeline.h"

struct outputs;

/*
 * Opens every file the config names; NULL after logging one line if one cannot be written.
 * recorded: a report's settings (record_reader__settings()), for a diagnosis of the recorded
 * machine; NULL in a live session, whose diagnosis reads this one's.
 */
struct outputs *outputs__open(const struct config *cfg, struct diag_settings *recorded);
/* The sinks, main output first. */
struct sink *const *outputs__sinks(const struct outputs *o, unsigned int *n);
/*
 * Free the sinks and close the files (NULL-safe). Returns -errno if a write failed. A record
 * whose session ended says "N events recorded to FILE" on stderr; one whose session never ended
 * (it failed to start) is removed, as it could never be read.
 */
int outputs__close(struct outputs *o);

#endif
