// SPDX-License-Identifier: GPL-2.0
/* max_map_count: one-page mappings until do_mmap() refuses with map_count over
 * vm.max_map_count. Protections alternate so neighbouring mappings never merge into one VMA. */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

#define MAX_TRIES 4000000L /* far above any sane vm.max_map_count: a bound, not a target */

static NOINLINE long map_page(long page, int n)
{
	return raw_syscall6(SYS_mmap, 0, page, n % 2 ? PROT_READ : PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Returns the failing call's result; *n the number of mappings made before it. */
static NOINLINE long fill_maps(long *n)
{
	long page = sysconf(_SC_PAGESIZE), ret = 0;

	for (*n = 0; *n < MAX_TRIES; (*n)++) {
		ret = map_page(page, *n);
		if (ret < 0 && ret > -4096)
			break;
	}
	return ret;
}

static NOINLINE int provoke_max_map_count(void)
{
	long n, ret = fill_maps(&n);
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "failed after %ld mappings\n", n);

	if (write(2, buf, len) < 0)
		return 1;
	return expect_errno("mmap at vm.max_map_count", ret, ENOMEM);
}

int main(void)
{
	int status;

	note_self();
	status = provoke_max_map_count();
	return status;
}
