// SPDX-License-Identifier: GPL-2.0
/* rlimit_data through glibc: sbrk() over RLIMIT_DATA. glibc's __brk sees the old break come back
 * and sets ENOMEM itself. The frame-pointer walk cannot get past __sbrk (it keeps the break in
 * %rbp), so the test only expects glibc's brk frame innermost until DWARF unwinding lands. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/resource.h>

#define LIMIT (16UL << 20)
#define GROW (64L << 20)

static NOINLINE int provoke_sbrk(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	void *p;

	if (setrlimit(RLIMIT_DATA, &rl))
		die("setrlimit(RLIMIT_DATA)");
	p = sbrk(GROW);
	return expect_errno("sbrk 64 MiB over RLIMIT_DATA 16 MiB", p == (void *)-1 ? -errno : 0,
			    ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_sbrk();
	return status;
}
