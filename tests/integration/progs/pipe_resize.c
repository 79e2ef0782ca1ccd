// SPDX-License-Identifier: GPL-2.0
/* usage: pipe_resize CGROUP_DIR FILL_MIB. Joins a memory cgroup, fills it with FILL_MIB of
 * anonymous memory, then asks for a 256 MiB pipe: the pipe's 2.5 MiB buffer array is an order-10
 * kmalloc charged to the full cgroup (__GFP_ACCOUNT), so the page allocation fails and fcntl
 * returns ENOMEM. The caller raises fs.pipe-max-size (we have no CAP_SYS_RESOURCE here). */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <fcntl.h>
#include <sys/mman.h>

static NOINLINE long resize_pipe(int fd)
{
	return raw_syscall6(SYS_fcntl, fd, F_SETPIPE_SZ, 256 << 20, 0, 0, 0);
}

static NOINLINE long provoke_pipe_resize(void)
{
	int fds[2];

	if (pipe(fds))
		die("pipe");
	return resize_pipe(fds[1]);
}

int main(int argc, char **argv)
{
	unsigned long len;
	long ret;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CGROUP_DIR FILL_MIB\n", argv[0]);
		return 3;
	}
	len = strtoul(argv[2], NULL, 10) << 20;
	note_self();
	join_cgroup(argv[1]);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 1, len);
	/* exits at once, its charges gone with it: the verdict rests on BPF's snapshot */
	ret = provoke_pipe_resize();
	return expect_errno("fcntl(F_SETPIPE_SZ)", ret, ENOMEM);
}
