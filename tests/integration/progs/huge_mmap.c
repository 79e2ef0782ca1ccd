// SPDX-License-Identifier: GPL-2.0
/* overcommit_heuristic: one anonymous private writable mmap larger than RAM + swap, refused by
 * __vm_enough_memory() when vm.overcommit_memory is 0 (the test checks that it is). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

#define HUGE_LEN (1UL << 46) /* 64 TiB: below TASK_SIZE, far above any RAM + swap here */

static NOINLINE long do_huge_map(void)
{
	return raw_syscall6(SYS_mmap, 0, HUGE_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE int provoke_overcommit(void)
{
	long ret = do_huge_map();

	return expect_errno("mmap 64 TiB", ret, ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_overcommit();
	return status;
}
