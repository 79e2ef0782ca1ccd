/* SPDX-License-Identifier: GPL-2.0 */
/* `allocfail report FILE`: a record printed through the sinks of a live session. */
#ifndef ALLOCFAIL_REPORT_H
#define ALLOCFAIL_REPORT_H

#include "args.h"

/*
 * Read cfg->report whole (record_reader__open() checks all of it first), then hand its events to
 * the outputs cfg names (text or JSON with the diagnosis of the recorded machine, exports) and
 * end them with the recorded summary. Reads nothing else of this machine: no root, no BPF, no
 * traced binaries. Returns the exit status: 0 (also for a record cut short, said in one line on
 * stderr), 2 for input that is not a readable record or an output that cannot be opened, 1 if
 * writing failed.
 */
int report__run(const struct config *cfg);

#endif
