// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "report.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1000000ULL + tv->tv_usec;
}

uint64_t report__count_arg(int argc, char **argv, uint64_t def)
{
	char *end;
	unsigned long long v;

	if (argc < 2)
		return def;
	errno = 0;
	v = strtoull(argv[1], &end, 10);
	if (errno || *end || !v) {
		fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[1]);
		exit(2);
	}
	return v;
}

void report__start(struct report *r)
{
	r->start_ns = r->lap_ns = mono_ns();
	r->lap_units = r->best_ps = 0;
}

void report__lap_begin(struct report *r)
{
	r->lap_ns = mono_ns();
}

void report__lap(struct report *r, uint64_t units)
{
	uint64_t now = mono_ns(), ps;

	if (!units || units < r->lap_units) {
		r->lap_ns = now;
		return;
	}
	/* integer picoseconds keep a 0.2 us syscall to 0.01%; overflows only for a 200-day batch */
	ps = (now - r->lap_ns) * 1000 / units;
	if (units > r->lap_units || !r->best_ps || ps < r->best_ps)
		r->best_ps = ps;
	r->lap_units = units;
	r->lap_ns = now;
}

void report__finish(const struct report *r, uint64_t iters, uint64_t made)
{
	uint64_t wall = mono_ns() - r->start_ns;
	struct rusage ru;

	/* whole-process CPU: setup before the loop is a few syscalls, noise next to the loop */
	getrusage(RUSAGE_SELF, &ru);
	printf("iters=%" PRIu64 " made=%" PRIu64 " wall_ns=%" PRIu64 " user_us=%" PRIu64
	       " sys_us=%" PRIu64,
	       iters, made, wall, tv_us(&ru.ru_utime), tv_us(&ru.ru_stime));
	if (r->best_ps)
		printf(" best_ps=%" PRIu64 "\n", r->best_ps);
	else
		printf(" best_ps=-\n");
}
