// SPDX-License-Identifier: GPL-2.0
/* rlimit_data (brk): RLIMIT_DATA at 16 MiB, then a brk 64 MiB above the current break. The
 * kernel's brk() refuses in check_data_rlimit() and returns the old break, with no errno. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/resource.h>

#define LIMIT (16UL << 20)
#define GROW (64UL << 20)

static NOINLINE long do_brk(unsigned long want)
{
	return raw_syscall6(SYS_brk, want, 0, 0, 0, 0, 0);
}

static NOINLINE int provoke_rlimit_data_brk(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	unsigned long cur, want;
	long ret;

	if (setrlimit(RLIMIT_DATA, &rl))
		die("setrlimit(RLIMIT_DATA)");
	cur = do_brk(0);
	want = cur + GROW;
	ret = do_brk(want);
	if ((unsigned long)ret == cur)
		return 0;
	fprintf(stderr, "brk(%#lx) from %#lx returned %#lx, expected the old break\n", want, cur,
		ret);
	return 1;
}

int main(void)
{
	int status;

	note_self();
	status = provoke_rlimit_data_brk();
	return status;
}
