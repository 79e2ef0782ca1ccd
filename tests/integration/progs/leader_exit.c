// SPDX-License-Identifier: GPL-2.0
/*
 * leader_exit: the main thread leaves first (pthread_exit) while a worker goes on: once the
 * leader is a zombie, the worker maps 512 MiB over RLIMIT_AS (256 MiB) three times, then exits
 * the process with 0. A tracer that forgets the process at its leader's exit misses all three.
 * The leader ends with a raw exit(2), which ends the calling thread alone: pthread_exit() needs
 * libgcc_s for its unwinding, and the VMs' initramfs has none.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (256UL << 20)
#define MAP_LEN (512UL << 20)

static pid_t leader;

static NOINLINE long map_after_leader(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* The leader's state in /proc/self/task/TID/stat: 'Z' once it has exited. */
static char leader_state(void)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", leader);
	f = fopen(path, "r");
	if (!f)
		return 'X';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

static void *worker(void *arg)
{
	int status = 0;

	(void)arg;
	for (int i = 0; i < 500 && leader_state() != 'Z' && leader_state() != 'X'; i++)
		usleep(10 * 1000);
	if (leader_state() != 'Z' && leader_state() != 'X') {
		fprintf(stderr, "leader_exit: the leader did not exit\n");
		exit(3);
	}
	for (int i = 0; i < 3; i++)
		status |= expect_errno("mmap 512 MiB over RLIMIT_AS after the leader left",
				       map_after_leader(), ENOMEM);
	exit(status);
}

int main(void)
{
	struct rlimit rl = { LIMIT, LIMIT };
	pthread_t t;

	note_self();
	leader = getpid();
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	if (pthread_create(&t, NULL, worker, NULL))
		die("pthread_create");
	syscall(SYS_exit, 0);
	return 3;
}
