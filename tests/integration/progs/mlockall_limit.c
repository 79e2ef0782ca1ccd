// SPDX-License-Identifier: GPL-2.0
/* rlimit_memlock (mlockall): without CAP_IPC_LOCK, mlockall(MCL_CURRENT) is refused when
 * total_vm exceeds RLIMIT_MEMLOCK (64 KiB here; any process maps more than that). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (64UL << 10)

static NOINLINE long do_lock_all(void)
{
	return raw_syscall6(SYS_mlockall, MCL_CURRENT, 0, 0, 0, 0, 0);
}

static NOINLINE int provoke_mlockall(void)
{
	struct rlimit rl = { LIMIT, LIMIT };

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		die("setrlimit(RLIMIT_MEMLOCK)");
	drop_cap_ipc_lock();
	return expect_errno("mlockall(MCL_CURRENT) over RLIMIT_MEMLOCK 64 KiB", do_lock_all(),
			    ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_mlockall();
	return status;
}
