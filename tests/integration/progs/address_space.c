// SPDX-License-Identifier: GPL-2.0
/* address_space: an mmap longer than TASK_SIZE (128 TiB with 4-level paging), refused by
 * get_unmapped_area() before any accounting. PROT_READ only, so no overcommit charge applies. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

#define BEYOND_TASK_SIZE (1UL << 48) /* 256 TiB */

static NOINLINE long do_beyond_task_size(void)
{
	return raw_syscall6(SYS_mmap, 0, BEYOND_TASK_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
}

static NOINLINE int provoke_address_space(void)
{
	long ret = do_beyond_task_size();

	return expect_errno("mmap 256 TiB", ret, ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_address_space();
	return status;
}
