// SPDX-License-Identifier: GPL-2.0
/*
 * churn: one of the soak's many distinct binaries (bench/soak.sh builds it once per CHURN_ID,
 * so each copy has its own build-id and its own symbols to load). Sets RLIMIT_AS, fails N mmaps
 * (default 3) with ENOMEM, and exits: every run is a new process, so a new failure site.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef CHURN_ID
#define CHURN_ID 0
#endif

/* Distinct text per copy: the id is in the code, not only in data. */
static __attribute__((noinline)) void *churn_map(size_t len)
{
	return mmap((void *)0, len + CHURN_ID * 4096UL, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 64UL << 20, 64UL << 20 };
	int n = argc > 1 ? atoi(argv[1]) : 3, failed = 0;

	if (setrlimit(RLIMIT_AS, &rl))
		return 3;
	for (int i = 0; i < n; i++)
		failed += churn_map(128UL << 20) == MAP_FAILED && errno == ENOMEM;
	return failed == n ? 0 : 1;
}
