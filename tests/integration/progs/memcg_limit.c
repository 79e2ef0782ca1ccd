// SPDX-License-Identifier: GPL-2.0
/*
 * memcg_limit: usage: memcg_limit CGROUP_DIR MIB [OOM_SCORE_ADJ]. Joins a memory cgroup whose
 * limit is below MIB and whose OOM killer finds no victim, then populates MIB of anonymous
 * memory with madvise(MADV_POPULATE_WRITE). The charge fails at the limit and, the OOM killer
 * not helping, try_charge_memcg() gives up with -ENOMEM, which GUP and madvise pass on to user
 * space. v1 turns the cgroup's OOM killer off (memory.oom_control = 1, the caller's job); v2 has
 * no such switch, so OOM_SCORE_ADJ -1000 makes this process unkillable (CAP_SYS_RESOURCE).
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static NOINLINE long do_populate(char *p, unsigned long len)
{
	return raw_syscall6(SYS_madvise, (long)p, len, MADV_POPULATE_WRITE, 0, 0, 0);
}

static NOINLINE int provoke_memcg_limit(unsigned long len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long ret;

	if (p == MAP_FAILED)
		die("mmap");
	ret = do_populate(p, len);
	/* Give the memory back at once: while the cgroup is full any page fault of ours (a new
	 * stack page) would wait forever, the OOM killer finding no victim. Pages first: munmap
	 * may split a VMA, whose copy is charged too, and would fail with ENOMEM itself. */
	raw_syscall6(SYS_madvise, (long)p, len, MADV_DONTNEED, 0, 0, 0);
	raw_syscall6(SYS_munmap, (long)p, len, 0, 0, 0, 0);
	return expect_errno("madvise(MADV_POPULATE_WRITE) over the memcg limit", ret, ENOMEM);
}

static void set_oom_score_adj(const char *adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");

	if (!f || fprintf(f, "%s\n", adj) < 0 || fclose(f))
		die("/proc/self/oom_score_adj");
}

int main(int argc, char **argv)
{
	int status;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s CGROUP_DIR MIB [OOM_SCORE_ADJ]\n", argv[0]);
		return 3;
	}
	note_self();
	if (argc == 4)
		set_oom_score_adj(argv[3]);
	join_cgroup(argv[1]);
	/* no lingering: the tracer's verdict rests on the usage BPF read at the failure */
	status = provoke_memcg_limit(strtoul(argv[2], NULL, 10) << 20);
	return status;
}
