// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall rules' decoder: the arguments of a failed call as the kernel reads them (sizes
 * rounded as its checks round them, flags that change what is charged), once per event.
 */
#include <string.h>
#include "cause_syscall.h"

#define MAP_32BIT_WINDOW (1ULL << 30) /* arch_get_unmapped_area(): 0x40000000-0x80000000 */

struct sc_entry {
	long nr;
	enum sc_kind kind;
	const char *name;
};

static const struct sc_entry calls64[] = {
	{ AF_NR64_MMAP, K_MMAP, "mmap" },
	{ AF_NR64_MPROTECT, K_MPROTECT, "mprotect" },
	{ AF_NR64_MUNMAP, K_MUNMAP, "munmap" },
	{ AF_NR64_BRK, K_BRK, "brk" },
	{ AF_NR64_MREMAP, K_MREMAP, "mremap" },
	{ AF_NR64_MADVISE, K_MADVISE, "madvise" },
	{ AF_NR64_SHMGET, K_SHMGET, "shmget" },
	{ AF_NR64_CLONE, K_FORK, "clone" },
	{ AF_NR64_FORK, K_FORK, "fork" },
	{ AF_NR64_VFORK, K_FORK, "vfork" },
	{ AF_NR64_MLOCK, K_MLOCK, "mlock" },
	{ AF_NR64_MUNLOCK, K_MUNLOCK, "munlock" },
	{ AF_NR64_MLOCKALL, K_MLOCKALL, "mlockall" },
	{ AF_NR64_MLOCK2, K_MLOCK, "mlock2" },
	{ AF_NR64_PKEY_MPROTECT, K_MPROTECT, "pkey_mprotect" },
	{ AF_NR64_CLONE3, K_FORK, "clone3" },
};

static const struct sc_entry calls32[] = {
	{ AF_NR32_FORK, K_FORK, "fork" },
	{ AF_NR32_BRK, K_BRK, "brk" },
	{ AF_NR32_MMAP, K_MMAP, "mmap" },
	{ AF_NR32_MUNMAP, K_MUNMAP, "munmap" },
	{ AF_NR32_IPC, K_OTHER, "ipc" },
	{ AF_NR32_CLONE, K_FORK, "clone" },
	{ AF_NR32_MPROTECT, K_MPROTECT, "mprotect" },
	{ AF_NR32_MLOCK, K_MLOCK, "mlock" },
	{ AF_NR32_MUNLOCK, K_MUNLOCK, "munlock" },
	{ AF_NR32_MLOCKALL, K_MLOCKALL, "mlockall" },
	{ AF_NR32_MREMAP, K_MREMAP, "mremap" },
	{ AF_NR32_VFORK, K_FORK, "vfork" },
	{ AF_NR32_MMAP2, K_MMAP, "mmap2" },
	{ AF_NR32_MADVISE, K_MADVISE, "madvise" },
	{ AF_NR32_MLOCK2, K_MLOCK, "mlock2" },
	{ AF_NR32_PKEY_MPROTECT, K_MPROTECT, "pkey_mprotect" },
	{ AF_NR32_SHMGET, K_SHMGET, "shmget" },
	{ AF_NR32_CLONE3, K_FORK, "clone3" },
};

static uint64_t page_align(const struct ctx *c, uint64_t len)
{
	return (len + c->page - 1) & ~(c->page - 1);
}

/* The default huge page size; 0: unknown. */
static uint64_t huge_default(const struct ctx *c)
{
	return c->sys->hugepage_size_kb > 0 ? (uint64_t)c->sys->hugepage_size_kb * 1024 : 0;
}

/* The hstate size MAP_HUGE_* / SHM_HUGE_* encode, or the default one. */
static uint64_t huge_size(const struct ctx *c, uint64_t flags)
{
	return af_sc_huge_bytes(flags, huge_default(c));
}

/* The size is the request's bytes (c->bytes, bpf/syscalls.h's rule, as BPF counted it); len:
 * the length before the kernel rounded it up to pages, which wrapped to 0 when it is 0 now. */
