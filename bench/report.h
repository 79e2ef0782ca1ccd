/* SPDX-License-Identifier: GPL-2.0 */
/* The one line every bench workload prints, parsed by bench/run.sh. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdint.h>

struct report {
	uint64_t start_ns;
	uint64_t lap_ns;	/* when the current batch began */
	uint64_t lap_units;	/* units of the batches best_ps is taken from */
	uint64_t best_ps;	/* fastest batch's time per unit, picoseconds; 0: no batch yet */
};

/* Parse argv[1] as a positive count, or return @def when absent; exit 2 on garbage. */
uint64_t report__count_arg(int argc, char **argv, uint64_t def);
/* Start the whole-loop clock and the first batch. */
void report__start(struct report *r);
/* (Re)start the batch clock, for work between batches that no batch should count. */
void report__lap_begin(struct report *r);
/* End the batch of @units calls begun by report__start, report__lap_begin or the previous lap,
 * keep its time per unit if it is the fastest yet, and begin the next batch. Only the batches
 * with the most units count: a short last batch is not a comparable sample. */
void report__lap(struct report *r, uint64_t units);
/* Print "iters=N made=M wall_ns=W user_us=U sys_us=S best_ps=B": the timed loop only, so process
 * start and exit (also slowed by tracing, but not what the budget is about) stay out; B is the
 * fastest batch's time per unit in picoseconds, "-" when no batch was timed. */
void report__finish(const struct report *r, uint64_t iters, uint64_t made);

#endif
