// SPDX-License-Identifier: GPL-2.0
/* mremap_in_place: grow a 2-page mapping to 3 pages without MREMAP_MAYMOVE while the next page
 * is mapped by a neighbour: vma_expandable() fails and mremap returns ENOMEM. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

static NOINLINE long do_grow(char *old, unsigned long old_len, unsigned long new_len)
{
	return raw_syscall6(SYS_mremap, (long)old, old_len, new_len, 0, 0, 0);
}

static NOINLINE int provoke_mremap(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	/* a different protection makes the third page a separate neighbouring mapping */
	if (mprotect(p + 2 * page, page, PROT_READ))
		die("mprotect");
	return expect_errno("mremap 2 -> 3 pages in place", do_grow(p, 2 * page, 3 * page),
			    ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_mremap();
	return status;
}