static void set_size(struct ctx *c, uint64_t len)
{
	c->r.size = c->bytes;
	c->r.overflow = len && !c->r.size;
	c->r.size_known = true;
	c->r.commit_bytes = c->r.size;
}

/* ksys_mmap_pgoff() then do_mmap() (mm/mmap.c); args: addr, len, prot, flags, fd, off. */
static void decode_mmap(struct ctx *c, const uint64_t *a, bool in_memory)
{
	struct req *r = &c->r;
	uint64_t len = a[1], flags = a[3], type = flags & MAP_TYPE_;
	bool shared = type == MAP_SHARED_ || type == MAP_SHARED_VALIDATE_;
	bool write = a[2] & PROT_WRITE_;
	/* do_mmap(): MAP_NORESERVE is honoured unless the overcommit policy is "never" */
	bool noreserve = (flags & MAP_NORESERVE_) && c->sys->overcommit_memory != OVERCOMMIT_NEVER_;

	r->mc_margin = 0;
	r->mc_check = "do_mmap(): map_count > max_map_count";
	if (in_memory) /* ia32 old mmap: the arguments are a struct in user memory */
		return;
	r->addr = a[0];
	r->flags = flags;
	r->flags_known = true;
	r->hugetlb = flags & AF_MAP_HUGETLB;
	if (r->hugetlb) {
		/* ksys_mmap_pgoff() aligns the length to the huge page size (c->bytes has it) */
		r->huge_bytes = huge_size(c, flags);
		r->noreserve = flags & MAP_NORESERVE_;
	}
	set_size(c, r->huge_bytes ? 0 : len); /* a huge page multiple never wraps in PAGE_ALIGN() */
	r->data = write && !shared && !(flags & MAP_GROWSDOWN_);
	/* accountable_mapping(); shared anonymous memory is charged by shmem_zero_setup() */
	r->accountable = !r->hugetlb && !noreserve &&
			 ((write && !shared) || (shared && (flags & MAP_ANONYMOUS_)));
	r->va_len = r->size;
	r->va_fixed = flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_);
	r->va_addr = a[0];
	r->va_window = flags & MAP_32BIT_ ? MAP_32BIT_WINDOW : 0;
}

/* brk() (mm/mmap.c): the heap grows from PAGE_ALIGN(mm->brk) to PAGE_ALIGN(arg). */
static void decode_brk(struct ctx *c, const uint64_t *a)
{
	struct req *r = &c->r;
	uint64_t oldbrk = page_align(c, c->mm->brk);

	r->addr = a[0];
	r->size = c->bytes;
	r->size_known = true;
	r->commit_bytes = r->size;
	r->data = true; /* do_brk_flags(): VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT */
	r->accountable = true;
	r->mc_margin = 0;
	r->mc_check = "do_brk_flags(): map_count > max_map_count";
	r->va_len = r->size;
	r->va_fixed = true; /* check_brk_limits(): get_unmapped_area(oldbrk, MAP_FIXED) */
	r->va_addr = oldbrk;
}

/* mremap() (mm/mremap.c); args: addr, old_len, new_len, flags, new_addr. */
static void decode_mremap(struct ctx *c, const uint64_t *a)
{
	struct req *r = &c->r;
	uint64_t new_len = page_align(c, a[2]);

	r->addr = a[0];
	r->flags = a[3];
	r->flags_known = true;
	r->size = c->bytes; /* the growth; MREMAP_DONTUNMAP: the whole old length */
	r->size_known = true;
	r->commit_bytes = r->size;
	/* the vma's flags are not visible: most remapped memory is private writable (realloc) */
	r->data = r->accountable = r->assumed = true;
	if (r->flags & (MREMAP_FIXED_ | AF_MREMAP_DONTUNMAP)) {
		r->mc_margin = 6;
		r->mc_check = "mremap_to(): map_count + 2 >= max_map_count - 3";
		r->va_len = r->flags & MREMAP_FIXED_ ? 0 : new_len;
	} else if (r->flags & MREMAP_MAYMOVE_) {
		r->mc_margin = 4;
		r->mc_check = "move_vma(): map_count >= max_map_count - 3";
		r->va_len = new_len;
	} else {
		r->mc_margin = -1; /* growing in place adds no vma */
	}
}

