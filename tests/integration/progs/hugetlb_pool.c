// SPDX-License-Identifier: GPL-2.0
/* hugetlb_pool: MAP_HUGETLB with no huge pages reserved (the test checks nr_hugepages and
 * nr_overcommit_hugepages are 0): hugetlb_reserve_pages() finds none and mmap returns ENOMEM. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

#define HUGE_PAGE (2UL << 20)

static NOINLINE long do_hugetlb_map(void)
{
	return raw_syscall6(SYS_mmap, 0, HUGE_PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
}

static NOINLINE int provoke_hugetlb(void)
{
	return expect_errno("mmap MAP_HUGETLB 2 MiB", do_hugetlb_map(), ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_hugetlb();
	return status;
}
