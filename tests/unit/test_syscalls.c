// SPDX-License-Identifier: GPL-2.0
/*
 * syscall tables and decoding: names per ABI (every entry against the installed uapi headers),
 * argument names, flag decoding against the C library's own constants, errno names, the call
 * line and the JSON "syscall" object.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "tests/unit/fixtures_events.h"
#include "syscalls.h"
#include "bpf/allocfail.h"
#include "bpf/syscalls.h"

#define UAPI_DIR "/usr/include/x86_64-linux-gnu/asm"
#define HUGE(log2) ((uint64_t)(log2) << MAP_HUGE_SHIFT)

static const char *name(long nr, enum sc_abi abi)
{
	return syscall_table__describe(nr, abi)->name;
}

static void test_names_x86_64(void **state)
{
	(void)state;
	assert_string_equal(name(0, SC_ABI_X86_64), "read");
	assert_string_equal(name(9, SC_ABI_X86_64), "mmap");
	assert_string_equal(name(10, SC_ABI_X86_64), "mprotect");
	assert_string_equal(name(11, SC_ABI_X86_64), "munmap");
	assert_string_equal(name(12, SC_ABI_X86_64), "brk");
	assert_string_equal(name(25, SC_ABI_X86_64), "mremap");
	assert_string_equal(name(28, SC_ABI_X86_64), "madvise");
	assert_string_equal(name(29, SC_ABI_X86_64), "shmget");
	assert_string_equal(name(56, SC_ABI_X86_64), "clone");
	assert_string_equal(name(57, SC_ABI_X86_64), "fork");
	assert_string_equal(name(58, SC_ABI_X86_64), "vfork");
	assert_string_equal(name(149, SC_ABI_X86_64), "mlock");
	assert_string_equal(name(151, SC_ABI_X86_64), "mlockall");
	assert_string_equal(name(325, SC_ABI_X86_64), "mlock2");
	assert_string_equal(name(435, SC_ABI_X86_64), "clone3");
	/* after the installed 6.1 headers */
	assert_string_equal(name(336, SC_ABI_X86_64), "uprobe");
	assert_string_equal(name(453, SC_ABI_X86_64), "map_shadow_stack");
	assert_string_equal(name(462, SC_ABI_X86_64), "mseal");
	assert_string_equal(name(469, SC_ABI_X86_64), "file_setattr");
	assert_true(syscall_table__describe(9, SC_ABI_X86_64)->known);
}

static void test_names_ia32(void **state)
{
	(void)state;
	assert_string_equal(name(1, SC_ABI_IA32), "exit");
	assert_string_equal(name(2, SC_ABI_IA32), "fork");
	assert_string_equal(name(45, SC_ABI_IA32), "brk");
	assert_string_equal(name(90, SC_ABI_IA32), "mmap");
	assert_string_equal(name(117, SC_ABI_IA32), "ipc");
	assert_string_equal(name(120, SC_ABI_IA32), "clone");
	assert_string_equal(name(150, SC_ABI_IA32), "mlock");
	assert_string_equal(name(163, SC_ABI_IA32), "mremap");
	assert_string_equal(name(192, SC_ABI_IA32), "mmap2");
	assert_string_equal(name(219, SC_ABI_IA32), "madvise");
	assert_string_equal(name(376, SC_ABI_IA32), "mlock2");
	assert_string_equal(name(395, SC_ABI_IA32), "shmget");
	assert_string_equal(name(435, SC_ABI_IA32), "clone3");
	assert_string_equal(name(462, SC_ABI_IA32), "mseal");
	/* map_shadow_stack is 64-bit only: 453 is a hole in syscall_32.tbl */
	assert_string_equal(name(453, SC_ABI_IA32), "syscall_453");
	assert_false(syscall_table__describe(453, SC_ABI_IA32)->known);
}

