// SPDX-License-Identifier: GPL-2.0
/* Page-fault loop: map 256 MiB, write one byte per page, unmap, K times. Every fault allocates
 * a page, so this prices the tracer's page-allocator hook. Transparent huge pages are refused
 * for the range so each 4 KiB page is its own fault whatever the THP setting. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "report.h"

#define LEN (256UL << 20)

static int touch_once(long page)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long off;

	if (p == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	madvise(p, LEN, MADV_NOHUGEPAGE);
	for (off = 0; off < LEN; off += page)
		((volatile char *)p)[off] = 1;
	munmap(p, LEN);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t k = report__count_arg(argc, argv, 10), i;
	long page = sysconf(_SC_PAGESIZE);
	struct report r;

	report__start(&r);
	for (i = 0; i < k; i++)
		if (touch_once(page))
			return 1;
	report__finish(&r, k * (LEN / page), 0);
	return 0;
}
