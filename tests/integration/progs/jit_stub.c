// SPDX-License-Identifier: GPL-2.0
/*
 * jit_stub: code in anonymous memory, as a JIT makes it, calls back into this program, which
 * then fails an mmap over RLIMIT_AS. No module holds the stub, so nothing says how to unwind it:
 * the user stack must end at the stub's frame, marked, with no caller guessed above it.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (256UL << 20)
#define MAP_LEN (512UL << 20)

/* sub $8,%rsp; call *%rdi; add $8,%rsp; ret: calls its argument with the stack aligned */
static const unsigned char stub_code[] = { 0x48, 0x83, 0xec, 0x08, 0xff, 0xd7,
					   0x48, 0x83, 0xc4, 0x08, 0xc3 };

static long result;

static NOINLINE void called_from_jit(void)
{
	result = raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	void (*stub)(void (*)(void));
	void *page;

	note_self();
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (page == MAP_FAILED)
		die("mmap of an executable page");
	memcpy(page, stub_code, sizeof(stub_code));
	stub = (void (*)(void (*)(void)))page;
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	stub(called_from_jit);
	/* longer than linger(): symbolizing needs the process alive or known to the tracer's
	 * mapping model, and its first event can take the tracer a while on a busy machine */
	for (int i = 0; i < 6; i++)
		linger();
	return expect_errno("mmap 512 MiB over RLIMIT_AS 256 MiB, called from JIT code", result,
			    ENOMEM);
}