static void test_names_x32(void **state)
{
	(void)state;
	assert_string_equal(name(9, SC_ABI_X32), "mmap");
	assert_string_equal(name(12, SC_ABI_X32), "brk");
	assert_string_equal(name(515, SC_ABI_X32), "readv");
	assert_string_equal(name(520, SC_ABI_X32), "execve");
	assert_string_equal(name(547, SC_ABI_X32), "pwritev2");
	/* 64-bit only entries are not x32 calls */
	assert_string_equal(name(19, SC_ABI_X32), "syscall_19");
	assert_string_equal(name(59, SC_ABI_X32), "syscall_59");
	assert_string_equal(name(548, SC_ABI_X32), "syscall_548");
	/* and the x32 range is not native */
	assert_string_equal(name(515, SC_ABI_X86_64), "syscall_515");
}

static void test_unknown(void **state)
{
	const struct sc_desc *d = syscall_table__describe(1000, SC_ABI_X86_64);

	(void)state;
	assert_string_equal(d->name, "syscall_1000");
	assert_false(d->known);
	assert_int_equal(d->nargs, 6);
	for (int i = 0; i < 6; i++) {
		char want[8];

		snprintf(want, sizeof(want), "arg%d", i);
		assert_string_equal(d->args[i].name, want);
		assert_int_equal(d->args[i].fmt, SC_FMT_HEX);
	}
	assert_string_equal(name(-1, SC_ABI_X86_64), "syscall_-1");
	assert_string_equal(name(400, SC_ABI_X86_64), "syscall_400"); /* the unused range */
}

/* Every "#define __NR_name nr" of an installed header names nr in our table. */
static void check_header(const char *file, enum sc_abi abi, long bias)
{
	char line[256], nm[64];
	unsigned int n = 0;
	long nr;
	FILE *f = fopen(file, "r");

	if (!f) {
		/* linux-libc-dev: scripts/install-deps.sh installs it */
		print_message("skipping: %s: %s\n", file, strerror(errno));
		skip();
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define __NR_%63s (__X32_SYSCALL_BIT + %ld)", nm, &nr) != 2 &&
		    sscanf(line, "#define __NR_%63s %ld", nm, &nr) != 2)
			continue;
		if (strcmp(name(nr - bias, abi), nm))
			fail_msg("%s: %s is %ld, our table says %s", file, nm, nr,
				 name(nr - bias, abi));
		assert_int_equal(syscall_table__nr(nm, abi), nr - bias);
		n++;
	}
	fclose(f);
	assert_true(n > 300);
}

static void test_tables_match_headers(void **state)
{
	(void)state;
	check_header(UAPI_DIR "/unistd_64.h", SC_ABI_X86_64, 0);
	check_header(UAPI_DIR "/unistd_32.h", SC_ABI_IA32, 0);
	check_header(UAPI_DIR "/unistd_x32.h", SC_ABI_X32, 0);
}

static void test_nr_lookup(void **state)
{
	(void)state;
	assert_int_equal(syscall_table__nr("mmap", SC_ABI_X86_64), 9);
	assert_int_equal(syscall_table__nr("mmap2", SC_ABI_IA32), 192);
	assert_int_equal(syscall_table__nr("mmap2", SC_ABI_X86_64), -1);
	assert_int_equal(syscall_table__nr("readv", SC_ABI_X32), 515);
	assert_int_equal(syscall_table__nr("readv", SC_ABI_X86_64), 19);
	assert_int_equal(syscall_table__nr("mseal", SC_ABI_X32), 462);
	assert_int_equal(syscall_table__nr("no_such_call", SC_ABI_X86_64), -1);
	assert_int_equal(syscall_table__nr(NULL, SC_ABI_X86_64), -1);
}

/* The numbers BPF and the cause rules branch on (bpf/syscalls.h) name the calls they mean, in
 * the tables checked against the installed headers above; x32 shares the 64-bit ones. */
