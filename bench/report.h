/* SPDX-License-Identifier: GPL-2.0 */
/* The one line every bench workload prints, parsed by bench/run.sh. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdint.h>

struct report {
	uint64_t start_ns;
};

/* Parse argv[1] as a positive count, or return @def when absent; exit 2 on garbage. */
uint64_t report__count_arg(int argc, char **argv, uint64_t def);
void report__start(struct report *r);
/* Print "iters=N made=M wall_ns=W user_us=U sys_us=S": the timed loop only, so process start
 * and exit (also slowed by tracing, but not what the budget is about) stay out. */
void report__finish(const struct report *r, uint64_t iters, uint64_t made);

#endif
