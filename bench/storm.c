// SPDX-License-Identifier: GPL-2.0
/* Failing-mmap storm: N anonymous mmaps that fail with ENOMEM against a small RLIMIT_AS, as a
 * retry loop would. Prints how many failed with ENOMEM (the failures a tracer must see). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "report.h"

#define ROOM (16UL << 20)
#define ASK (64UL << 20) /* more than ROOM: every call fails in may_expand_vm() */
#define BATCH 1000 /* mmaps per timed batch (report__lap) */

/* Current address-space size in bytes, from VmSize in /proc/self/status. */
static int vm_size(unsigned long *bytes)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kb;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %lu kB", &kb) == 1) {
			*bytes = kb << 10;
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

int main(int argc, char **argv)
{
	uint64_t n = report__count_arg(argc, argv, 200000), i, made = 0, batch;
	struct rlimit rl;
	struct report r;
	unsigned long vm = 0;

	if (vm_size(&vm)) {
		perror("VmSize");
		return 1;
	}
	rl.rlim_cur = rl.rlim_max = vm + ROOM;
	if (setrlimit(RLIMIT_AS, &rl)) {
		perror("setrlimit");
		return 1;
	}
	report__start(&r);
	for (i = 0; i < n; i += batch) {
		uint64_t j;

		batch = n - i < BATCH ? n - i : BATCH;
		for (j = 0; j < batch; j++) {
			void *p = mmap(NULL, ASK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED)
				munmap(p, ASK);
			else if (errno == ENOMEM)
				made++;
		}
		report__lap(&r, batch);
	}
	report__finish(&r, n, made);
	return made == n ? 0 : 1;
}
