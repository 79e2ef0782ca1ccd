/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The session's sinks: the main output (text or JSON) and its diagnosis, the flamegraph exports
 * and, for `record`, the record file. Their end is the outputs': the machine's settings are read
 * once, then every sink ends with them, in any order.
 */
#ifndef ALLOCFAIL_OUTPUTS_H
#define ALLOCFAIL_OUTPUTS_H

#include "args.h"
#include "pipeline.h"
#include "settings.h"
#include "sink.h"

struct outputs;

/*
 * Opens every file the config names (outfile.h: no symbolic link, no FIFO, no file of another
 * user, mode 0600); NULL after logging one line if one cannot be written.
 * recorded: a report's settings (record_reader__settings(), outliving the outputs), handed to
 * every end as they are; NULL in a live session, whose outputs__end() reads this machine's.
 */
struct outputs *outputs__open(const struct config *cfg, const struct diag_settings *recorded);
/* SIGHUP: the -o text or JSON output goes on in a new file at its path (logrotate moved the
 * old one); nothing for stdout. 0, or -errno after one line (writing goes on where it was). */
int outputs__reopen(struct outputs *o);
/* The sinks, main output first. */
struct sink *const *outputs__sinks(const struct outputs *o, unsigned int *n);
/*
 * The session is over: every sink's end, with sum and the settings, which a live session reads
 * now (sink_diagnosis__read_settings(): nothing without events) and a report takes from its
 * record. Every sink ends even if one fails; -EIO if one did. The exports and the record end
 * first, the main output last: its summary counts every output that failed (output_errors).
 */
int outputs__end(struct outputs *o, const struct summary *sum);
/*
 * Free the sinks and close the files (NULL-safe). Returns -EIO if a write failed. A record
 * whose session ended says "N events recorded to FILE" on stderr; one whose write failed is cut
 * to its whole chunks and kept (a record cut short, which report reads); one whose session never
 * started is removed. A line-oriented output that failed is cut after its last whole line.
 */
int outputs__close(struct outputs *o);

#endif
