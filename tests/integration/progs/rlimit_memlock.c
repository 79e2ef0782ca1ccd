// SPDX-License-Identifier: GPL-2.0
/* rlimit_memlock: without CAP_IPC_LOCK and with RLIMIT_MEMLOCK at 64 KiB, mlock of 1 MiB is
 * refused by do_mlock()'s locked_vm + len > limit check. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (64UL << 10)
#define LOCK_LEN (1UL << 20)

static NOINLINE long do_lock(void *addr)
{
	return raw_syscall6(SYS_mlock, (long)addr, LOCK_LEN, 0, 0, 0, 0);
}

static NOINLINE int provoke_rlimit_memlock(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	void *p = mmap(NULL, LOCK_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit(RLIMIT_MEMLOCK)");
	drop_cap_ipc_lock();
	return expect_errno("mlock 1 MiB over RLIMIT_MEMLOCK 64 KiB", do_lock(p), ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_rlimit_memlock();
	return status;
}
