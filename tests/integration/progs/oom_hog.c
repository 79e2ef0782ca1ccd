// SPDX-License-Identifier: GPL-2.0
/* usage: oom_hog CGROUP_DIR MIB. Joins a memory cgroup and touches MIB of anonymous memory,
 * page by page, until the cgroup's OOM killer kills it. Exits 1 if it survives. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

static NOINLINE void touch_all(char *p, unsigned long len)
{
	long page = sysconf(_SC_PAGESIZE);

	for (unsigned long off = 0; off < len; off += page)
		p[off] = 1;
}

int main(int argc, char **argv)
{
	unsigned long len;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CGROUP_DIR MIB\n", argv[0]);
		return 3;
	}
	len = strtoul(argv[2], NULL, 10) << 20;
	note_self();
	join_cgroup(argv[1]);
	wait_go();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	touch_all(p, len);
	fprintf(stderr, "touched %s MiB and was not killed\n", argv[2]);
	return 1;
}
