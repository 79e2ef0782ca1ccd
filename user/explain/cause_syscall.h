/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A syscall event decoded once for the syscall rules (cause_syscall.c): what the call asks of
 * the kernel, from its arguments and the settings that change their meaning. Private to the
 * syscall rules and their decoder (cause_sc_decode.c).
 */
#ifndef ALLOCFAIL_CAUSE_SYSCALL_H
#define ALLOCFAIL_CAUSE_SYSCALL_H

#include "cause_priv.h"
#include "bpf/syscalls.h"

/* uapi flags beyond bpf/syscalls.h's (asm-generic/mman*.h, linux/mman.h, linux/shm.h,
 * linux/sched.h) */
#define PROT_WRITE_ 0x2
#define MAP_TYPE_ 0x0f
#define MAP_SHARED_ 0x01
#define MAP_SHARED_VALIDATE_ 0x03
#define MAP_FIXED_ 0x10
#define MAP_ANONYMOUS_ 0x20
#define MAP_32BIT_ 0x40
#define MAP_GROWSDOWN_ 0x100
#define MAP_NORESERVE_ 0x4000
#define MAP_FIXED_NOREPLACE_ 0x100000
#define MREMAP_MAYMOVE_ 1
#define MREMAP_FIXED_ 2
#define MCL_CURRENT_ 1
#define MCL_FUTURE_ 2
#define SHM_NORESERVE_ 010000
#define CLONE_VM_ 0x100
#define CLONE_NEWPID_ 0x20000000
#define MADV_WILLNEED_ 3
#define MADV_POPULATE_READ_ 22
#define MADV_POPULATE_WRITE_ 23
#define OVERCOMMIT_GUESS_ 0
#define OVERCOMMIT_NEVER_ 2

enum sc_kind {
	K_OTHER,
	K_MMAP,
	K_BRK,
	K_MREMAP,
	K_MLOCK,
	K_MLOCKALL,
	K_FORK,
	K_SHMGET,
	K_MPROTECT,
	K_MADVISE,
	K_MUNLOCK,
	K_MUNMAP,
};

struct req {
	enum sc_kind kind;
	const char *name;
	bool size_known;
	bool overflow; /* PAGE_ALIGN(len) wrapped to 0 */
	uint64_t size; /* bytes the call adds to the address space (growth for mremap, brk) */
	uint64_t addr;
	uint64_t flags; /* the call's flags argument (mmap, mremap, mlockall, clone, shm) */
	bool flags_known; /* false for clone3 (flags in a user struct) */
	bool data; /* counted in data_vm: may_expand_vm()'s is_data_mapping() */
	bool accountable; /* charged to the commit: VM_ACCOUNT or shmem_acct_size() */
	bool assumed; /* data/accountable assume a private writable mapping we cannot see */
	uint64_t commit_bytes; /* what __vm_enough_memory() is asked for */
	bool hugetlb;
	bool noreserve; /* no huge page reservation (MAP_NORESERVE / SHM_NORESERVE) */
	uint64_t huge_bytes; /* the huge page size asked for; 0: unknown */
	int mc_margin; /* fails when map_count + mc_margin > max_map_count; -1: no check */
	const char *mc_check; /* the kernel's check, for the evidence */
	uint64_t va_len; /* bytes get_unmapped_area() must find; 0: no search */
	bool va_fixed; /* at a fixed address (MAP_FIXED, brk): va_addr */
	uint64_t va_addr;
	uint64_t va_window; /* MAP_32BIT: the window the search is limited to */
	bool holes_verdict; /* ENOMEM by elimination means an unmapped range (mprotect, ...) */
	uint64_t charge_bytes; /* what the call charges to its memcg beyond kernel objects */
};

struct ctx {
	const struct event *ev;
	const struct af_syscall *sc;
	const struct af_mm_evidence *mm;
	const struct sysinfo *sys; /* never NULL: all -1 when the caller had none */
	const struct memcg_info *memcg;
	const struct cause *deeper;
	const char *cgroup;
	uint64_t page;
	unsigned int shift;
	bool cap_ipc_lock, cap_sys_admin; /* capable(): effective in the initial user namespace */
	uint64_t bytes; /* the request by bpf/syscalls.h's rule: BPF's req_bytes and site bytes */
	struct req r;
	char what[96]; /* "mmap of 1.0 GiB": the subject of the sentences */
	char nrname[32]; /* "syscall 2": the name of a syscall without rules */
};

static inline uint64_t pages(const struct ctx *c, uint64_t bytes)
{
	return bytes >> c->shift;
}

/* Fill c->r, c->what and c->nrname from c->sc and the settings. */
void cause_sc_decode(struct ctx *c);

#endif