static void test_tracer_numbers(void **state)
{
	static const struct {
		const char *name;
		long nr64, nr32;
	} calls[] = {
		{ "mmap", AF_NR64_MMAP, AF_NR32_MMAP },
		{ "mmap2", -1, AF_NR32_MMAP2 },
		{ "mprotect", AF_NR64_MPROTECT, AF_NR32_MPROTECT },
		{ "pkey_mprotect", AF_NR64_PKEY_MPROTECT, AF_NR32_PKEY_MPROTECT },
		{ "munmap", AF_NR64_MUNMAP, AF_NR32_MUNMAP },
		{ "brk", AF_NR64_BRK, AF_NR32_BRK },
		{ "mremap", AF_NR64_MREMAP, AF_NR32_MREMAP },
		{ "madvise", AF_NR64_MADVISE, AF_NR32_MADVISE },
		{ "shmget", AF_NR64_SHMGET, AF_NR32_SHMGET },
		{ "ipc", -1, AF_NR32_IPC },
		{ "clone", AF_NR64_CLONE, AF_NR32_CLONE },
		{ "clone3", AF_NR64_CLONE3, AF_NR32_CLONE3 },
		{ "fork", AF_NR64_FORK, AF_NR32_FORK },
		{ "vfork", AF_NR64_VFORK, AF_NR32_VFORK },
		{ "mlock", AF_NR64_MLOCK, AF_NR32_MLOCK },
		{ "mlock2", AF_NR64_MLOCK2, AF_NR32_MLOCK2 },
		{ "munlock", AF_NR64_MUNLOCK, AF_NR32_MUNLOCK },
		{ "mlockall", AF_NR64_MLOCKALL, AF_NR32_MLOCKALL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		assert_int_equal(syscall_table__nr(calls[i].name, SC_ABI_X86_64), calls[i].nr64);
		assert_int_equal(syscall_table__nr(calls[i].name, SC_ABI_X32), calls[i].nr64);
		assert_int_equal(syscall_table__nr(calls[i].name, SC_ABI_IA32), calls[i].nr32);
		/* BPF's switches take an ia32 call by its x86_64 number */
		if (calls[i].nr64 >= 0 && calls[i].nr32 != AF_NR32_MMAP)
			assert_int_equal(af_sc_nr64(calls[i].nr32, true), calls[i].nr64);
	}
	assert_int_equal(af_sc_nr64(AF_NR32_MMAP2, true), AF_NR64_MMAP);
	assert_int_equal(af_sc_nr64(AF_NR32_MMAP, true), -1); /* old_mmap: in memory */
	assert_int_equal(af_sc_nr64(AF_NR32_IPC, true), -1);
	assert_int_equal(af_sc_nr64(AF_NR64_MLOCK2, false), AF_NR64_MLOCK2);
	assert_int_equal(AF_X32_SYSCALL_BIT, 0x40000000);
}

static void assert_args(long nr, enum sc_abi abi, const char *const *want, int n)
{
	const struct sc_desc *d = syscall_table__describe(nr, abi);

	assert_int_equal(d->nargs, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(d->args[i].name, want[i]);
}

#define ASSERT_ARGS(nr, abi, ...)                                                            \
	do {                                                                                 \
		static const char *const w[] = { __VA_ARGS__ };                              \
		assert_args(nr, abi, w, sizeof(w) / sizeof(w[0]));                           \
	} while (0)

static void test_arg_names(void **state)
{
	(void)state;
	ASSERT_ARGS(9, SC_ABI_X86_64, "addr", "length", "prot", "flags", "fd", "offset");
	ASSERT_ARGS(25, SC_ABI_X86_64, "old_address", "old_size", "new_size", "flags",
		    "new_address");
	ASSERT_ARGS(12, SC_ABI_X86_64, "addr");
	ASSERT_ARGS(149, SC_ABI_X86_64, "addr", "len");
	ASSERT_ARGS(325, SC_ABI_X86_64, "addr", "len", "flags");
	ASSERT_ARGS(151, SC_ABI_X86_64, "flags");
	ASSERT_ARGS(56, SC_ABI_X86_64, "flags", "newsp", "parent_tid", "child_tid", "tls");
	ASSERT_ARGS(435, SC_ABI_X86_64, "uargs", "size");
	ASSERT_ARGS(29, SC_ABI_X86_64, "key", "size", "shmflg");
	ASSERT_ARGS(28, SC_ABI_X86_64, "addr", "length", "advice");
	assert_int_equal(syscall_table__describe(57, SC_ABI_X86_64)->nargs, 0);
	/* ia32: old mmap takes a pointer, mmap2 a page offset, clone has tls before child_tid */
	ASSERT_ARGS(90, SC_ABI_IA32, "arg");
	ASSERT_ARGS(192, SC_ABI_IA32, "addr", "length", "prot", "flags", "fd", "pgoffset");
	ASSERT_ARGS(120, SC_ABI_IA32, "flags", "newsp", "parent_tid", "tls", "child_tid");
	ASSERT_ARGS(163, SC_ABI_IA32, "old_address", "old_size", "new_size", "flags",
		    "new_address");
	ASSERT_ARGS(56, SC_ABI_X32, "flags", "newsp", "parent_tid", "child_tid", "tls");
	/* known, without a decoder: the raw registers */
	ASSERT_ARGS(7, SC_ABI_X86_64, "arg0", "arg1", "arg2", "arg3", "arg4", "arg5");
	assert_true(syscall_table__describe(7, SC_ABI_X86_64)->known);
}

static void assert_fmt(enum sc_fmt fmt, uint64_t v, bool is32, const char *want)
{
	char buf[256];
	int n = syscall_table__format_arg(fmt, v, is32, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_prot(void **state)
{
	(void)state;
	assert_fmt(SC_FMT_MMAP_PROT, PROT_NONE, false, "PROT_NONE");
	assert_fmt(SC_FMT_MMAP_PROT, PROT_READ | PROT_WRITE, false, "PROT_READ|PROT_WRITE");
	assert_fmt(SC_FMT_MMAP_PROT, PROT_READ | PROT_EXEC | PROT_GROWSDOWN, false,
		   "PROT_READ|PROT_EXEC|PROT_GROWSDOWN");
	assert_fmt(SC_FMT_MMAP_PROT, PROT_READ | 0x10, false, "PROT_READ|0x10");
}

static void test_map_flags(void **state)
{
	(void)state;
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | MAP_ANONYMOUS, false,
		   "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_SHARED | MAP_FIXED_NOREPLACE | MAP_POPULATE, false,
		   "MAP_SHARED|MAP_POPULATE|MAP_FIXED_NOREPLACE");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_SHARED_VALIDATE | MAP_SYNC, false,
		   "MAP_SHARED_VALIDATE|MAP_SYNC");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_32BIT |
					      MAP_STACK | MAP_GROWSDOWN | MAP_LOCKED,
		   false,
		   "MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT|MAP_GROWSDOWN|MAP_LOCKED|MAP_NORESERVE|"
		   "MAP_STACK");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | HUGE(21), false,
		   "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | HUGE(30), false,
		   "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_1GB");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_SHARED | MAP_HUGETLB | HUGE(16), false,
		   "MAP_SHARED|MAP_HUGETLB|MAP_HUGE_64KB");
	/* without MAP_HUGETLB bit 26 is MAP_UNINITIALIZED, the rest unknown */
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | HUGE(21), false,
		   "MAP_PRIVATE|MAP_UNINITIALIZED|0x50000000");
	assert_fmt(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | 0x80000000ULL, false, "MAP_PRIVATE|0x80000000");
	assert_fmt(SC_FMT_MMAP_FLAGS, 0x4 | MAP_ANONYMOUS, false, "MAP_ANONYMOUS|0x4");
	assert_fmt(SC_FMT_MMAP_FLAGS, 0, false, "0");
}

