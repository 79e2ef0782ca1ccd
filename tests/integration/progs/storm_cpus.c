// SPDX-License-Identifier: GPL-2.0
/*
 * storm_cpus [N]: one thread per CPU it may run on, each pinned to its CPU, each failing N mmaps
 * from the same call site at once (the kernel counts a site per CPU: the counts must add up).
 * Prints "threads=T made=M" on stdout; exits 0 when every call failed with ENOMEM.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (64UL << 20)
#define MAP_LEN (128UL << 20) /* over the limit by itself: may_expand_vm() refuses each */
#define MAX_THREADS 64

static pthread_barrier_t start;
static unsigned long per_thread;

static NOINLINE long map_once(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE unsigned long storm_cpu(unsigned long n)
{
	unsigned long made = 0;

	for (unsigned long i = 0; i < n; i++)
		made += map_once() == -ENOMEM;
	return made;
}

static void *worker(void *arg)
{
	pthread_barrier_wait(&start);
	*(unsigned long *)arg = storm_cpu(per_thread);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long made[MAX_THREADS] = { 0 }, total = 0;
	pthread_t th[MAX_THREADS];
	struct rlimit rl = { LIMIT, LIMIT };
	cpu_set_t allowed;
	int nt = 0;

	per_thread = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	note_self();
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		die("sched_getaffinity");
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	if (pthread_barrier_init(&start, NULL, CPU_COUNT(&allowed) < MAX_THREADS ?
					       CPU_COUNT(&allowed) : MAX_THREADS))
		die("pthread_barrier_init");
	for (int cpu = 0; cpu < CPU_SETSIZE && nt < MAX_THREADS; cpu++) {
		pthread_attr_t attr;
		cpu_set_t one;

		if (!CPU_ISSET(cpu, &allowed))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (pthread_attr_init(&attr) ||
		    pthread_attr_setaffinity_np(&attr, sizeof(one), &one) ||
		    pthread_create(&th[nt], &attr, worker, &made[nt]))
			die("pthread_create");
		pthread_attr_destroy(&attr);
		nt++;
	}
	for (int i = 0; i < nt; i++) {
		pthread_join(th[i], NULL);
		total += made[i];
	}
	printf("threads=%d made=%lu\n", nt, total);
	return total == per_thread * nt ? 0 : 1;
}
