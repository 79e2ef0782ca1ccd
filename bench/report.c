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
	r->start_ns = mono_ns();
}

void report__finish(const struct report *r, uint64_t iters, uint64_t made)
{
	uint64_t wall = mono_ns() - r->start_ns;
	struct rusage ru;

	/* whole-process CPU: setup before the loop is a few syscalls, noise next to the loop */
	getrusage(RUSAGE_SELF, &ru);
	printf("iters=%" PRIu64 " made=%" PRIu64 " wall_ns=%" PRIu64 " user_us=%" PRIu64
	       " sys_us=%" PRIu64 "\n",
	       iters, made, wall, tv_us(&ru.ru_utime), tv_us(&ru.ru_stime));
}
