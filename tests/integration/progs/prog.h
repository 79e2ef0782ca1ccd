/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the integration test programs. Each program provokes one real allocation failure
 * at the end of a chain of noinline functions whose names the tests look for in the user stack.
 *
 * Exit status: 0 when the call failed the expected way, 1 when it did not (with a line on
 * stderr), 3 when the program could not set itself up.
 */
#ifndef AF_TEST_PROG_H
#define AF_TEST_PROG_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare, MAP_HUGETLB...: the Makefile builds these without it */
#endif

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

/*
 * The failing syscall is issued from our own frame, not through glibc: glibc's wrappers (mmap,
 * mlock, brk...) are leaf functions without frame pointers, so a frame-pointer walk starting in
 * them skips their caller, and __sbrk even uses %rbp as a scratch register. always_inline keeps
 * this helper inside the caller despite -fno-inline. GCC 12 gives a leaf function that needs no
 * stack no frame at all, -fno-omit-frame-pointer notwithstanding: taking the frame address
 * forces one, so the walk from the syscall reaches our caller. Returns -errno on failure.
 */
static inline __attribute__((always_inline)) long raw_syscall6(long nr, long a1, long a2, long a3,
							      long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* Tell the test who we are: "pid ppid" into $AF_PIDFILE, when it is set. */
static inline void note_self(void)
{
	const char *path = getenv("AF_PIDFILE");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(3);
	}
	fprintf(f, "%d %d\n", getpid(), getppid());
	fclose(f);
}

/*
 * Stay alive ~300 ms. (Neither symbols nor memory cgroup verdicts need this any more: the tracer
 * follows mappings as the kernel reports them, and BPF reads the memcg's usage and limits at
 * the failure.) nanosleep allocates nothing, which matters when the failure left the process
 * unable to map anything more.
 */
static inline void linger(void)
{
	struct timespec ts = { 0, 300 * 1000 * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* With $AF_GO naming a FIFO, wait for a byte from it: a test can stop the tracer before the
 * failure and make sure the process is gone before the tracer reads its event. */
static inline void wait_go(void)
{
	const char *fifo = getenv("AF_GO");
	char c;
	FILE *f;

	if (!fifo)
		return;
	f = fopen(fifo, "r");
	if (!f || fread(&c, 1, 1, f) != 1) {
		perror(fifo);
		exit(3);
	}
	fclose(f);
}

/* Judge the result of the failing call: returns the exit status. write(2) only, no stdio, so
 * nothing here allocates after the failure. */
static inline int expect_errno(const char *what, long ret, long want)
{
	char buf[160];
	int n;

	if (ret == -want)
		return 0;
	n = snprintf(buf, sizeof(buf), "%s: expected %s, got %ld (%s)\n", what, strerror(want), ret,
		     ret < 0 && ret > -4096 ? strerror(-ret) : "success");
	if (write(2, buf, n) < 0)
		return 1;
	return 1;
}

static inline void die(const char *what)
{
	perror(what);
	exit(3);
}

/* Root has CAP_IPC_LOCK, which lifts RLIMIT_MEMLOCK: drop it from the effective and permitted
 * sets, staying uid 0 so nothing else changes. */
static inline void drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		die("capget");
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	data[CAP_TO_INDEX(CAP_IPC_LOCK)].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data))
		die("capset");
}

/* Move this process into the cgroup directory dir (v1 or v2). */
static inline void join_cgroup(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		die(path);
	if (fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
		die(path);
}

#endif
