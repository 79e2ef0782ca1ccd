// SPDX-License-Identifier: GPL-2.0
/* mlock_holes: mlock over three pages whose middle one is unmapped; apply_vma_lock_flags()
 * refuses a range with a hole, whatever the limits (root keeps CAP_IPC_LOCK here). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

static NOINLINE long do_lock_range(char *start, unsigned long len)
{
	return raw_syscall6(SYS_mlock, (long)start, len, 0, 0, 0, 0);
}

static NOINLINE int provoke_mlock_holes(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (munmap(p + page, page))
		die("munmap");
	return expect_errno("mlock over a hole", do_lock_range(p, 3 * page), ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_mlock_holes();
	return status;
}
