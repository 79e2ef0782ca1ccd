/* SPDX-License-Identifier: GPL-2.0 */
/* Syscall names, argument names and argument decoding for x86_64, ia32 and x32. Pure logic. */
#ifndef ALLOCFAIL_SYSCALLS_H
#define ALLOCFAIL_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

enum sc_abi { SC_ABI_X86_64, SC_ABI_IA32, SC_ABI_X32 };

/* How one argument is shown. */
enum sc_fmt {
	SC_FMT_HEX,	     /* addresses, pointers: "0x7f12..." text, JSON string "0x..." */
	SC_FMT_DEC,	     /* signed integer (int or long) */
	SC_FMT_UDEC,	     /* sizes, lengths, counts */
	SC_FMT_FD,	     /* int fd, -1 shown as -1 */
	SC_FMT_OCT,	     /* mode_t */
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

/* Describe syscall nr of the given ABI. The result is static or owned by the table; never NULL. */
const struct sc_desc *syscall_table__describe(long nr, enum sc_abi abi);

/* Text form of one argument value (e.g. "PROT_READ|PROT_WRITE", "0x0", "-1", "4096").
 * Unknown bits are appended in hex ("MAP_PRIVATE|0x80000000"). Returns bytes written like
 * snprintf. 32-bit ABIs: the caller passes values already truncated to 32 bits. */
int syscall_table__format_arg(enum sc_fmt fmt, uint64_t value, bool is32, char *buf, size_t len);

/* JSON form: numbers stay JSON numbers (signed for DEC/FD), flags and addresses strings. */
struct json_object *syscall_table__arg_json(enum sc_fmt fmt, uint64_t value, bool is32);

/* Errno name of a positive errno value ("ENOMEM"), NULL if unknown. */
const char *syscall_table__errno_name(int err);

/* Native x86_64 numbers the BPF side and the cause rules need by name. */
long syscall_table__nr(const char *name, enum sc_abi abi); /* -1 if unknown */

#endif
