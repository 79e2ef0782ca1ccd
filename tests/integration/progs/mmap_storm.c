// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_storm [N [PAUSE_MS]]: a failing-mmap storm from two call sites, storm_a (N - N/4 times)
 * and storm_b (N/4 times), against a small RLIMIT_AS; every call fails with ENOMEM. With
 * PAUSE_MS, storm_a pauses that long after every 1000 failures, so its site lasts a while.
 * Prints "a=.. b=.." (the failures made) on stdout; exits 0 when every call failed so.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (64UL << 20)
#define MAP_LEN (128UL << 20) /* over the limit by itself: may_expand_vm() refuses each */

static NOINLINE long map_once(void)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static NOINLINE unsigned long storm_a(unsigned long n, unsigned long pause_ms)
{
	struct timespec ts = { pause_ms / 1000, pause_ms % 1000 * 1000000 };
	unsigned long made = 0;

	for (unsigned long i = 0; i < n; i++) {
		made += map_once() == -ENOMEM;
		if (pause_ms && i % 1000 == 999)
			nanosleep(&ts, NULL);
	}
	return made;
}

static NOINLINE unsigned long storm_b(unsigned long n)
{
	unsigned long made = 0;

	for (unsigned long i = 0; i < n; i++)
		made += map_once() == -ENOMEM;
	return made;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000, a, b;
	unsigned long pause_ms = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	struct rlimit rl = { LIMIT, LIMIT };

	note_self();
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	a = storm_a(n - n / 4, pause_ms);
	b = storm_b(n / 4);
	printf("a=%lu b=%lu\n", a, b);
	return a + b == n ? 0 : 1;
}