static void test_small_flag_sets(void **state)
{
	(void)state;
	assert_fmt(SC_FMT_MREMAP_FLAGS, MREMAP_MAYMOVE | MREMAP_FIXED, false,
		   "MREMAP_MAYMOVE|MREMAP_FIXED");
	assert_fmt(SC_FMT_MREMAP_FLAGS, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, false,
		   "MREMAP_MAYMOVE|MREMAP_DONTUNMAP");
	assert_fmt(SC_FMT_MREMAP_FLAGS, 0, false, "0");
	assert_fmt(SC_FMT_MLOCK2_FLAGS, MLOCK_ONFAULT, false, "MLOCK_ONFAULT");
	assert_fmt(SC_FMT_MLOCK2_FLAGS, 0x6, false, "0x6");
	assert_fmt(SC_FMT_MLOCKALL_FLAGS, MCL_CURRENT | MCL_FUTURE, false,
		   "MCL_CURRENT|MCL_FUTURE");
	assert_fmt(SC_FMT_MLOCKALL_FLAGS, MCL_FUTURE | MCL_ONFAULT, false,
		   "MCL_FUTURE|MCL_ONFAULT");
	assert_fmt(SC_FMT_MADVISE, MADV_DONTNEED, false, "MADV_DONTNEED");
	assert_fmt(SC_FMT_MADVISE, MADV_HUGEPAGE, false, "MADV_HUGEPAGE");
	assert_fmt(SC_FMT_MADVISE, MADV_POPULATE_WRITE, false, "MADV_POPULATE_WRITE");
	assert_fmt(SC_FMT_MADVISE, MADV_HWPOISON, false, "MADV_HWPOISON");
	assert_fmt(SC_FMT_MADVISE, 999, false, "0x3e7");
}

