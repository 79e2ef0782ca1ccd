// SPDX-License-Identifier: GPL-2.0
/* usage: pipe_resize CGROUP_DIR FILL_MIB [REPEAT]. Joins a memory cgroup, fills it with FILL_MIB
 * of anonymous memory, then asks for a 256 MiB pipe (REPEAT times, 1 by default): the pipe's
 * 2.5 MiB buffer array is an order-10 kmalloc charged to the full cgroup (__GFP_ACCOUNT), so the
 * page allocation fails and fcntl returns ENOMEM. Prints "failed N" once every resize failed so.
 * The caller raises fs.pipe-max-size (we have no CAP_SYS_RESOURCE here). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <fcntl.h>
#include <sys/mman.h>

static NOINLINE long resize_pipe(int fd)
{
	return raw_syscall6(SYS_fcntl, fd, F_SETPIPE_SZ, 256 << 20, 0, 0, 0);
}

static NOINLINE long provoke_pipe_resize(unsigned long repeat)
{
	unsigned long failed = 0;
	long ret = 0;
	int fds[2];

	if (pipe(fds))
		die("pipe");
	for (unsigned long i = 0; i < repeat; i++) {
		ret = resize_pipe(fds[1]);
		if (ret != -ENOMEM)
			return ret;
		failed++;
	}
	if (repeat > 1)
		printf("failed %lu\n", failed);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long len, repeat = 1;
	long ret;
	char *p;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s CGROUP_DIR FILL_MIB [REPEAT]\n", argv[0]);
		return 3;
	}
	len = strtoul(argv[2], NULL, 10) << 20;
	if (argc == 4)
		repeat = strtoul(argv[3], NULL, 10);
	note_self();
	join_cgroup(argv[1]);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 1, len);
	/* exits at once, its charges gone with it: the verdict rests on BPF's snapshot */
	ret = provoke_pipe_resize(repeat);
	return expect_errno("fcntl(F_SETPIPE_SZ)", ret, ENOMEM);
}
