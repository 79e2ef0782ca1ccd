// SPDX-License-Identifier: GPL-2.0
/*
 * slab_cache: usage: slab_cache CGROUP_DIR FILL_MIB [OOM_SCORE_ADJ]. Joins a memory cgroup whose
 * OOM killer finds no victim (as memcg_limit: v1's memory.oom_control, set by the caller, or
 * OOM_SCORE_ADJ -1000 on v2), fills FILL_MIB of it with anonymous memory, then maps one page at
 * a time, alternating PROT_READ and PROT_NONE so that no two mappings merge: each is a new
 * vm_area_struct from its slab cache, which is charged to the cgroup (SLAB_ACCOUNT). When the
 * cgroup is full the charge fails, kmem_cache_alloc() returns NULL and mmap returns ENOMEM.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MAX_MAPS 60000 /* under the default vm.max_map_count (65530) */

static NOINLINE long map_page(long page, unsigned long i)
{
	return raw_syscall6(SYS_mmap, 0, page, i & 1 ? PROT_NONE : PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE long provoke_slab_cache(char *fill, unsigned long len)
{
	long page = sysconf(_SC_PAGESIZE), ret = 0;
	unsigned long i;

	for (i = 0; i < MAX_MAPS; i++) {
		ret = map_page(page, i);
		if (ret < 0 && ret > -4096)
			break;
	}
	/* Room again at once: while the cgroup is full any page fault of ours would wait or
	 * loop forever, its OOM killer finding no victim. */
	raw_syscall6(SYS_madvise, (long)fill, len, MADV_DONTNEED, 0, 0, 0);
	return ret;
}

static void set_oom_score_adj(const char *adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");

	if (!f || fprintf(f, "%s\n", adj) < 0 || fclose(f))
		die("/proc/self/oom_score_adj");
}

int main(int argc, char **argv)
{
	unsigned long len;
	long ret;
	char *p;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: slab_cache CGROUP_DIR FILL_MIB [OOM_SCORE_ADJ]\n");
		return 3;
	}
	note_self();
	if (argc == 4)
		set_oom_score_adj(argv[3]);
	len = strtoul(argv[2], NULL, 10) << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	join_cgroup(argv[1]);
	if (raw_syscall6(SYS_madvise, (long)p, len, MADV_POPULATE_WRITE, 0, 0, 0))
		die("madvise(MADV_POPULATE_WRITE): the fill does not fit in the cgroup");
	ret = provoke_slab_cache(p, len);
	return expect_errno("mmap of one page in a full memory cgroup", ret, ENOMEM);
}
