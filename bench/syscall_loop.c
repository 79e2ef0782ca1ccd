// SPDX-License-Identifier: GPL-2.0
/* A tight loop of a cheap syscall that never fails: what every traced process pays for the
 * tracer's sys_exit hook. syscall(2) so no libc caching can skip the kernel. */
#include <sys/syscall.h>
#include <unistd.h>
#include "report.h"

#define BATCH 10000 /* calls per timed batch (report__lap) */

int main(int argc, char **argv)
{
	uint64_t n = report__count_arg(argc, argv, 10000000), i, j, batch;
	struct report r;

	report__start(&r);
	for (i = 0; i < n; i += batch) {
		batch = n - i < BATCH ? n - i : BATCH;
		for (j = 0; j < batch; j++)
			syscall(SYS_getppid);
		report__lap(&r, batch);
	}
	report__finish(&r, n, 0);
	return 0;
}
