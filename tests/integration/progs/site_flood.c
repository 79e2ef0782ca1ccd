// SPDX-License-Identifier: GPL-2.0
/*
 * site_flood [N]: N failing mmaps (2048 by default), each a failure site of its own, as fast as
 * it can: a site's key holds mmap's flags, and the bits 21 to 31 mean nothing to a private
 * mapping without MAP_HUGETLB, so each call sets another pattern of them. Each is refused by
 * RLIMIT_AS. Every new site's first failure is a record: thousands at once fill the ring buffer,
 * and the records that find it full are counted in their sites (site_records_lost). Prints
 * "made=N" (the failures made); exits 0 when every call failed with ENOMEM.
 */
#include "prog.h" /* first: it defines _GNU_SOURCE */
#include <sys/mman.h>
#include <sys/resource.h>

#define LIMIT (64UL << 20)
#define MAP_LEN (128UL << 20) /* over the limit by itself: may_expand_vm() refuses each */
#define FREE_SHIFT 21	      /* MAP_FIXED_NOREPLACE is bit 20, the last one a private map reads */
#define FREE_BITS 11

static NOINLINE long map_with(unsigned long pattern)
{
	return raw_syscall6(SYS_mmap, 0, MAP_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | (pattern << FREE_SHIFT), -1, 0);
}

static NOINLINE unsigned long flood(unsigned long n)
{
	unsigned long made = 0;

	for (unsigned long i = 0; i < n; i++)
		made += map_with(i & ((1UL << FREE_BITS) - 1)) == -ENOMEM;
	return made;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1UL << FREE_BITS, made;
	struct rlimit rl = { LIMIT, LIMIT };

	note_self();
	if (n > 1UL << FREE_BITS) {
		fprintf(stderr, "site_flood: at most %lu distinct sites\n", 1UL << FREE_BITS);
		return 3;
	}
	if (setrlimit(RLIMIT_AS, &rl))
		die("setrlimit(RLIMIT_AS)");
	made = flood(n);
	printf("made=%lu\n", made);
	return made == n ? 0 : 1;
}