static void test_clone_flags(void **state)
{
	(void)state;
	assert_fmt(SC_FMT_CLONE_FLAGS, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, false,
		   "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	assert_fmt(SC_FMT_CLONE_FLAGS,
		   CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			   CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			   CLONE_CHILD_CLEARTID,
		   false,
		   "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
		   "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
	assert_fmt(SC_FMT_CLONE_FLAGS, CLONE_VM | CLONE_VFORK | SIGCHLD, false,
		   "CLONE_VM|CLONE_VFORK|SIGCHLD");
	assert_fmt(SC_FMT_CLONE_FLAGS, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | SIGUSR1,
		   false, "CLONE_NEWNS|CLONE_NEWUSER|CLONE_NEWPID|SIGUSR1");
	assert_fmt(SC_FMT_CLONE_FLAGS, SIGCHLD, false, "SIGCHLD");
	assert_fmt(SC_FMT_CLONE_FLAGS, 40, false, "SIG40");
	assert_fmt(SC_FMT_CLONE_FLAGS, CLONE_VM | 0x400000000ULL, false, "CLONE_VM|0x400000000");
	assert_fmt(SC_FMT_CLONE_FLAGS, 0, false, "0");
	/* every exit signal as the C library names it (SIGIO: glibc says SIGPOLL, an alias) */
	assert_fmt(SC_FMT_CLONE_FLAGS, SIGIO, false, "SIGIO");
	for (int sig = 1; sig < 32; sig++) {
		char want[16];

		if (sig == SIGIO)
			continue;
		snprintf(want, sizeof(want), "SIG%s", sigabbrev_np(sig));
		assert_fmt(SC_FMT_CLONE_FLAGS, sig, false, want);
	}
}

static void test_shm_flags(void **state)
{
	(void)state;
	assert_fmt(SC_FMT_SHMGET_FLAGS, IPC_CREAT | 0600, false, "IPC_CREAT|0600");
	assert_fmt(SC_FMT_SHMGET_FLAGS, IPC_CREAT | IPC_EXCL | SHM_HUGETLB | HUGE(21) | 0640,
		   false, "IPC_CREAT|IPC_EXCL|SHM_HUGETLB|SHM_HUGE_2MB|0640");
	assert_fmt(SC_FMT_SHMGET_FLAGS, SHM_NORESERVE | 0x100000 | 0644, false,
		   "SHM_NORESERVE|0x100000|0644");
	assert_fmt(SC_FMT_SHMGET_FLAGS, 0, false, "0");
}

static void test_numbers(void **state)
{
	(void)state;
	assert_fmt(SC_FMT_HEX, 0, false, "0x0");
	assert_fmt(SC_FMT_HEX, 0x7f0011223344ULL, false, "0x7f0011223344");
	assert_fmt(SC_FMT_UDEC, 1ULL << 40, false, "1099511627776");
	assert_fmt(SC_FMT_FD, (uint64_t)-1, false, "-1");
	assert_fmt(SC_FMT_FD, 0xffffffffULL, true, "-1");
	assert_fmt(SC_FMT_DEC, (uint64_t)-5, false, "-5");
	assert_fmt(SC_FMT_DEC, 0xfffffffbULL, true, "-5");
	assert_fmt(SC_FMT_DEC, 0xfffffffbULL, false, "4294967291");
	assert_fmt(SC_FMT_OCT, 0644, false, "0644");
	assert_fmt(SC_FMT_OCT, 0, false, "0");
}

static void test_format_truncates(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(syscall_table__format_arg(SC_FMT_MMAP_FLAGS, MAP_PRIVATE | MAP_ANONYMOUS,
						   false, buf, sizeof(buf)),
			 strlen("MAP_PRIVATE|MAP_ANONYMOUS"));
	assert_string_equal(buf, "MAP_PRI");
	assert_int_equal(syscall_table__format_arg(SC_FMT_HEX, 0, false, NULL, 0), 3);
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(syscall_table__errno_name(ENOMEM), "ENOMEM");
	assert_string_equal(syscall_table__errno_name(EPERM), "EPERM");
	assert_string_equal(syscall_table__errno_name(EAGAIN), "EAGAIN");
	assert_string_equal(syscall_table__errno_name(EDEADLK), "EDEADLK");
	assert_string_equal(syscall_table__errno_name(EHWPOISON), "EHWPOISON");
	assert_string_equal(syscall_table__errno_name(512), "ERESTARTSYS");
	assert_string_equal(syscall_table__errno_name(524), "ENOTSUPP");
	assert_null(syscall_table__errno_name(0));
	assert_null(syscall_table__errno_name(-12));
	assert_null(syscall_table__errno_name(41)); /* no errno 41 on Linux */
	assert_null(syscall_table__errno_name(520));
	assert_null(syscall_table__errno_name(4000));
	/* all of them, as the C library names them */
	for (int e = 1; e <= 133; e++) {
		const char *lib = strerrorname_np(e);

		if (!lib)
			assert_null(syscall_table__errno_name(e));
		else
			assert_string_equal(syscall_table__errno_name(e), lib);
	}
}

static void test_abi(void **state)
{
	(void)state;
	assert_int_equal(syscall_table__abi(0), SC_ABI_X86_64);
	assert_int_equal(syscall_table__abi(AF_SC_IA32), SC_ABI_IA32);
	assert_int_equal(syscall_table__abi(AF_SC_X32 | AF_SC_BRK_SILENT), SC_ABI_X32);
	assert_string_equal(syscall_table__abi_name(SC_ABI_X86_64), "x86_64");
	assert_string_equal(syscall_table__abi_name(SC_ABI_IA32), "ia32");
	assert_string_equal(syscall_table__abi_name(SC_ABI_X32), "x32");
}

static void set_sc(struct af_syscall *sc, long nr, int64_t ret, uint32_t flags,
		   const uint64_t args[6])
{
	memset(sc, 0, sizeof(*sc));
	sc->h.type = AF_EV_SYSCALL;
	sc->nr = nr;
	sc->ret = ret;
	sc->flags = flags;
	memcpy(sc->args, args, sizeof(sc->args));
}

static void assert_call(const struct af_syscall *sc, const char *want)
{
	char buf[1024];
	int n = syscall_table__format_call(sc, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_call_lines(void **state)
{
	static const uint64_t mmap_args[6] = FIXTURE_MMAP_1T_ARGS;
	static const uint64_t brk_args[6] = { 0x555556000000ULL };
	static const uint64_t m2_args[6] = { 0xdead00001000ULL, 4096, 1, 0x22, 0xffffffffULL, 7 };
	static const uint64_t clone_args[6] = { CLONE_VM | SIGCHLD, 0, 0x10, 0x20, 0x30 };
	static const uint64_t raw[6] = { 1, 2, 3, 4, 5, 6 };
	struct af_syscall sc;

	(void)state;
	set_sc(&sc, 9, -ENOMEM, 0, mmap_args);
	assert_call(&sc, "mmap(addr=0x0, length=1099511627776, prot=PROT_READ|PROT_WRITE, "
			 "flags=MAP_PRIVATE|MAP_ANONYMOUS, fd=-1, offset=0) = -ENOMEM");
	set_sc(&sc, 12, 0x555555000000LL, AF_SC_BRK_SILENT, brk_args);
	assert_call(&sc, "brk(addr=0x555556000000) = 0x555555000000 "
			 "(no errno; failed: ENOMEM as glibc reports)");
	/* ia32: registers are 32 bits wide */
	set_sc(&sc, 192, -ENOMEM, AF_SC_IA32, m2_args);
	assert_call(&sc, "mmap2(addr=0x1000, length=4096, prot=PROT_READ, "
			 "flags=MAP_PRIVATE|MAP_ANONYMOUS, fd=-1, pgoffset=7) = -ENOMEM");
	set_sc(&sc, 120, -ENOMEM, AF_SC_IA32, clone_args);
	assert_call(&sc, "clone(flags=CLONE_VM|SIGCHLD, newsp=0x0, parent_tid=0x10, tls=0x20, "
			 "child_tid=0x30) = -ENOMEM");
	set_sc(&sc, 57, -EAGAIN, 0, raw);
	assert_call(&sc, "fork() = -EAGAIN");
	set_sc(&sc, 999, -600, 0, raw);
	assert_call(&sc, "syscall_999(arg0=0x1, arg1=0x2, arg2=0x3, arg3=0x4, arg4=0x5, "
			 "arg5=0x6) = -600");
}

static void test_errno_of(void **state)
{
	static const uint64_t none[6];
	struct af_syscall sc;

	(void)state;
	set_sc(&sc, 9, -ENOMEM, 0, none);
	assert_string_equal(syscall_table__errno_of(&sc), "ENOMEM");
	set_sc(&sc, 12, 0x1000, AF_SC_BRK_SILENT, none);
	assert_string_equal(syscall_table__errno_of(&sc), "ENOMEM");
	set_sc(&sc, 9, -600, 0, none);
	assert_string_equal(syscall_table__errno_of(&sc), "errno_600");
	set_sc(&sc, 9, 0x7f0000000000LL, 0, none);
	assert_null(syscall_table__errno_of(&sc));
}

static void test_call_json(void **state)
{
	static const uint64_t args[6] = { 0xdead00002000ULL, 8192, 0, 0x40022, 0xffffffffULL, 3 };
	struct json_object *o, *a, *v;
	struct af_syscall sc;

	(void)state;
	set_sc(&sc, 192, -ENOMEM, AF_SC_IA32, args);
	o = syscall_table__call_json(&sc);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "name")), "mmap2");
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "nr")), 192);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "abi")), "ia32");
	assert_int_equal(json_object_get_int64(json_object_object_get(o, "ret")), -ENOMEM);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "errno")), "ENOMEM");
	assert_true(json_object_is_type(json_object_object_get(o, "silent"), json_type_boolean));
	assert_false(json_object_get_boolean(json_object_object_get(o, "silent")));
	a = json_object_object_get(o, "args");
	assert_int_equal(json_object_object_length(a), 6);
	v = json_object_object_get(a, "addr");
	assert_true(json_object_is_type(v, json_type_string));
	assert_string_equal(json_object_get_string(v), "0x2000");
	v = json_object_object_get(a, "length");
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_uint64(v), 8192);
	assert_string_equal(json_object_get_string(json_object_object_get(a, "prot")), "PROT_NONE");
	assert_string_equal(json_object_get_string(json_object_object_get(a, "flags")),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB");
	v = json_object_object_get(a, "fd");
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), -1);
	assert_int_equal(json_object_get_int64(json_object_object_get(a, "pgoffset")), 3);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_x86_64),
		cmocka_unit_test(test_names_ia32),
		cmocka_unit_test(test_names_x32),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_tables_match_headers),
		cmocka_unit_test(test_tracer_numbers),
		cmocka_unit_test(test_nr_lookup),
		cmocka_unit_test(test_arg_names),
		cmocka_unit_test(test_prot),
		cmocka_unit_test(test_map_flags),
		cmocka_unit_test(test_small_flag_sets),
		cmocka_unit_test(test_clone_flags),
		cmocka_unit_test(test_shm_flags),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_abi),
		cmocka_unit_test(test_call_lines),
		cmocka_unit_test(test_errno_of),
		cmocka_unit_test(test_call_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