/* do_mlock() (mm/mlock.c): len is rounded to pages from the page start; args: start, len. */
static void decode_range(struct ctx *c, const uint64_t *a)
{
	struct req *r = &c->r;

	r->addr = a[0];
	set_size(c, a[1] + (a[0] & (c->page - 1)));
	/* a partial range splits a vma: __split_vma() refuses at map_count >= max_map_count */
	r->mc_margin = 1;
	r->mc_check = "__split_vma(): map_count >= max_map_count";
}

/* mprotect_fixup() (mm/mprotect.c): making a range writable charges it (may_expand_vm() for
 * data, __vm_enough_memory()) unless it was writable or accounted already, which we cannot see. */
static void decode_mprotect(struct ctx *c, const uint64_t *a)
{
	decode_range(c, a);
	if (a[2] & PROT_WRITE_)
		c->r.data = c->r.accountable = c->r.assumed = true;
	c->r.holes_verdict = true;
}

/* madvise(): -ENOMEM for unmapped pages, except advice that reads pages in.
 * MADV_POPULATE_READ/WRITE fault the whole range in (madvise_populate()): up to len is
 * charged to the memcg, and a failed charge is -ENOMEM. */
static void decode_madvise(struct ctx *c, const uint64_t *a)
{
	bool populate = a[2] == MADV_POPULATE_READ_ || a[2] == MADV_POPULATE_WRITE_;

	decode_range(c, a);
	c->r.holes_verdict = a[2] != MADV_WILLNEED_ && !populate;
	c->r.charge_bytes = populate ? c->r.size : 0;
}

/* newseg() (ipc/shm.c): args key, size, shmflg. */
static void decode_shmget(struct ctx *c, uint64_t size, uint64_t flg)
{
	struct req *r = &c->r;
	bool noreserve = flg & SHM_NORESERVE_;

	r->flags = flg;
	r->flags_known = true;
	r->hugetlb = flg & AF_SHM_HUGETLB;
	r->mc_margin = -1;
	if (r->hugetlb) {
		r->huge_bytes = huge_size(c, flg);
		r->noreserve = noreserve; /* hugetlb_file_setup(acctflag = VM_NORESERVE) */
	}
	set_size(c, r->huge_bytes ? 0 : size); /* as mmap's */
	/* shmem_acct_size(); SHM_NORESERVE is ignored under OVERCOMMIT_NEVER */
	r->accountable =
		!r->hugetlb && !(noreserve && c->sys->overcommit_memory != OVERCOMMIT_NEVER_);
}

/* copy_process(): dup_mmap() charges every VM_ACCOUNT vma, i.e. at most data_vm + stack_vm;
 * a thread (CLONE_VM) copies nothing. clone3's flags are in user memory. */
static void decode_fork(struct ctx *c, const uint64_t *a, bool has_flags)
{
	struct req *r = &c->r;

	r->mc_margin = -1;
	r->flags = has_flags ? a[0] : 0;
	r->flags_known = strcmp(r->name, "clone3") != 0; /* fork, vfork: fixed flags */
	if (!strcmp(r->name, "vfork"))
		r->flags = CLONE_VM_; /* CLONE_VM | CLONE_VFORK | SIGCHLD */
	r->accountable = r->flags_known && !(r->flags & CLONE_VM_);
	r->commit_bytes = (c->mm->data_vm + c->mm->stack_vm) << c->shift;
}

