// SPDX-License-Identifier: GPL-2.0
/*
 * preempt_storm [N]: on one CPU, N mmaps failing from one site while a second thread loops on a
 * cheap syscall and a SCHED_FIFO thread wakes every 50 us, preempting whichever runs. Where the
 * kernel runs syscall tracepoint programs preemptibly, the looping thread is now and then
 * preempted inside the tracer's program, and the kernel skips that program for the storm until
 * the looper runs again: the tracer must count what was skipped. Prints "made=M fifo=F" (F: 1 if
 * the waker got SCHED_FIFO); exits 0 when every mmap failed with ENOMEM.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (64UL << 20)
#define MAP_LEN (128UL << 20) /* over the limit by itself: may_expand_vm() refuses each */

static atomic_int stop;
static atomic_int fifo;

static NOINLINE long map_once(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE unsigned long preempted_storm(unsigned long n)
{
	unsigned long made = 0;

	for (unsigned long i = 0; i < n; i++) {
		made += map_once() == -ENOMEM;
		if (!(i % 64))
			sched_yield(); /* let the looper in between, so it is the one preempted */
	}
	return made;
}

static void *looper(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		syscall(SYS_getppid);
	return NULL;
}

static void *waker(void *arg)
{
	struct sched_param sp = { .sched_priority = 1 };
	struct timespec ts = { 0, 50000 };

	(void)arg;
	atomic_store(&fifo, !pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp));
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, made;
	struct rlimit rl = { LIMIT, LIMIT };
	cpu_set_t allowed, one;
	pthread_t loop, wake;
	int cpu = -1;

	note_self();
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		die("sched_getaffinity");
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cpu = c;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	/* the threads inherit the CPU; their stacks are mapped before the limit */
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity");
	if (pthread_create(&loop, NULL, looper, NULL) || pthread_create(&wake, NULL, waker, NULL))
		die("pthread_create");
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	made = preempted_storm(n);
	atomic_store(&stop, 1);
	pthread_join(loop, NULL);
	pthread_join(wake, NULL);
	printf("made=%lu fifo=%d\n", made, atomic_load(&fifo));
	return made == n ? 0 : 1;
}
