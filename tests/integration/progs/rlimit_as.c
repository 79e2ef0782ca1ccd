// SPDX-License-Identifier: GPL-2.0
/* rlimit_as: RLIMIT_AS at 256 MiB, then a 512 MiB mmap, refused by may_expand_vm(). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (256UL << 20)
#define MAP_LEN (512UL << 20)

static NOINLINE long do_big_map(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE int provoke_rlimit_as(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	long ret;

	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	ret = do_big_map();
	return expect_errno("mmap 512 MiB over RLIMIT_AS 256 MiB", ret, ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_rlimit_as();
	return status;
}