static const struct sc_entry *lookup(const struct af_syscall *sc)
{
	bool ia32 = sc->flags & AF_SC_IA32;
	const struct sc_entry *t = ia32 ? calls32 : calls64;
	size_t n =
		ia32 ? sizeof(calls32) / sizeof(calls32[0]) : sizeof(calls64) / sizeof(calls64[0]);

	for (size_t i = 0; i < n; i++)
		if (t[i].nr == sc->nr)
			return &t[i];
	return NULL;
}

static void decode_args(struct ctx *c, const uint64_t *a, bool ia32)
{
	struct req *r = &c->r;

	switch (r->kind) {
	case K_MMAP:
		decode_mmap(c, a, ia32 && c->sc->nr == AF_NR32_MMAP);
		break;
	case K_BRK:
		decode_brk(c, a);
		break;
	case K_MREMAP:
		decode_mremap(c, a);
		break;
	case K_MLOCK:
	case K_MUNLOCK:
	case K_MUNMAP:
		decode_range(c, a);
		r->holes_verdict = r->kind == K_MUNLOCK;
		break;
	case K_MPROTECT:
		decode_mprotect(c, a);
		break;
	case K_MADVISE:
		decode_madvise(c, a);
		break;
	case K_MLOCKALL:
		r->flags = a[0];
		r->flags_known = true;
		r->mc_margin = -1;
		break;
	case K_SHMGET:
		if (ia32 && c->sc->nr == AF_NR32_IPC)
			decode_shmget(c, a[2], a[3]); /* ipc(SHMGET, key, size, shmflg) */
		else
			decode_shmget(c, a[1], a[2]);
		break;
	case K_FORK:
		decode_fork(c, a, strcmp(r->name, "clone") == 0);
		break;
	case K_OTHER:
		r->mc_margin = -1;
		break;
	}
}

static void describe(struct ctx *c)
{
	const struct req *r = &c->r;
	size_t n = sizeof(c->what);

	if (r->kind == K_MLOCKALL)
		snprintf(c->what, n, "mlockall(%s%s%s)",
			 r->flags & MCL_CURRENT_ ? "MCL_CURRENT" : "",
			 (r->flags & MCL_CURRENT_) && (r->flags & MCL_FUTURE_) ? "|" : "",
			 r->flags & MCL_FUTURE_ ? "MCL_FUTURE" : "");
	else if (r->kind == K_MMAP && !r->flags_known)
		snprintf(c->what, n, "%s (ia32 old_mmap: its arguments are in user memory)",
			 r->name);
	else if (r->kind == K_BRK)
		snprintf(c->what, n, "brk growing the heap by %s", H(r->size));
	else if (r->kind == K_MREMAP)
		snprintf(c->what, n, "mremap growing a mapping by %s", H(r->size));
	else if (r->size_known && !r->overflow)
		snprintf(c->what, n, "%s of %s", r->name, H(r->size));
	else
		snprintf(c->what, n, "%s", r->name);
}

void cause_sc_decode(struct ctx *c)
{
	const struct af_syscall *sc = c->sc;
	const struct sc_entry *e = lookup(sc);
	bool ia32 = sc->flags & AF_SC_IA32;
	uint64_t a[AF_NR_SCARGS];

	memset(&c->r, 0, sizeof(c->r));
	/* a 32-bit syscall's registers carry 32-bit values */
	for (int i = 0; i < AF_NR_SCARGS; i++)
		a[i] = ia32 ? (uint32_t)sc->args[i] : sc->args[i];
	c->r.kind = e ? e->kind : K_OTHER;
	snprintf(c->nrname, sizeof(c->nrname), "syscall %lld", (long long)sc->nr);
	c->r.name = e ? e->name : c->nrname;
	if (ia32 && sc->nr == AF_NR32_IPC && (a[0] & 0xffff) == AF_IPC_SHMGET) {
		c->r.kind = K_SHMGET;
		c->r.name = "shmget";
	}
	c->bytes = af_sc_request_bytes(sc->nr, ia32, a[0], a[1], a[2], a[3], c->mm->brk,
				       huge_default(c));
	decode_args(c, a, ia32);
	describe(c);
}
