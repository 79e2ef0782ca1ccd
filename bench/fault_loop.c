// SPDX-License-Identifier: GPL-2.0
/* Page-fault loop: map 256 MiB, write one byte per page, unmap, K times. Every fault allocates
 * a page, so this prices the tracer's page-allocator hook. Transparent huge pages are refused
 * for the range so each 4 KiB page is its own fault whatever the THP setting. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "report.h"

#define LEN (256UL << 20)
#define CHUNK 4096UL /* page touches per timed batch (report__lap): 16 MiB of 4 KiB pages */

/* One pass, each chunk of touches a batch; the mmap and munmap are in the whole-loop time only. */
static int touch_once(struct report *r, unsigned long page)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long off = 0, n;

	if (p == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	madvise(p, LEN, MADV_NOHUGEPAGE);
	report__lap_begin(r);
	while (off < LEN) {
		for (n = 0; n < CHUNK && off < LEN; n++, off += page)
			((volatile char *)p)[off] = 1;
		report__lap(r, n);
	}
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
		if (touch_once(&r, page))
			return 1;
	report__finish(&r, k * (LEN / page), 0);
	return 0;
}
