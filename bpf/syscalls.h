/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The syscalls the tracer looks into, by number, and what a failed one asked for in bytes:
 * included by the BPF side (syscall.bpf.c: a site's bytes, the record's req_bytes) and by the
 * cause rules (user/explain/cause_sc_decode.c: a verdict's request_bytes), so the two are one rule.
 * Plain integers only: no vmlinux.h, no libc.
 *
 * Numbers: arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl; x32 uses the 64-bit
 * numbers for all of these (with __X32_SYSCALL_BIT set). tests/unit/test_syscalls.c checks them
 * against the name tables and the installed <asm/unistd_*.h>.
 */
#ifndef ALLOCFAIL_BPF_SYSCALLS_H
#define ALLOCFAIL_BPF_SYSCALLS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#include <stdbool.h>
#endif

#define AF_NR64_MMAP 9
#define AF_NR64_MPROTECT 10
#define AF_NR64_MUNMAP 11
#define AF_NR64_BRK 12
#define AF_NR64_MREMAP 25
#define AF_NR64_MADVISE 28
#define AF_NR64_SHMGET 29
#define AF_NR64_CLONE 56
#define AF_NR64_FORK 57
#define AF_NR64_VFORK 58
#define AF_NR64_MLOCK 149
#define AF_NR64_MUNLOCK 150
#define AF_NR64_MLOCKALL 151
#define AF_NR64_MLOCK2 325
#define AF_NR64_PKEY_MPROTECT 329
#define AF_NR64_CLONE3 435

#define AF_NR32_FORK 2
#define AF_NR32_BRK 45
#define AF_NR32_MMAP 90 /* old_mmap: its arguments are a struct in user memory */
#define AF_NR32_MUNMAP 91
#define AF_NR32_IPC 117
#define AF_NR32_CLONE 120
#define AF_NR32_MPROTECT 125
#define AF_NR32_MLOCK 150
#define AF_NR32_MUNLOCK 151
#define AF_NR32_MLOCKALL 152
#define AF_NR32_MREMAP 163
#define AF_NR32_VFORK 190
#define AF_NR32_MMAP2 192
#define AF_NR32_MADVISE 219
#define AF_NR32_MLOCK2 376
#define AF_NR32_PKEY_MPROTECT 380
#define AF_NR32_SHMGET 395
#define AF_NR32_CLONE3 435

#define AF_X32_SYSCALL_BIT 0x40000000 /* arch/x86/include/uapi/asm/unistd.h */

/* x86's PAGE_SIZE: the tracer knows the x86 ABIs only */
#define AF_SC_PAGE_SIZE 4096ULL

/* uapi values the byte rule reads (asm-generic/mman*.h, linux/mman.h, linux/shm.h, linux/ipc.h) */
#define AF_MAP_HUGETLB 0x40000
#define AF_SHM_HUGETLB 04000
#define AF_HUGE_SHIFT 26 /* MAP_HUGE_SHIFT, SHM_HUGE_SHIFT */
#define AF_HUGE_MASK 0x3f
#define AF_MREMAP_DONTUNMAP 4
#define AF_IPC_SHMGET 23

#define AF_SC_INLINE static inline __attribute__((always_inline))

AF_SC_INLINE __u64 af_sc_page_align(__u64 len)
{
	return (len + AF_SC_PAGE_SIZE - 1) & ~(AF_SC_PAGE_SIZE - 1);
}

/* The huge page size MAP_HUGE_* / SHM_HUGE_* encode in flags; else the default one
 * (Hugepagesize in /proc/meminfo; 0: unknown). */
AF_SC_INLINE __u64 af_sc_huge_bytes(__u64 flags, __u64 huge_default)
{
	unsigned int log = (flags >> AF_HUGE_SHIFT) & AF_HUGE_MASK;

	return log ? 1ULL << log : huge_default;
}

/* A mapping's length as do_mmap() and newseg() charge it: ksys_mmap_pgoff() and
 * hugetlb_file_setup() round a huge page mapping up to its page size first (huge: 0 if not
 * one, or its size unknown), then PAGE_ALIGN(); 0 when that wraps. */
AF_SC_INLINE __u64 af_sc_map_bytes(__u64 len, __u64 huge)
{
	if (huge && len)
		len = (len + huge - 1) & ~(huge - 1);
	return af_sc_page_align(len);
}

/* do_mlock(), mprotect, madvise, munmap: the pages of [start, start + len). */
AF_SC_INLINE __u64 af_sc_range_bytes(__u64 start, __u64 len)
{
	return af_sc_page_align(len + (start & (AF_SC_PAGE_SIZE - 1)));
}

/* brk(): from PAGE_ALIGN(mm->brk) to PAGE_ALIGN(the new break). */
AF_SC_INLINE __u64 af_sc_brk_bytes(__u64 newbrk, __u64 oldbrk)
{
	newbrk = af_sc_page_align(newbrk);
	oldbrk = af_sc_page_align(oldbrk);
	return newbrk > oldbrk ? newbrk - oldbrk : 0;
}

/* mremap(): the growth; MREMAP_DONTUNMAP keeps the old range, so all of it is new. */
AF_SC_INLINE __u64 af_sc_mremap_bytes(__u64 old_len, __u64 new_len, __u64 flags)
{
	old_len = af_sc_page_align(old_len);
	new_len = af_sc_page_align(new_len);
	if (flags & AF_MREMAP_DONTUNMAP)
		return old_len;
	return new_len > old_len ? new_len - old_len : 0;
}

/* The x86_64 number of a call of the list above made through the ia32 ABI (mmap2 is mmap's);
 * -1 for the others, ipc (a multiplexer) and old_mmap (its arguments are in memory) among them.
 * Not ia32: nr itself. */
AF_SC_INLINE long af_sc_nr64(long nr, bool ia32)
{
	if (!ia32)
		return nr;
	switch (nr) {
	case AF_NR32_MMAP2: return AF_NR64_MMAP;
	case AF_NR32_MPROTECT: return AF_NR64_MPROTECT;
	case AF_NR32_PKEY_MPROTECT: return AF_NR64_PKEY_MPROTECT;
	case AF_NR32_MUNMAP: return AF_NR64_MUNMAP;
	case AF_NR32_BRK: return AF_NR64_BRK;
	case AF_NR32_MREMAP: return AF_NR64_MREMAP;
	case AF_NR32_MADVISE: return AF_NR64_MADVISE;
	case AF_NR32_SHMGET: return AF_NR64_SHMGET;
	case AF_NR32_CLONE: return AF_NR64_CLONE;
	case AF_NR32_CLONE3: return AF_NR64_CLONE3;
	case AF_NR32_FORK: return AF_NR64_FORK;
	case AF_NR32_VFORK: return AF_NR64_VFORK;
	case AF_NR32_MLOCK: return AF_NR64_MLOCK;
	case AF_NR32_MLOCK2: return AF_NR64_MLOCK2;
	case AF_NR32_MUNLOCK: return AF_NR64_MUNLOCK;
	case AF_NR32_MLOCKALL: return AF_NR64_MLOCKALL;
	default: return -1;
	}
}

/*
 * What a failed call asked for, in bytes, as the kernel's checks count it (may_expand_vm(),
 * __vm_enough_memory(), the rlimits): nr without __X32_SYSCALL_BIT, ia32 for the 32-bit ABI,
 * a0..a3 its first arguments (ia32: only the low 32 bits count), brk the mm's break,
 * huge_default the default huge page size (0: unknown). 0: unsized (fork, mlockall, old_mmap,
 * calls without a size) or nothing new.
 */
AF_SC_INLINE __u64 af_sc_request_bytes(long nr, bool ia32, __u64 a0, __u64 a1, __u64 a2,
				       __u64 a3, __u64 brk, __u64 huge_default)
{
	if (ia32) {
		a0 = (__u32)a0;
		a1 = (__u32)a1;
		a2 = (__u32)a2;
		a3 = (__u32)a3;
		if (nr == AF_NR32_IPC) { /* ipc(SHMGET, key, size, shmflg): shmget's from a1 */
			if ((a0 & 0xffff) != AF_IPC_SHMGET)
				return 0;
			nr = AF_NR64_SHMGET;
			a1 = a2;
			a2 = a3;
			ia32 = false;
		}
	}
	switch (af_sc_nr64(nr, ia32)) {
	case AF_NR64_MMAP:
		return af_sc_map_bytes(
			a1, a3 & AF_MAP_HUGETLB ? af_sc_huge_bytes(a3, huge_default) : 0);
	case AF_NR64_SHMGET:
		return af_sc_map_bytes(
			a1, a2 & AF_SHM_HUGETLB ? af_sc_huge_bytes(a2, huge_default) : 0);
	case AF_NR64_BRK:
		return af_sc_brk_bytes(a0, brk);
	case AF_NR64_MREMAP:
		return af_sc_mremap_bytes(a1, a2, a3);
	case AF_NR64_MLOCK:
	case AF_NR64_MLOCK2:
	case AF_NR64_MUNLOCK:
	case AF_NR64_MUNMAP:
	case AF_NR64_MPROTECT:
	case AF_NR64_PKEY_MPROTECT:
	case AF_NR64_MADVISE:
		return af_sc_range_bytes(a0, a1);
	default:
		return 0;
	}
}

#endif
