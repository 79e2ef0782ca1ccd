// SPDX-License-Identifier: GPL-2.0
/* rlimit_data (mmap): RLIMIT_DATA at 16 MiB, then a 64 MiB private writable mapping, which
 * counts as data: refused by may_expand_vm(). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (16UL << 20)
#define MAP_LEN (64UL << 20)

static NOINLINE long do_data_map(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE int provoke_rlimit_data_map(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	long ret;

	if (setrlimit(RLIMIT_DATA, &rl))
		die("setrlimit(RLIMIT_DATA)");
	ret = do_data_map();
	return expect_errno("mmap 64 MiB private writable over RLIMIT_DATA 16 MiB", ret, ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_rlimit_data_map();
	return status;
}
