// SPDX-License-Identifier: GPL-2.0
/*
 * deep5: built as distributions build (-O2 -fomit-frame-pointer, see the Makefile), five calls
 * deep, glibc's mmap over RLIMIT_AS. A frame-pointer walk stops in glibc; DWARF unwinding names
 * level5 ... level1 and main. level3 keeps a canary string on its stack, inside the bytes the
 * tracer copies: it must never appear in any output or record file. noipa: no inlining, cloning
 * or renaming; the empty asm after each call keeps it from being a tail call.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define NOIPA __attribute__((noipa))
#define LIMIT (256UL << 20)
#define MAP_LEN (512UL << 20)
/* the canary, assembled at run time so it is not in the binary either */
#define CANARY_LEN 24

static NOIPA long level5(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return -errno;
}

static NOIPA long level4(size_t len)
{
	long ret = level5(len);

	__asm__ volatile("" : : : "memory");
	return ret;
}

static NOIPA long level3(size_t len)
{
	volatile char canary[CANARY_LEN];
	long ret;

	for (int i = 0; i < CANARY_LEN - 1; i++)
		canary[i] = "0123456789abcdef"[(0x5ec7e75a17c0ffeeULL >> (4 * (i % 16))) & 15];
	canary[0] = 'A';
	canary[1] = 'F';
	canary[2] = 'S';
	canary[3] = 'E';
	canary[4] = 'C';
	canary[5] = '-';
	canary[CANARY_LEN - 1] = '\0';
	ret = level4(len);
	__asm__ volatile("" : : "r"(canary) : "memory");
	return ret;
}

static NOIPA long level2(size_t len)
{
	long ret = level3(len);

	__asm__ volatile("" : : : "memory");
	return ret;
}

static NOIPA long level1(size_t len)
{
	long ret = level2(len);

	__asm__ volatile("" : : : "memory");
	return ret;
}

int main(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	int status;

	note_self();
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	status = expect_errno("mmap 512 MiB over RLIMIT_AS 256 MiB, 5 calls deep", level1(MAP_LEN),
			      ENOMEM);
	/* longer than linger(): symbolizing needs the process alive or known to the tracer's
	 * mapping model, and its first event can take the tracer a while on a busy machine */
	for (int i = 0; i < 6; i++)
		linger();
	return status;
}
