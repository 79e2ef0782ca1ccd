/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscall names, argument names and argument decoding for x86_64, ia32 and x32. Pure logic; the
 * call line and the JSON "syscall" object here are shared by every sink.
 */
#ifndef ALLOCFAIL_SYSCALLS_H
#define ALLOCFAIL_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct af_syscall;

enum sc_abi { SC_ABI_X86_64, SC_ABI_IA32, SC_ABI_X32 };

/* How one argument is shown. */
enum sc_fmt {
	SC_FMT_HEX,	     /* addresses, pointers: "0x7f12..." text, JSON string "0x..." */
	SC_FMT_DEC,	     /* signed integer (int or long) */
	SC_FMT_UDEC,	     /* sizes, lengths, counts */
	SC_FMT_FD,	     /* int fd, -1 shown as -1 */
	SC_FMT_OCT,	     /* mode_t: "0644", a JSON string */
	SC_FMT_MMAP_PROT,    /* PROT_READ|PROT_WRITE, "PROT_NONE" for 0 */
	SC_FMT_MMAP_FLAGS,   /* MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB... */
	SC_FMT_MREMAP_FLAGS, /* MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP */
	SC_FMT_MLOCK2_FLAGS, /* MLOCK_ONFAULT */
	SC_FMT_MLOCKALL_FLAGS, /* MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT */
	SC_FMT_CLONE_FLAGS,  /* CLONE_VM|CLONE_FS|...; low byte is the exit signal: "|SIGCHLD" */
	SC_FMT_SHMGET_FLAGS, /* IPC_CREAT|IPC_EXCL|SHM_HUGETLB|SHM_NORESERVE plus mode "|0600" */
	SC_FMT_MADVISE,      /* MADV_* value by name */
};

struct sc_arg {
	const char *name;
	enum sc_fmt fmt;
};

struct sc_desc {
	const char *name; /* never NULL: unknown numbers get "syscall_<nr>" */
	int nargs;	  /* arguments shown; unknown syscalls show all 6 raw as arg0..arg5 */
	struct sc_arg args[6];
	bool known;
};

/*
 * Describe syscall nr of the given ABI (x32: nr without __X32_SYSCALL_BIT). Never NULL. Known
 * numbers get a description owned by the table; an unknown one ("syscall_<nr>", known false)
 * lives in a per-thread buffer, valid until the thread's next call.
 */
const struct sc_desc *syscall_table__describe(long nr, enum sc_abi abi);

/* Text form of one argument value (e.g. "PROT_READ|PROT_WRITE", "0x0", "-1", "4096").
 * Unknown bits are appended in hex ("MAP_PRIVATE|0x80000000"). Returns bytes written like
 * snprintf. 32-bit ABIs: the caller passes values already truncated to 32 bits. */
int syscall_table__format_arg(enum sc_fmt fmt, uint64_t value, bool is32, char *buf, size_t len);

/* JSON form: numbers stay JSON numbers (signed for DEC/FD), flags and addresses strings. */
struct json_object *syscall_table__arg_json(enum sc_fmt fmt, uint64_t value, bool is32);

/* Errno name of a positive errno value ("ENOMEM"), NULL if unknown. */
const char *syscall_table__errno_name(int err);

/* The number of a syscall by name in an ABI's table; -1 if unknown. */
long syscall_table__nr(const char *name, enum sc_abi abi);

/* The ABI an af_syscall record's flags select (AF_SC_IA32, AF_SC_X32). */
enum sc_abi syscall_table__abi(uint32_t af_sc_flags);

/* "x86_64", "ia32" or "x32". */
const char *syscall_table__abi_name(enum sc_abi abi);

/* Argument i of a record as the syscall saw it: ia32 registers carry 32 bits. */
uint64_t syscall_table__arg(const struct af_syscall *sc, int i);

/* The error the record reports: the name of -ret ("ENOMEM"), "ENOMEM" for a brk that did not
 * move (AF_SC_BRK_SILENT: glibc turns it into ENOMEM), "errno_<n>" for an unnamed one; NULL if
 * ret is not an error. The result may live in a per-thread buffer, as describe()'s. */
const char *syscall_table__errno_of(const struct af_syscall *sc);

/*
 * The call as one line, shared by the text outputs:
 *	mmap(addr=0x0, length=4096, prot=PROT_READ, flags=MAP_PRIVATE|MAP_ANONYMOUS, fd=-1,
 *	offset=0) = -ENOMEM
 *	brk(addr=0x5555...) = 0x5555... (no errno; failed: ENOMEM as glibc reports)
 * Returns the length like snprintf.
 */
int syscall_table__format_call(const struct af_syscall *sc, char *buf, size_t len);

/* The "syscall" object of the JSON contract (docs/events.md): name, nr, abi, args, ret, errno,
 * silent. NULL if out of memory. */
struct json_object *syscall_table__call_json(const struct af_syscall *sc);

#endif
