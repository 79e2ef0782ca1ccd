// SPDX-License-Identifier: GPL-2.0
/* A tight loop of a cheap syscall that never fails: what every traced process pays for the
 * tracer's sys_exit hook. syscall(2) so no libc caching can skip the kernel. */
#include <sys/syscall.h>
#include <unistd.h>
#include "report.h"

int main(int argc, char **argv)
{
	uint64_t n = report__count_arg(argc, argv, 10000000), i;
	struct report r;

	report__start(&r);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	report__finish(&r, n, 0);
	return 0;
}
