// SPDX-License-Identifier: GPL-2.0
/* fast_exit: RLIMIT_AS at 256 MiB, a 512 MiB mmap refused three calls deep, then _exit at once:
 * gone before the tracer reads the event, so only the mappings the kernel reported can
 * symbolize its stack. Waits for $AF_GO first, if set (prog.h). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (256UL << 20)
#define MAP_LEN (512UL << 20)

static NOINLINE long fast_exit_map(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE long fast_exit_middle(void)
{
	return fast_exit_map();
}

static NOINLINE int fast_exit_outer(void)
{
	struct rlimit rl = { LIMIT, LIMIT };

	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	return expect_errno("mmap 512 MiB over RLIMIT_AS 256 MiB", fast_exit_middle(), ENOMEM);
}

int main(void)
{
	note_self();
	wait_go();
	_exit(fast_exit_outer());
}
