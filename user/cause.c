// SPDX-License-Identifier: GPL-2.0
/*
 * The cause rules. Each rule mirrors one kernel check and says which; the tables list them per
 * syscall in the order the kernel runs those checks, so when two limits are both exceeded the
 * verdict names the one the kernel hit first. Exact checks come first in that order; the
 * inference from a memory cgroup's state next (a memcg at its limit fails nothing by itself:
 * reclaim and its OOM killer usually make room); verdicts by elimination (mremap_in_place,
 * mlock_holes, unmapped_range, a gap too small) last. Nothing matches: "unknown" with the raw
 * evidence. No I/O, no other module: everything comes from struct cause_input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "cause.h"
#include "frag.h"

/* Syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl). Kept here so
 * the rules depend on nothing; x32 uses the 64-bit numbers for all of these. */
enum {
	NR64_MMAP = 9,
	NR64_MPROTECT = 10,
	NR64_MUNMAP = 11,
	NR64_BRK = 12,
	NR64_MREMAP = 25,
	NR64_MADVISE = 28,
	NR64_SHMGET = 29,
	NR64_CLONE = 56,
	NR64_FORK = 57,
	NR64_VFORK = 58,
	NR64_MLOCK = 149,
	NR64_MUNLOCK = 150,
	NR64_MLOCKALL = 151,
	NR64_MLOCK2 = 325,
	NR64_PKEY_MPROTECT = 329,
	NR64_CLONE3 = 435,
};

enum {
	NR32_FORK = 2,
	NR32_BRK = 45,
	NR32_MMAP = 90,
	NR32_MUNMAP = 91,
	NR32_IPC = 117,
	NR32_CLONE = 120,
	NR32_MPROTECT = 125,
	NR32_MLOCK = 150,
	NR32_MUNLOCK = 151,
	NR32_MLOCKALL = 152,
	NR32_MREMAP = 163,
	NR32_VFORK = 190,
	NR32_MMAP2 = 192,
	NR32_MADVISE = 219,
	NR32_MLOCK2 = 376,
	NR32_PKEY_MPROTECT = 380,
	NR32_SHMGET = 395,
	NR32_CLONE3 = 435,
};

/* uapi flags (asm-generic/mman*.h, linux/mman.h, linux/shm.h, linux/ipc.h, linux/sched.h) */
#define PROT_WRITE_ 0x2
#define MAP_TYPE_ 0x0f
#define MAP_SHARED_ 0x01
#define MAP_SHARED_VALIDATE_ 0x03
#define MAP_FIXED_ 0x10
#define MAP_ANONYMOUS_ 0x20
#define MAP_32BIT_ 0x40
#define MAP_GROWSDOWN_ 0x100
#define MAP_NORESERVE_ 0x4000
#define MAP_HUGETLB_ 0x40000
#define MAP_FIXED_NOREPLACE_ 0x100000
#define HUGE_SHIFT_ 26 /* MAP_HUGE_SHIFT, SHM_HUGE_SHIFT */
#define HUGE_MASK_ 0x3f
#define MREMAP_MAYMOVE_ 1
#define MREMAP_FIXED_ 2
#define MREMAP_DONTUNMAP_ 4
#define MCL_CURRENT_ 1
#define MCL_FUTURE_ 2
#define SHM_HUGETLB_ 04000
#define SHM_NORESERVE_ 010000
#define IPC_SHMGET_ 23
#define CLONE_VM_ 0x100
#define CLONE_NEWPID_ 0x20000000
#define MADV_WILLNEED_ 3
#define MADV_POPULATE_READ_ 22
#define MADV_POPULATE_WRITE_ 23
#define OVERCOMMIT_GUESS_ 0
#define OVERCOMMIT_NEVER_ 2

/* GFP bits with the same value from 6.1 to 6.18 (include/linux/gfp_types.h) */
#define GFP_DIRECT_RECLAIM_ 0x400u
#define GFP_ACCOUNT_ 0x400000u

#define MAP_32BIT_WINDOW (1ULL << 30) /* arch_get_unmapped_area(): 0x40000000-0x80000000 */
#define MAX_PAGE_ORDER_ 10 /* x86: KMALLOC_MAX_SIZE is PAGE_SIZE << 10 */
#define MEMCG_MARGIN (1ULL << 20)
#define RLIM_INF (~0ULL)
#define U32_TASK_SIZE (1ULL << 32) /* a task_size at or below this is a 32-bit process */

static const char *const codes[] = {
	"rlimit_as", "rlimit_data", "rlimit_memlock", "max_map_count", "overcommit_strict",
	"overcommit_heuristic", "address_space", "hugetlb_pool", "mremap_in_place", "mlock_holes",
	"unmapped_range", "pidns_dead", "memcg_limit", "fragmentation", "exhaustion", "slab",
	"oom_kill", "unknown",
};

const char *const *cause__codes(unsigned int *n)
{
	*n = sizeof(codes) / sizeof(codes[0]);
	return codes;
}

/* ---- wording helpers ---- */

/* "1.5 GiB", "640 B": for sentences; evidence keeps exact numbers. */
static const char *human(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b / 1024, tenths;
	int u = 0;

	if (b < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	while (v >= 1023.95 && u < 5) {
		v /= 1024;
		u++;
	}
	/* a second decimal when it shows: "1.01 GiB" is not at a 1.0 GiB limit */
	tenths = (double)(long long)(v * 10 + 0.5) / 10;
	if (v < 10 && (v > tenths ? v - tenths : tenths - v) >= 0.005)
		snprintf(buf, len, "%.2f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

#define H(b) human((b), (char[24]){ 0 }, 24)

static void set(struct cause *c, const char *code)
{
	memset(c, 0, sizeof(*c));
	c->code = code;
}

static void __attribute__((format(printf, 2, 3))) summary(struct cause *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->summary, sizeof(c->summary), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3))) advice(struct cause *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->advice, sizeof(c->advice), fmt, ap);
	va_end(ap);
}

static struct cause_kv *kv_add(struct cause *c, const char *key)
{
	struct cause_kv *kv;

	if (c->nevidence == CAUSE_MAX_EVIDENCE)
		return NULL;
	kv = &c->evidence[c->nevidence++];
	memset(kv, 0, sizeof(*kv));
	kv->key = key;
	return kv;
}

static void kv_num(struct cause *c, const char *key, int64_t v)
{
	struct cause_kv *kv = kv_add(c, key);

	if (kv)
		kv->num = v;
}

static void __attribute__((format(printf, 3, 4)))
kv_str(struct cause *c, const char *key, const char *fmt, ...)
{
	struct cause_kv *kv = kv_add(c, key);
	va_list ap;

	if (!kv)
		return;
	kv->is_str = true;
	va_start(ap, fmt);
	vsnprintf(kv->str, sizeof(kv->str), fmt, ap);
	va_end(ap);
}

/* A limit or size as evidence: RLIM_INFINITY is -1, beyond INT64_MAX a hex string. */
static void kv_u64(struct cause *c, const char *key, uint64_t v)
{
	if (v == RLIM_INF)
		kv_num(c, key, -1);
	else if (v > INT64_MAX)
		kv_str(c, key, "0x%llx", (unsigned long long)v);
	else
		kv_num(c, key, (int64_t)v);
}

static uint64_t kib_up(uint64_t bytes)
{
	return bytes / 1024 + !!(bytes % 1024);
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* ---- a syscall event, decoded once for the rules ---- */

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

struct sc_entry {
	long nr;
	enum sc_kind kind;
	const char *name;
};

static const struct sc_entry calls64[] = {
	{ NR64_MMAP, K_MMAP, "mmap" },
	{ NR64_MPROTECT, K_MPROTECT, "mprotect" },
	{ NR64_MUNMAP, K_MUNMAP, "munmap" },
	{ NR64_BRK, K_BRK, "brk" },
	{ NR64_MREMAP, K_MREMAP, "mremap" },
	{ NR64_MADVISE, K_MADVISE, "madvise" },
	{ NR64_SHMGET, K_SHMGET, "shmget" },
	{ NR64_CLONE, K_FORK, "clone" },
	{ NR64_FORK, K_FORK, "fork" },
	{ NR64_VFORK, K_FORK, "vfork" },
	{ NR64_MLOCK, K_MLOCK, "mlock" },
	{ NR64_MUNLOCK, K_MUNLOCK, "munlock" },
	{ NR64_MLOCKALL, K_MLOCKALL, "mlockall" },
	{ NR64_MLOCK2, K_MLOCK, "mlock2" },
	{ NR64_PKEY_MPROTECT, K_MPROTECT, "pkey_mprotect" },
	{ NR64_CLONE3, K_FORK, "clone3" },
};

static const struct sc_entry calls32[] = {
	{ NR32_FORK, K_FORK, "fork" },
	{ NR32_BRK, K_BRK, "brk" },
	{ NR32_MMAP, K_MMAP, "mmap" },
	{ NR32_MUNMAP, K_MUNMAP, "munmap" },
	{ NR32_IPC, K_OTHER, "ipc" },
	{ NR32_CLONE, K_FORK, "clone" },
	{ NR32_MPROTECT, K_MPROTECT, "mprotect" },
	{ NR32_MLOCK, K_MLOCK, "mlock" },
	{ NR32_MUNLOCK, K_MUNLOCK, "munlock" },
	{ NR32_MLOCKALL, K_MLOCKALL, "mlockall" },
	{ NR32_MREMAP, K_MREMAP, "mremap" },
	{ NR32_VFORK, K_FORK, "vfork" },
	{ NR32_MMAP2, K_MMAP, "mmap2" },
	{ NR32_MADVISE, K_MADVISE, "madvise" },
	{ NR32_MLOCK2, K_MLOCK, "mlock2" },
	{ NR32_PKEY_MPROTECT, K_MPROTECT, "pkey_mprotect" },
	{ NR32_SHMGET, K_SHMGET, "shmget" },
	{ NR32_CLONE3, K_FORK, "clone3" },
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
	struct req r;
	char what[96]; /* "mmap of 1.0 GiB": the subject of the sentences */
	char nrname[32]; /* "syscall 2": the name of a syscall without rules */
};

static uint64_t page_align(const struct ctx *c, uint64_t len)
{
	return (len + c->page - 1) & ~(c->page - 1);
}

static uint64_t pages(const struct ctx *c, uint64_t bytes)
{
	return bytes >> c->shift;
}

/* The hstate size MAP_HUGE_* / SHM_HUGE_* encode, or the default one. */
static uint64_t huge_size(const struct ctx *c, uint64_t flags)
{
	unsigned int log = (flags >> HUGE_SHIFT_) & HUGE_MASK_;

	if (log)
		return 1ULL << log;
	return c->sys->hugepage_size_kb > 0 ? (uint64_t)c->sys->hugepage_size_kb * 1024 : 0;
}

static void set_size(struct ctx *c, uint64_t len)
{
	c->r.size = page_align(c, len);
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
	r->hugetlb = flags & MAP_HUGETLB_;
	if (r->hugetlb) {
		/* ksys_mmap_pgoff() aligns the length to the huge page size */
		r->huge_bytes = huge_size(c, flags);
		r->noreserve = flags & MAP_NORESERVE_;
		if (r->huge_bytes && len)
			len = (len + r->huge_bytes - 1) & ~(r->huge_bytes - 1);
	}
	set_size(c, len);
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
	uint64_t oldbrk = page_align(c, c->mm->brk), newbrk = page_align(c, a[0]);

	r->addr = a[0];
	r->size = newbrk > oldbrk ? newbrk - oldbrk : 0;
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
	uint64_t old_len = page_align(c, a[1]), new_len = page_align(c, a[2]);

	r->addr = a[0];
	r->flags = a[3];
	r->flags_known = true;
	r->size = new_len > old_len ? new_len - old_len : 0;
	/* MREMAP_DONTUNMAP keeps the old range: the whole length is new address space */
	if (r->flags & MREMAP_DONTUNMAP_)
		r->size = old_len;
	r->size_known = true;
	r->commit_bytes = r->size;
	/* the vma's flags are not visible: most remapped memory is private writable (realloc) */
	r->data = r->accountable = r->assumed = true;
	if (r->flags & (MREMAP_FIXED_ | MREMAP_DONTUNMAP_)) {
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
	r->hugetlb = flg & SHM_HUGETLB_;
	r->mc_margin = -1;
	if (r->hugetlb) {
		r->huge_bytes = huge_size(c, flg);
		r->noreserve = noreserve; /* hugetlb_file_setup(acctflag = VM_NORESERVE) */
		if (r->huge_bytes)
			size = (size + r->huge_bytes - 1) & ~(r->huge_bytes - 1);
	}
	set_size(c, size);
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
		decode_mmap(c, a, ia32 && c->sc->nr == NR32_MMAP);
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
		if (ia32 && c->sc->nr == NR32_IPC)
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

static void decode(struct ctx *c)
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
	if (ia32 && sc->nr == NR32_IPC && (a[0] & 0xffff) == IPC_SHMGET_) {
		c->r.kind = K_SHMGET;
		c->r.name = "shmget";
	}
	decode_args(c, a, ia32);
	describe(c);
}

/* ---- syscall rules: each returns true with out filled when its kernel check explains it ---- */

typedef bool (*rule_fn)(const struct ctx *c, struct cause *out);

static void kv_call(const struct ctx *c, struct cause *out)
{
	kv_str(out, "syscall", "%s%s", c->r.name, c->sc->flags & AF_SC_IA32 ? " (ia32)" : "");
	if (c->r.size_known)
		kv_u64(out, "request_bytes", c->r.size);
}

static bool is32(const struct ctx *c)
{
	return c->mm->task_size && c->mm->task_size <= U32_TASK_SIZE;
}

/* Address space left: the pigeonhole bound, whatever the layout. MAP_32BIT: its window. */
static uint64_t free_va(const struct ctx *c)
{
	int64_t min_addr = c->sys->mmap_min_addr > 0 ? c->sys->mmap_min_addr : 0;

	if (c->r.va_window)
		return c->r.va_window;
	return sat_sub(sat_sub(c->mm->task_size, (uint64_t)min_addr), c->mm->total_vm << c->shift);
}

/* too_big: larger than the address space itself; else larger than what is left of it. */
static void advise_address_space(const struct ctx *c, struct cause *out, bool too_big)
{
	if (c->r.va_window)
		advice(out, "MAP_32BIT searches only the 1 GiB below 2 GiB: drop MAP_32BIT, or map "
			    "less at once");
	else if (is32(c))
		advice(out,
		       "a 32-bit process has %s of address space: map less at once or in pieces, "
		       "or build the program as 64-bit",
		       H(c->mm->task_size));
	else if (too_big)
		advice(out, "no process can map this much: check how the length is computed at the "
			    "call site (an underflowed or uninitialized size)");
	else
		advice(out,
		       "map less at once; %s is mapped already: /proc/%u/maps shows what "
		       "reserves the address space (large PROT_NONE reservations)",
		       H(c->mm->total_vm << c->shift), c->ev->pid);
}

/* do_mmap(): len = PAGE_ALIGN(len); if (!len) return -ENOMEM; */
static bool r_len_overflow(const struct ctx *c, struct cause *out)
{
	if (!c->r.size_known || !c->r.overflow)
		return false;
	set(out, "address_space");
	kv_call(c, out);
	kv_str(out, "length", "0x%llx", (unsigned long long)c->sc->args[1]);
	summary(out,
		"%s with a length of 0x%llx: rounded up to a page it wraps around to 0, so it "
		"is not a real size",
		c->r.name, (unsigned long long)c->sc->args[1]);
	advice(out, "the length passed is garbage or a negative size cast to unsigned: check how "
		    "the caller computes it");
	return true;
}

/* x86-64 with 5-level paging has a 56-bit TASK_SIZE, but mmap searches below the 47-bit
 * DEFAULT_MAP_WINDOW unless the hint address is above it (arch/x86/kernel/sys_x86_64.c), so
 * old programs never see addresses they cannot handle. */
#define X86_MAP_WINDOW ((1ULL << 47) - 4096)

/* __get_unmapped_area() (mm/mmap.c): len > TASK_SIZE, or addr > TASK_SIZE - len. */
static bool r_task_size(const struct ctx *c, struct cause *out)
{
	const struct req *r = &c->r;
	uint64_t ts = c->mm->task_size;

	if (!r->size_known || !r->va_len || !ts)
		return false;
	if (ts > X86_MAP_WINDOW + 4096 && !r->va_fixed && r->va_addr <= X86_MAP_WINDOW &&
	    r->va_len > X86_MAP_WINDOW) {
		set(out, "address_space");
		kv_call(c, out);
		kv_u64(out, "task_size", ts);
		kv_u64(out, "map_window", X86_MAP_WINDOW);
		summary(out,
			"%s is larger than the %s below 47 bits that mmap searches without a hint "
			"above them (5-level paging: the whole address space is %s)",
			c->what, H(X86_MAP_WINDOW), H(ts));
		advice(out, "no program maps this much by accident: check how the length is "
			    "computed at the call site; a hint above 128 TiB opens the rest");
		return true;
	}
	if (r->va_len <= ts && !(r->va_fixed && r->va_addr > ts - r->va_len))
		return false;
	set(out, "address_space");
	kv_call(c, out);
	kv_u64(out, "task_size", ts);
	if (r->va_len > ts)
		summary(out, "%s is larger than the %s address space of this %s process", c->what,
			H(ts), is32(c) ? "32-bit" : "64-bit");
	else
		summary(out,
			"%s at 0x%llx would end beyond the %s address space of this %s process",
			c->what, (unsigned long long)r->va_addr, H(ts),
			is32(c) ? "32-bit" : "64-bit");
	if (r->va_fixed)
		kv_u64(out, "address", r->va_addr);
	advise_address_space(c, out, true);
	return true;
}

/* get_unmapped_area(): no gap. Proven when the request exceeds all unmapped space together. */
static bool r_no_room(const struct ctx *c, struct cause *out)
{
	const struct req *r = &c->r;
	uint64_t room = free_va(c);

	if (!r->size_known || !r->va_len || r->va_fixed || !c->mm->task_size || r->va_len <= room)
		return false;
	set(out, "address_space");
	kv_call(c, out);
	kv_u64(out, "task_size", c->mm->task_size);
	kv_u64(out, "total_vm_bytes", c->mm->total_vm << c->shift);
	kv_u64(out, "free_address_space_bytes", room);
	if (r->va_window)
		summary(out, "%s cannot fit in the %s MAP_32BIT window", c->what, H(room));
	else
		summary(out,
			"%s cannot fit: only %s of the %s address space of this %s process is "
			"unmapped",
			c->what, H(room), H(c->mm->task_size), is32(c) ? "32-bit" : "64-bit");
	advise_address_space(c, out, false);
	return true;
}

/* get_unmapped_area() by elimination: every limit clears, nothing failed deeper, and the
 * request is a quarter or more of the unmapped space, which other mappings split up. Below a
 * quarter a missing gap is too unlikely to name without seeing the mappings. */
static bool r_gap(const struct ctx *c, struct cause *out)
{
	const struct req *r = &c->r;
	uint64_t room = free_va(c);

	if (!r->size_known || !r->va_len || r->va_fixed || !c->mm->task_size || c->ev->caused_by ||
	    r->va_len < room / 4)
		return false;
	set(out, "address_space");
	kv_call(c, out);
	kv_u64(out, "task_size", c->mm->task_size);
	kv_u64(out, "total_vm_bytes", c->mm->total_vm << c->shift);
	kv_u64(out, "free_address_space_bytes", room);
	summary(out,
		"%s found no free gap: no limit explains it, and it needs %llu%% of the %s left "
		"unmapped, which other mappings split up",
		c->what, (unsigned long long)(r->va_len * 100 / (room ? room : 1)), H(room));
	advise_address_space(c, out, false);
	return true;
}

static uint64_t mc_max(const struct ctx *c)
{
	return (uint64_t)c->sys->max_map_count;
}

/* do_mmap() / do_brk_flags(): map_count > max; __split_vma(): >=; move_vma(): >= max - 3;
 * mremap_to(): map_count + 2 >= max - 3. r.mc_margin folds each into one comparison. */
static bool r_map_count(const struct ctx *c, struct cause *out)
{
	const struct req *r = &c->r;
	uint64_t count = c->mm->map_count, max = mc_max(c);

	if (r->mc_margin < 0 || c->sys->max_map_count < 0 || count + r->mc_margin <= max)
		return false;
	set(out, "max_map_count");
	kv_call(c, out);
	kv_num(out, "map_count", count);
	kv_num(out, "max_map_count", max);
	kv_str(out, "check", "%s", r->mc_check);
	if (count >= max)
		summary(out,
			"%s needs a new mapping, but the process already has %llu, at "
			"vm.max_map_count (%llu)",
			c->what, (unsigned long long)count, (unsigned long long)max);
	else
		summary(out,
			"%s needs up to %d spare mappings, but the process has %llu of "
			"vm.max_map_count (%llu)",
			c->what, r->mc_margin, (unsigned long long)count, (unsigned long long)max);
	advice(out,
	       "raise it: sysctl -w vm.max_map_count=%llu (twice the current); or find what "
	       "creates that many mappings in /proc/%u/maps (many small mmaps, or mprotect/mlock "
	       "splitting them)",
	       (unsigned long long)max * 2, c->ev->pid);
	return true;
}

static void advise_rlimit(struct cause *out, const char *ulimit, const char *name, uint64_t need,
			  uint64_t hard, const char *who)
{
	char hard_note[96] = "";

	if (hard != RLIM_INF && hard < need)
		snprintf(hard_note, sizeof(hard_note),
			 " (the hard limit is %s: going above it "
			 "needs CAP_SYS_RESOURCE)",
			 H(hard));
	advice(out, "raise the limit: ulimit -%s %llu (KiB) or setrlimit(%s) >= %s%s; or %s",
	       ulimit, (unsigned long long)kib_up(need), name, H(need), hard_note, who);
}

/* may_expand_vm() (mm/mmap.c): mm->total_vm + npages > rlimit(RLIMIT_AS) >> PAGE_SHIFT */
static bool r_rlimit_as(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;
	uint64_t npages = pages(c, c->r.size), need;
	char who[64];

	if (!c->r.size_known || mm->rlim_as_cur == RLIM_INF ||
	    mm->total_vm + npages <= mm->rlim_as_cur >> c->shift)
		return false;
	need = (mm->total_vm + npages) << c->shift;
	set(out, "rlimit_as");
	kv_call(c, out);
	kv_u64(out, "total_vm_bytes", mm->total_vm << c->shift);
	kv_u64(out, "rlimit_as_cur", mm->rlim_as_cur);
	kv_u64(out, "rlimit_as_max", mm->rlim_as_max);
	summary(out, "%s would raise the address space to %s, over RLIMIT_AS of %s", c->what,
		H(need), H(mm->rlim_as_cur));
	snprintf(who, sizeof(who), "find who maps that much (%s mapped now)",
		 H(mm->total_vm << c->shift));
	advise_rlimit(out, "v", "RLIMIT_AS", need, mm->rlim_as_max, who);
	return true;
}

static const char *assumed_note(const struct ctx *c)
{
	return c->r.assumed ? " (if the mapping is private and writable, as RLIMIT_DATA counts)"
			    : "";
}

/* may_expand_vm(): is_data_mapping(flags) && mm->data_vm + npages > rlimit(RLIMIT_DATA) >>
 * PAGE_SHIFT, unless rlim_cur is 0 and rlim_max allows it (the Valgrind exception) or the
 * ignore_rlimit_data boot option is set. */
static bool r_rlimit_data(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;
	uint64_t npages = pages(c, c->r.size), need;
	char who[80];

	if (!c->r.size_known || !c->r.data || mm->rlim_data_cur == RLIM_INF ||
	    mm->data_vm + npages <= mm->rlim_data_cur >> c->shift ||
	    c->sys->ignore_rlimit_data == 1)
		return false;
	if (mm->rlim_data_cur == 0 && mm->data_vm + npages <= mm->rlim_data_max >> c->shift)
		return false;
	need = (mm->data_vm + npages) << c->shift;
	set(out, "rlimit_data");
	kv_call(c, out);
	kv_u64(out, "data_vm_bytes", mm->data_vm << c->shift);
	kv_u64(out, "rlimit_data_cur", mm->rlim_data_cur);
	kv_u64(out, "rlimit_data_max", mm->rlim_data_max);
	kv_str(out, "check", "may_expand_vm(): data_vm + request > RLIMIT_DATA");
	summary(out,
		"%s would raise private writable memory (data) to %s, over RLIMIT_DATA of %s%s",
		c->what, H(need), H(mm->rlim_data_cur), assumed_note(c));
	snprintf(who, sizeof(who), "find who allocates that much (%s of data now)",
		 H(mm->data_vm << c->shift));
	advise_rlimit(out, "d", "RLIMIT_DATA", need, mm->rlim_data_max, who);
	return true;
}

/* brk(): check_data_rlimit(rlimit(RLIMIT_DATA), brk, mm->start_brk, mm->end_data,
 * mm->start_data): (brk - start_brk) + (end_data - start_data) > rlim. */
static bool r_brk_data(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;
	uint64_t heap, data, rlim = mm->rlim_data_cur;

	if (rlim == RLIM_INF || c->r.addr < mm->start_brk || mm->end_data < mm->start_data)
		return false;
	heap = c->r.addr - mm->start_brk;
	data = mm->end_data - mm->start_data;
	if (heap + data <= rlim)
		return false;
	set(out, "rlimit_data");
	kv_call(c, out);
	kv_u64(out, "heap_bytes", heap);
	kv_u64(out, "data_segment_bytes", data);
	kv_u64(out, "rlimit_data_cur", rlim);
	kv_u64(out, "rlimit_data_max", mm->rlim_data_max);
	kv_str(out, "check", "check_data_rlimit(): (brk - start_brk) + data segment > RLIMIT_DATA");
	summary(out,
		"brk to 0x%llx would make the heap %s, plus %s of data segment, over "
		"RLIMIT_DATA of %s",
		(unsigned long long)c->r.addr, H(heap), H(data), H(rlim));
	advise_rlimit(out, "d", "RLIMIT_DATA", heap + data, mm->rlim_data_max,
		      "find what grows the heap (malloc also counts its mmap'd memory here)");
	return true;
}

static bool overcommit_applies(const struct ctx *c, int64_t mode)
{
	return c->sys->overcommit_memory == mode && c->r.accountable && c->r.commit_bytes;
}

static uint64_t kb_pages(const struct ctx *c, int64_t kb)
{
	return kb > 0 ? ((uint64_t)kb * 1024) >> c->shift : 0;
}

/* Pages of RAM that hugetlb holds, as vm_commit_limit() subtracts them. */
static uint64_t hugetlb_pages(const struct ctx *c)
{
	const struct sysinfo *s = c->sys;
	uint64_t kb = 0;

	for (unsigned int i = 0; i < s->nhstates; i++)
		if (s->hstates[i].total > 0 && s->hstates[i].size_kb > 0)
			kb += s->hstates[i].total * s->hstates[i].size_kb;
	if (!s->nhstates && s->hugepages_total > 0 && s->hugepage_size_kb > 0)
		kb = s->hugepages_total * s->hugepage_size_kb;
	return kb_pages(c, kb);
}

/* The overcommit_ratio that would make CommitLimit reach `need` pages, per vm_commit_limit():
 * (totalram - hugetlb) * ratio / 100 + swap. */
static int64_t ratio_for(const struct ctx *c, uint64_t need)
{
	uint64_t ram = sat_sub(kb_pages(c, c->sys->mem_total_kb), hugetlb_pages(c));
	uint64_t over = sat_sub(need, kb_pages(c, c->sys->swap_total_kb));

	return ram ? (int64_t)((over * 100 + ram - 1) / ram) : -1;
}

struct commit {
	uint64_t committed, request, limit, admin, user, allowed, slack;
};

/* __vm_enough_memory() (mm/util.c), OVERCOMMIT_NEVER: vm_acct_memory(pages) first, then fail
 * unless committed < vm_commit_limit() - admin reserve (without CAP_SYS_ADMIN in the initial
 * user namespace: cap_vm_enough_memory()) - min(total_vm / 32, user reserve). The kernel reads
 * the per-CPU counter approximately: up to totalram / 256 off in this mode (mm_compute_batch()),
 * so that is our slack; /proc/meminfo's Committed_AS is the exact sum. */
static bool commit_exceeded(const struct ctx *c, struct commit *m)
{
	const struct sysinfo *s = c->sys;
	uint64_t user_res;
	int64_t allowed;

	if (s->commit_limit_kb < 0 || s->committed_as_kb < 0 || s->admin_reserve_kbytes < 0 ||
	    s->user_reserve_kbytes < 0)
		return false;
	m->committed = kb_pages(c, s->committed_as_kb);
	m->request = pages(c, c->r.commit_bytes);
	m->limit = kb_pages(c, s->commit_limit_kb);
	m->admin = c->cap_sys_admin ? 0 : kb_pages(c, s->admin_reserve_kbytes);
	user_res = kb_pages(c, s->user_reserve_kbytes);
	m->user = c->mm->total_vm / 32 < user_res ? c->mm->total_vm / 32 : user_res;
	allowed = (int64_t)m->limit - (int64_t)m->admin - (int64_t)m->user;
	m->allowed = allowed > 0 ? (uint64_t)allowed : 0;
	m->slack = kb_pages(c, s->mem_total_kb) / 256;
	return m->committed + m->request + m->slack >= m->allowed;
}

static void advise_commit(const struct ctx *c, struct cause *out, const struct commit *m)
{
	uint64_t need = m->committed + m->request + m->admin + m->user + m->slack + 1;

	/* vm_commit_limit() with overcommit_kbytes: that + swap */
	if (c->sys->overcommit_kbytes > 0)
		advice(out,
		       "raise vm.overcommit_kbytes to at least %llu, add swap, or find who "
		       "commits memory (Committed_AS %s); vm.overcommit_memory=0 would allow it",
		       (unsigned long long)(sat_sub(need, kb_pages(c, c->sys->swap_total_kb))
					    << c->shift) /
			       1024,
		       H(m->committed << c->shift));
	else
		advice(out,
		       "raise vm.overcommit_ratio from %lld to at least %lld, add swap, or find "
		       "who commits memory (Committed_AS %s); vm.overcommit_memory=0 would allow "
		       "it",
		       (long long)c->sys->overcommit_ratio, (long long)ratio_for(c, need),
		       H(m->committed << c->shift));
}

/* "over the 1.0 GiB", or "within 1.0 MiB (the kernel's counter error) of the 1.0 GiB" */
static const char *commit_cmp(const struct ctx *c, const struct commit *m, char *buf, size_t len)
{
	if (m->committed + m->request >= m->allowed)
		snprintf(buf, len, "over the %s", H(m->allowed << c->shift));
	else
		snprintf(buf, len, "within %s (the error of the kernel's per-CPU count) of the %s",
			 H(m->slack << c->shift), H(m->allowed << c->shift));
	return buf;
}

static bool r_overcommit_strict(const struct ctx *c, struct cause *out)
{
	struct commit m;
	char cmp[128];

	if (!overcommit_applies(c, OVERCOMMIT_NEVER_) || !commit_exceeded(c, &m))
		return false;
	set(out, "overcommit_strict");
	kv_call(c, out);
	kv_u64(out, "commit_request_bytes", m.request << c->shift);
	kv_u64(out, "committed_as_bytes", m.committed << c->shift);
	kv_u64(out, "commit_limit_bytes", m.limit << c->shift);
	kv_u64(out, "admin_reserve_bytes", m.admin << c->shift);
	kv_u64(out, "user_reserve_bytes", m.user << c->shift);
	kv_u64(out, "counter_slack_bytes", m.slack << c->shift);
	kv_num(out, "overcommit_memory", c->sys->overcommit_memory);
	kv_num(out, "overcommit_ratio", c->sys->overcommit_ratio);
	kv_num(out, "cap_sys_admin", c->cap_sys_admin);
	commit_cmp(c, &m, cmp, sizeof(cmp));
	if (c->r.kind == K_FORK)
		summary(out,
			"%s would commit a copy of its %s of private writable memory, bringing "
			"committed memory to %s, %s that vm.overcommit_memory=2 allows",
			c->r.name, H(m.request << c->shift),
			H((m.committed + m.request) << c->shift), cmp);
	else
		summary(out,
			"%s would bring committed memory to %s, %s that vm.overcommit_memory=2 "
			"allows (CommitLimit %s less reserves)%s",
			c->what, H((m.committed + m.request) << c->shift), cmp,
			H(m.limit << c->shift),
			c->r.assumed ? " (if the range was not committed already)" : "");
	advise_commit(c, out, &m);
	return true;
}

/* __vm_enough_memory(), OVERCOMMIT_GUESS: pages > totalram_pages() + total_swap_pages. */
static bool r_overcommit_heuristic(const struct ctx *c, struct cause *out)
{
	const struct sysinfo *s = c->sys;
	uint64_t ram, swap;

	if (!overcommit_applies(c, OVERCOMMIT_GUESS_) || s->mem_total_kb < 0 ||
	    s->swap_total_kb < 0)
		return false;
	ram = (uint64_t)s->mem_total_kb * 1024;
	swap = (uint64_t)s->swap_total_kb * 1024;
	if (c->r.commit_bytes <= ram + swap)
		return false;
	set(out, "overcommit_heuristic");
	kv_call(c, out);
	kv_u64(out, "commit_request_bytes", c->r.commit_bytes);
	kv_u64(out, "mem_total_bytes", ram);
	kv_u64(out, "swap_total_bytes", swap);
	kv_num(out, "overcommit_memory", s->overcommit_memory);
	summary(out,
		"%s asks for more than RAM + swap (%s + %s), which vm.overcommit_memory=0 "
		"refuses in a single request",
		c->what, H(ram), H(swap));
	advice(out, "allocate in smaller pieces, use MAP_NORESERVE for sparse memory, add swap, or "
		    "set vm.overcommit_memory=1 (never refuse)");
	return true;
}

/* The pool of the requested size: /sys/kernel/mm/hugepages, else /proc/meminfo's default. */
static bool find_pool(const struct ctx *c, struct sysinfo_hstate *h)
{
	const struct sysinfo *s = c->sys;

	for (unsigned int i = 0; i < s->nhstates; i++) {
		if ((uint64_t)s->hstates[i].size_kb * 1024 == c->r.huge_bytes) {
			*h = s->hstates[i];
			return h->free >= 0 && h->rsvd >= 0;
		}
	}
	if (s->hugepage_size_kb <= 0 || (uint64_t)s->hugepage_size_kb * 1024 != c->r.huge_bytes ||
	    s->hugepages_free < 0 || s->hugepages_rsvd < 0)
		return false;
	*h = (struct sysinfo_hstate){ s->hugepage_size_kb,
				      s->hugepages_total,
				      s->hugepages_free,
				      s->hugepages_rsvd,
				      -1,
				      -1 };
	return true;
}

/* hugetlb_reserve_pages() -> hugetlb_acct_memory() (mm/hugetlb.c): gather_surplus_pages()
 * fails when resv_huge_pages + delta exceeds free_huge_pages and no surplus page can be
 * allocated (nr_overcommit_hugepages). */
static bool r_hugetlb_pool(const struct ctx *c, struct cause *out)
{
	struct sysinfo_hstate h;
	int64_t needed, avail;

	if (!c->r.hugetlb || c->r.noreserve || !c->r.size_known || !c->r.huge_bytes ||
	    !find_pool(c, &h))
		return false;
	needed = (int64_t)(c->r.size / c->r.huge_bytes);
	avail = h.free - h.rsvd;
	if (avail >= needed)
		return false;
	set(out, "hugetlb_pool");
	kv_call(c, out);
	kv_num(out, "huge_page_bytes", (int64_t)c->r.huge_bytes);
	kv_num(out, "huge_pages_needed", needed);
	kv_num(out, "hugepages_total", h.total);
	kv_num(out, "hugepages_free", h.free);
	kv_num(out, "hugepages_rsvd", h.rsvd);
	kv_num(out, "nr_overcommit_hugepages", h.overcommit);
	summary(out,
		"%s with %s needs %lld huge pages of %s, but only %lld of the pool's %lld are "
		"free and unreserved",
		c->what, c->r.kind == K_SHMGET ? "SHM_HUGETLB" : "MAP_HUGETLB", (long long)needed,
		H(c->r.huge_bytes), (long long)(avail > 0 ? avail : 0), (long long)h.total);
	advice(out,
	       "reserve more: echo %lld > /sys/kernel/mm/hugepages/hugepages-%lldkB/"
	       "nr_hugepages (vm.nr_hugepages for the default size), or allow surplus pages "
	       "with nr_overcommit_hugepages; or drop the huge page flag",
	       (long long)((h.total > 0 ? h.total : 0) + needed - (avail > 0 ? avail : 0)),
	       (long long)(c->r.huge_bytes / 1024));
	return true;
}

/* An allocation inside the call failed first (same chain, ev->caused_by): its verdict is this
 * call's. Only reached past the cheap checks, which the kernel runs before it allocates. */
static bool r_deeper(const struct ctx *c, struct cause *out)
{
	const struct cause *d = c->deeper;

	if (!d || !d->code || !strcmp(d->code, "unknown"))
		return false;
	set(out, d->code);
	kv_call(c, out);
	kv_num(out, "caused_by", (int64_t)c->ev->caused_by);
	for (unsigned int i = 0; i < d->nevidence && out->nevidence < CAUSE_MAX_EVIDENCE; i++)
		out->evidence[out->nevidence++] = d->evidence[i];
	summary(out, "%s failed because an allocation inside it failed: %s", c->what, d->summary);
	memcpy(out->advice, d->advice, sizeof(out->advice));
	return true;
}

static bool r_memcg(const struct ctx *c, struct cause *out)
{
	if (!cause__memcg(c->memcg, c->cgroup, c->r.charge_bytes, c->what, out))
		return false;
	kv_call(c, out);
	return true;
}

/* mremap(): without MREMAP_MAYMOVE, a mapping that cannot grow in place is -ENOMEM
 * (expand_vma() / the "we weren't able to just expand" path), however much memory is free. */
static bool r_mremap_in_place(const struct ctx *c, struct cause *out)
{
	if (!c->r.size || (c->r.flags & (MREMAP_MAYMOVE_ | MREMAP_FIXED_ | MREMAP_DONTUNMAP_)))
		return false;
	set(out, "mremap_in_place");
	kv_call(c, out);
	kv_u64(out, "old_len", c->sc->args[1]);
	kv_u64(out, "new_len", c->sc->args[2]);
	kv_u64(out, "address", c->r.addr);
	summary(out,
		"mremap could not grow the mapping at 0x%llx from %s to %s in place, and "
		"without MREMAP_MAYMOVE it may not move: the addresses after it are taken",
		(unsigned long long)c->r.addr, H(c->sc->args[1]), H(c->sc->args[2]));
	advice(out, "pass MREMAP_MAYMOVE and use the address mremap returns, or reserve room after "
		    "the mapping up front (map it larger with PROT_NONE, then grow into it)");
	return true;
}

static void kv_memlock(const struct ctx *c, struct cause *out)
{
	kv_u64(out, "locked_vm_bytes", c->mm->locked_vm << c->shift);
	kv_u64(out, "rlimit_memlock_cur", c->mm->rlim_memlock_cur);
	kv_u64(out, "rlimit_memlock_max", c->mm->rlim_memlock_max);
	kv_num(out, "cap_ipc_lock", c->cap_ipc_lock);
}

static void advise_memlock(const struct ctx *c, struct cause *out, uint64_t need)
{
	advice(out,
	       "raise the limit: ulimit -l %llu (KiB), LimitMEMLOCK= in a systemd unit or "
	       "memlock in /etc/security/limits.conf; or grant CAP_IPC_LOCK (%s locked now)",
	       (unsigned long long)kib_up(need), H(c->mm->locked_vm << c->shift));
}

/* do_mlock() (mm/mlock.c): locked = len pages + mm->locked_vm; fails when locked >
 * rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT && !capable(CAP_IPC_LOCK). (The kernel then discounts
 * pages of the range locked already, which we cannot see.) */
static bool r_rlimit_memlock(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;
	uint64_t locked = pages(c, c->r.size) + mm->locked_vm;

	if (!c->r.size_known || c->cap_ipc_lock || mm->rlim_memlock_cur == RLIM_INF ||
	    locked <= mm->rlim_memlock_cur >> c->shift)
		return false;
	set(out, "rlimit_memlock");
	kv_call(c, out);
	kv_memlock(c, out);
	summary(out, "%s would lock %s in all, over RLIMIT_MEMLOCK of %s (no CAP_IPC_LOCK)",
		c->what, H(locked << c->shift), H(mm->rlim_memlock_cur));
	advise_memlock(c, out, locked << c->shift);
	return true;
}

/* mlockall() (mm/mlock.c): with MCL_CURRENT, -ENOMEM unless mm->total_vm <= lock_limit or
 * capable(CAP_IPC_LOCK). */
static bool r_mlockall(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;

	if (!(c->r.flags & MCL_CURRENT_) || c->cap_ipc_lock || mm->rlim_memlock_cur == RLIM_INF ||
	    mm->total_vm <= mm->rlim_memlock_cur >> c->shift)
		return false;
	set(out, "rlimit_memlock");
	kv_call(c, out);
	kv_u64(out, "total_vm_bytes", mm->total_vm << c->shift);
	kv_memlock(c, out);
	summary(out,
		"mlockall(MCL_CURRENT) would lock the whole %s address space, over "
		"RLIMIT_MEMLOCK of %s (no CAP_IPC_LOCK)",
		H(mm->total_vm << c->shift), H(mm->rlim_memlock_cur));
	advise_memlock(c, out, mm->total_vm << c->shift);
	return true;
}

/* apply_vma_lock_flags() (mm/mlock.c): -ENOMEM at the first hole in [start, start + len). */
static bool r_mlock_holes(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;

	if (c->ev->caused_by) /* an allocation failed inside: not a verdict by elimination */
		return false;
	set(out, "mlock_holes");
	kv_call(c, out);
	kv_u64(out, "address", c->r.addr);
	kv_memlock(c, out);
	if (c->cap_ipc_lock || mm->rlim_memlock_cur == RLIM_INF)
		summary(out,
			"%s at 0x%llx failed with %s, so no limit applies: the range includes "
			"unmapped pages",
			c->what, (unsigned long long)c->r.addr,
			c->cap_ipc_lock ? "CAP_IPC_LOCK held" : "RLIMIT_MEMLOCK unlimited");
	else
		summary(out,
			"%s at 0x%llx failed with room under RLIMIT_MEMLOCK (%s locked + %s <= "
			"%s): the range includes unmapped pages",
			c->what, (unsigned long long)c->r.addr, H(mm->locked_vm << c->shift),
			H(c->r.size), H(mm->rlim_memlock_cur));
	advice(out,
	       "lock only mapped memory: check the range against /proc/%u/maps, or mlock each "
	       "mapping separately",
	       c->ev->pid);
	return true;
}

/* mprotect_fixup() / madvise_walk_vmas() / apply_vma_lock_flags(): -ENOMEM for a range with
 * unmapped pages; the verdict once nothing else explains the failure. */
static bool r_unmapped_range(const struct ctx *c, struct cause *out)
{
	if (!c->r.holes_verdict || c->ev->caused_by)
		return false;
	set(out, "unmapped_range");
	kv_call(c, out);
	kv_u64(out, "address", c->r.addr);
	summary(out,
		"%s at 0x%llx failed with no limit involved: the range includes unmapped "
		"pages",
		c->what, (unsigned long long)c->r.addr);
	advice(out,
	       "apply it to mapped memory only: check the range against /proc/%u/maps (a "
	       "stale pointer, or a length past the end of the mapping)",
	       c->ev->pid);
	return true;
}

/* alloc_pid() (kernel/pid.c): -ENOMEM when !(ns->pid_allocated & PIDNS_ADDING), i.e. the
 * namespace's init exited. CLONE_NEWPID allocates in a fresh namespace instead. */
static bool r_pidns_dead(const struct ctx *c, struct cause *out)
{
	if (!(c->mm->flags & AF_MM_PIDNS_DEAD) ||
	    (c->r.flags_known && (c->r.flags & CLONE_NEWPID_)))
		return false;
	set(out, "pidns_dead");
	kv_call(c, out);
	kv_num(out, "pidns_level", c->mm->pidns_level);
	kv_str(out, "pid_allocated", "0x%x", c->mm->pid_allocated);
	summary(out,
		"%s failed: the pid namespace (level %u) a new process would join has no init "
		"anymore, so the kernel refuses new pids in it",
		c->r.name, c->mm->pidns_level);
	advice(out,
	       "a pid namespace takes no new processes once its init (pid 1 in it) exits: keep "
	       "init alive (a real init such as tini, or unshare --pid --fork) and restart the "
	       "namespace or container");
	return true;
}

/* ---- rule tables: the kernel's order of checks per syscall ---- */

/* do_mmap(): length, map_count, get_unmapped_area(); mmap_region(): may_expand_vm() (AS, then
 * DATA), accountable_mapping() -> security_vm_enough_memory_mm(), then ->mmap (hugetlbfs
 * reserves its pages), then the allocations (vma, maple tree). */
static const rule_fn mmap_rules[] = {
	r_len_overflow,
	r_map_count,
	r_task_size,
	r_no_room,
	r_rlimit_as,
	r_rlimit_data,
	r_overcommit_strict,
	r_overcommit_heuristic,
	r_hugetlb_pool,
	r_deeper,
	r_memcg,
	r_gap,
	NULL,
};

/* brk(): check_data_rlimit(), check_brk_limits() (get_unmapped_area MAP_FIXED), the stack
 * guard gap (not visible), then do_brk_flags(): may_expand_vm(), map_count, overcommit. */
static const rule_fn brk_rules[] = {
	r_brk_data,
	r_task_size,
	r_rlimit_as,
	r_rlimit_data,
	r_map_count,
	r_overcommit_strict,
	r_overcommit_heuristic,
	r_deeper,
	r_memcg,
	NULL,
};

/* mremap_to(): map_count first, then the resize checks (may_expand_vm), then move_vma(). */
static const rule_fn mremap_to_rules[] = {
	r_map_count,
	r_rlimit_as,
	r_rlimit_data,
	r_task_size,
	r_no_room,
	r_overcommit_strict,
	r_overcommit_heuristic,
	r_deeper,
	r_memcg,
	r_gap,
	NULL,
};

/* MREMAP_MAYMOVE: resize checks, then in place (overcommit) or get_unmapped_area() and
 * move_vma() (map_count, then overcommit); we follow the move. */
static const rule_fn mremap_move_rules[] = {
	r_rlimit_as,
	r_rlimit_data,
	r_task_size,
	r_no_room,
	r_map_count,
	r_overcommit_strict,
	r_overcommit_heuristic,
	r_deeper,
	r_memcg,
	r_gap,
	NULL,
};

/* Growing in place only: resize checks, overcommit, else it cannot grow there. */
static const rule_fn mremap_inplace_rules[] = {
	r_rlimit_as, r_rlimit_data, r_overcommit_strict, r_overcommit_heuristic,
	r_deeper,    r_memcg,	    r_mremap_in_place,	 NULL,
};

/* do_mlock(): the rlimit, then apply_vma_lock_flags() (splits, holes). */
static const rule_fn mlock_rules[] = {
	r_rlimit_memlock, r_map_count, r_deeper, r_memcg, r_mlock_holes, NULL,
};

static const rule_fn mlockall_rules[] = { r_mlockall, r_deeper, r_memcg, NULL };

/* copy_process(): allocations (task, stack), dup_mmap() (overcommit), alloc_pid(). */
static const rule_fn fork_rules[] = { r_deeper, r_overcommit_strict, r_pidns_dead, r_memcg, NULL };

/* newseg(): hugetlb_file_setup() reserves huge pages, shmem_kernel_file_setup() commits. */
static const rule_fn shmget_rules[] = {
	r_hugetlb_pool, r_overcommit_strict, r_overcommit_heuristic, r_deeper, r_memcg, NULL,
};

/* mprotect_fixup(): may_expand_vm() for data, overcommit, then the split. */
static const rule_fn mprotect_rules[] = {
	r_rlimit_data,
	r_overcommit_strict,
	r_overcommit_heuristic,
	r_map_count,
	r_deeper,
	r_memcg,
	r_unmapped_range,
	NULL,
};

static const rule_fn range_rules[] = { r_map_count, r_deeper, r_memcg, r_unmapped_range, NULL };

static const rule_fn other_rules[] = { r_deeper, r_memcg, NULL };

static const rule_fn *rules_for(const struct ctx *c)
{
	switch (c->r.kind) {
	case K_MMAP:
		return mmap_rules;
	case K_BRK:
		return brk_rules;
	case K_MREMAP:
		if (c->r.flags & (MREMAP_FIXED_ | MREMAP_DONTUNMAP_))
			return mremap_to_rules;
		return c->r.flags & MREMAP_MAYMOVE_ ? mremap_move_rules : mremap_inplace_rules;
	case K_MLOCK:
		return mlock_rules;
	case K_MLOCKALL:
		return mlockall_rules;
	case K_FORK:
		return fork_rules;
	case K_SHMGET:
		return shmget_rules;
	case K_MPROTECT:
		return mprotect_rules;
	case K_MADVISE:
	case K_MUNLOCK:
	case K_MUNMAP:
		return range_rules;
	case K_OTHER:
		break;
	}
	return other_rules;
}

/* No rule matched: say so, with everything the rules looked at. */
static void syscall_unknown(const struct ctx *c, struct cause *out)
{
	const struct af_mm_evidence *mm = c->mm;
	const struct sysinfo *s = c->sys;
	const __u64 *a = c->sc->args;
	const struct memcg_info *mi = c->memcg;
	/* a memcg limit above the levels read is checked by nothing here */
	const char *trunc = mi && mi->valid && mi->at_failure && mi->truncated
				    ? "; " MEMCG_TRUNCATED_NOTE ", one of them may be what failed it"
				    : "";

	set(out, "unknown");
	kv_call(c, out);
	kv_str(out, "args", "0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx", (unsigned long long)a[0],
	       (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
	       (unsigned long long)a[4], (unsigned long long)a[5]);
	kv_num(out, "ret", c->sc->ret);
	kv_u64(out, "total_vm_bytes", mm->total_vm << c->shift);
	kv_u64(out, "data_vm_bytes", mm->data_vm << c->shift);
	kv_u64(out, "locked_vm_bytes", mm->locked_vm << c->shift);
	kv_num(out, "map_count", mm->map_count);
	kv_num(out, "max_map_count", s->max_map_count);
	kv_u64(out, "rlimit_as_cur", mm->rlim_as_cur);
	kv_u64(out, "rlimit_data_cur", mm->rlim_data_cur);
	kv_u64(out, "rlimit_memlock_cur", mm->rlim_memlock_cur);
	kv_u64(out, "task_size", mm->task_size);
	kv_num(out, "overcommit_memory", s->overcommit_memory);
	kv_num(out, "commit_limit_kb", s->commit_limit_kb);
	kv_num(out, "committed_as_kb", s->committed_as_kb);
	kv_num(out, "mem_total_kb", s->mem_total_kb);
	kv_num(out, "swap_total_kb", s->swap_total_kb);
	if (c->memcg && c->memcg->valid) {
		kv_num(out, "memcg_limit_bytes", c->memcg->limit_bytes);
		kv_num(out, "memcg_usage_bytes", c->memcg->usage_bytes);
		if (c->memcg->at_failure && c->memcg->truncated)
			kv_num(out, "memcg_levels_truncated", 1);
	}
	if (c->ev->caused_by)
		kv_num(out, "caused_by", (int64_t)c->ev->caused_by);
	if (c->sc->flags & AF_SC_BRK_SILENT)
		summary(out,
			"brk stayed at 0x%llx instead of moving to 0x%llx, and no rule matches "
			"the evidence: every limit checked has room%s",
			(unsigned long long)c->sc->ret, (unsigned long long)c->r.addr, trunc);
	else if (c->r.kind == K_OTHER)
		summary(out,
			"%s failed with ENOMEM: there are no rules for it, and no memory cgroup "
			"at its limit or failure deeper in the call was seen%s",
			c->what, trunc);
	else
		summary(out,
			"%s failed with ENOMEM and no rule matches the evidence: every limit "
			"checked has room%s",
			c->what, trunc);
	advice(out, "no verdict: allocations inside the call (slab, page tables, memcg charges) "
		    "show as their own events when those sources are traced; the raw evidence is "
		    "attached");
}

/* What the rules see when the caller read no settings: every value unknown. */
static void sysinfo_unknown(struct sysinfo *s)
{
	int64_t *v = (int64_t *)s;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < offsetof(struct sysinfo, nhstates) / sizeof(int64_t); i++)
		v[i] = -1;
}

static void explain_syscall(const struct cause_input *in, struct cause *out)
{
	const struct event *ev = in->ev;
	struct sysinfo none;
	struct ctx c = {
		.ev = ev,
		.sc = ev->raw.sc,
		.mm = &ev->raw.sc->mm,
		.sys = in->sys,
		.memcg = in->memcg,
		.deeper = in->deeper,
		.cgroup = ev->memcg ? ev->memcg : ev->cgroup,
	};
	uint32_t f = c.mm->flags;

	if (!c.sys) {
		sysinfo_unknown(&none);
		c.sys = &none;
	}
	c.page = c.sys->page_size > 0 ? (uint64_t)c.sys->page_size : 4096;
	while ((1ULL << c.shift) < c.page)
		c.shift++;
	c.cap_ipc_lock = (f & AF_MM_CAP_IPC_LOCK) && (f & AF_MM_INIT_USER_NS);
	c.cap_sys_admin = (f & AF_MM_CAP_SYS_ADMIN) && (f & AF_MM_INIT_USER_NS);
	decode(&c);
	for (const rule_fn *r = rules_for(&c); *r; r++)
		if ((*r)(&c, out))
			return;
	syscall_unknown(&c, out);
}

/* ---- memory cgroups ---- */

/* The memcg a verdict is about: with BPF's snapshot the binding level (an ancestor's limit is
 * the one a charge runs into when it has less headroom), else the memcg as read. */
struct memcg_view {
	const char *path; /* NULL: unknown */
	int64_t limit, usage; /* -1: unlimited / unknown */
	int level; /* 0: the event's memcg, n: its n-th ancestor */
	bool memsw; /* v1's memory+swap limit (memory.memsw.limit_in_bytes), not the memory one */
};

static bool memcg_view(const struct memcg_info *mi, const char *path, struct memcg_view *v)
{
	if (!mi || !mi->valid)
		return false;
	*v = (struct memcg_view){ path, mi->limit_bytes, mi->usage_bytes, 0, false };
	if (mi->at_failure && (mi->bind_level > 0 || (mi->bind_level == 0 && mi->bind_memsw)))
		*v = (struct memcg_view){ mi->bind_level ? mi->bind_path : path,
					  mi->bind_limit_bytes, mi->bind_usage_bytes,
					  mi->bind_level, mi->bind_memsw };
	return true;
}

/* "memory+swap " for a v1 memsw limit, "" for the memory one */
static const char *memcg_kind(const struct memcg_view *v)
{
	return v->memsw ? "memory+swap " : "";
}

/* "memory cgroup /a/b" or "memory cgroup /a/b (limited by its ancestor /a)" */
static const char *memcg_names(const struct memcg_view *v, const char *path, char *buf,
			       size_t len)
{
	if (v->level > 0)
		snprintf(buf, len, "memory cgroup %s (limited by its ancestor %s)",
			 path ? path : "(unknown path)", v->path ? v->path : "(unknown path)");
	else
		snprintf(buf, len, "memory cgroup %s", path ? path : "(unknown path)");
	return buf;
}

const char *cause__limit_file(int version, bool memsw)
{
	if (memsw)
		return "memory.memsw.limit_in_bytes";
	return version == 1 ? "memory.limit_in_bytes" : "memory.max";
}

static void kv_memcg_view(struct cause *out, const struct memcg_info *mi,
			  const struct memcg_view *v, const char *path)
{
	kv_str(out, "memcg", "%s", v->path ? v->path : "?");
	if (v->level > 0) {
		kv_str(out, "charged_memcg", "%s", path ? path : "?");
		kv_num(out, "memcg_level", v->level);
	}
	kv_num(out, "memcg_at_failure", mi->at_failure);
	kv_num(out, "memcg_limit_bytes", v->limit);
	kv_num(out, "memcg_usage_bytes", v->usage);
	if (v->memsw)
		kv_num(out, "memcg_memsw", 1);
	if (mi->at_failure && mi->truncated)
		kv_num(out, "memcg_levels_truncated", 1);
}

bool cause__memcg(const struct memcg_info *mi, const char *path, uint64_t charge_bytes,
		  const char *what, struct cause *out)
{
	uint64_t margin = charge_bytes > MEMCG_MARGIN ? charge_bytes : MEMCG_MARGIN, usage, need;
	struct memcg_view v;
	char hits[48] = "", name[2 * 256 + 64];
	const char *trunc;

	/* try_charge_memcg() (mm/memcontrol.c) fails when usage + nr_pages stays over the limit
	 * of a level (page_counter_try_charge() charges each ancestor too) after reclaim and the
	 * memcg OOM killer could not help */
	if (!memcg_view(mi, path, &v) || v.limit < 0 || v.usage < 0 ||
	    (uint64_t)v.usage + margin <= (uint64_t)v.limit)
		return false;
	usage = (uint64_t)v.usage;
	need = usage + charge_bytes;
	memcg_names(&v, path, name, sizeof(name));
	set(out, "memcg_limit");
	kv_memcg_view(out, mi, &v, path);
	kv_num(out, "memcg_version", mi->version);
	if (charge_bytes)
		kv_u64(out, "charge_bytes", charge_bytes);
	/* cgroupfs' counters are the event's memcg's, not an ancestor's */
	if (!v.level) {
		kv_num(out, "memcg_failcnt", mi->failcnt);
		kv_num(out, "memcg_oom_events", mi->oom_events);
		kv_num(out, "memcg_oom_kill", mi->oom_kill);
		kv_num(out, "memcg_oom_kill_disable", mi->oom_kill_disable);
		/* memory.failcnt counts the memory limit's hits, not memsw's */
		if (mi->failcnt > 0 && !v.memsw)
			snprintf(hits, sizeof(hits), ", hit %lld times", (long long)mi->failcnt);
	}
	/* a level read is full, but the one that failed the charge may be above those read */
	trunc = mi->at_failure && mi->truncated ? " (" MEMCG_TRUNCATED_NOTE
						  ": one of them may bind first)"
						: "";
	if (usage + MEMCG_MARGIN > (uint64_t)v.limit)
		summary(out, "%s failed in %s: usage %s of its %s %slimit%s%s", what, name,
			H(usage), H(v.limit), memcg_kind(&v), hits, trunc);
	else /* the request itself does not fit */
		summary(out,
			"%s failed in %s: charging up to %s on top of the %s it uses goes over its "
			"%s %slimit%s%s",
			what, name, H(charge_bytes), H(usage), H(v.limit), memcg_kind(&v), hits,
			trunc);
	advice(out,
	       "raise the cgroup's %slimit (%s of %s) to at least %s, or reduce what it holds "
	       "(memory.stat: anon%s vs page cache)%s%s%s",
	       memcg_kind(&v), cause__limit_file(mi->version, v.memsw), v.path ? v.path : "the cgroup",
	       H(need > (uint64_t)v.limit ? need : (uint64_t)v.limit + margin),
	       v.memsw ? " and swap" : "",
	       /* v1 refuses a memory limit above the memsw one: the order matters */
	       v.memsw ? "; memory.limit_in_bytes, which may not exceed it, next if it is as high"
		       : "",
	       !v.level && mi->oom_kill_disable > 0
		       ? "; oom_kill_disable is set, so nothing is killed to make room"
		       : "",
	       *trunc ? "; check the limits of the ancestors above the 8 read" : "");
	return true;
}

static const char *event_memcg_path(const struct event *ev)
{
	return ev->memcg ? ev->memcg : ev->cgroup;
}

/* A charge the kernel reported failing (memcg_charge events) is memcg_limit even when the
 * cgroup read has room: hierarchical limits of its ancestors count too (page_counter). */
static void explain_memcg_charge(const struct cause_input *in, struct cause *out)
{
	const struct af_memcg_charge *m = in->ev->raw.memcg;
	const char *path = event_memcg_path(in->ev);
	uint64_t page = in->sys && in->sys->page_size > 0 ? (uint64_t)in->sys->page_size : 4096;
	uint64_t bytes = m->nr_pages * page;
	const struct memcg_info *mi = in->memcg;
	char what[64];

	snprintf(what, sizeof(what), "a charge of %s", H(bytes));
	if (cause__memcg(mi, path, bytes, what, out))
		goto evidence;
	set(out, "memcg_limit");
	kv_str(out, "memcg", "%s", path ? path : "?");
	kv_u64(out, "charge_bytes", bytes);
	if (mi && mi->valid && mi->at_failure) {
		kv_num(out, "memcg_at_failure", 1);
		kv_num(out, "memcg_limit_bytes", mi->limit_bytes);
		kv_num(out, "memcg_usage_bytes", mi->usage_bytes);
		if (mi->truncated)
			kv_num(out, "memcg_levels_truncated", 1);
		/* every level read had room at the failure: a level above those read bound, or
		 * v1's memory+swap limit when it was not read, or usage fell before BPF read it */
		summary(out,
			"%s to memory cgroup %s failed; at the failure it had room (usage %s, "
			"%s%s) and so had every ancestor read: %s",
			what, path ? path : "?", H(mi->usage_bytes),
			mi->limit_bytes < 0 ? "no limit" : "limit ",
			mi->limit_bytes < 0 ? "" : H(mi->limit_bytes),
			mi->truncated ? MEMCG_TRUNCATED_NOTE ", one of those likely bound"
			: mi->version == 1 && !mi->memsw_read
				? "the memory+swap limit (not read) or a usage that fell at once "
				  "after the failure"
				: "a usage that fell at once after the failure");
	} else if (mi && mi->valid) {
		kv_num(out, "memcg_limit_bytes", mi->limit_bytes);
		kv_num(out, "memcg_usage_bytes", mi->usage_bytes);
		summary(out,
			"%s to memory cgroup %s failed; the cgroup itself has room (%s of %s), "
			"so an ancestor's limit was hit",
			what, path ? path : "?", H(mi->usage_bytes),
			mi->limit_bytes < 0 ? "no limit" : H(mi->limit_bytes));
	} else {
		summary(out, "%s to memory cgroup %s failed: it is at its limit (not readable now)",
			what, path ? path : "?");
	}
	advice(out,
	       "raise memory.max (v2) or memory.limit_in_bytes (v1) of %s or of the ancestor "
	       "that limits it, or reduce what it holds",
	       path ? path : "the cgroup");
evidence:
	kv_u64(out, "nr_reclaimed_pages", m->nr_reclaimed);
	kv_num(out, "inferred", !!(m->flags & AF_MEMCG_INFERRED));
}

/* ---- page allocator: mm/vmstat.c's metrics and __zone_watermark_ok() ---- */

/* An index x1000 as the kernel's debugfs prints it: "0.968", "-1.000". */
static const char *index_str(int idx, char *buf, size_t len)
{
	int a = idx < 0 ? -idx : idx;

	snprintf(buf, len, "%s%d.%03d", idx < 0 ? "-" : "", a / 1000, a % 1000);
	return buf;
}

#define IDX(i) index_str((i), (char[16]){ 0 }, 16)

static void kv_index(struct cause *out, const char *key, int idx)
{
	kv_str(out, key, "%s", IDX(idx));
}

static void kv_zone(const struct cause_zone *z, struct cause *out, uint64_t free, int fi, int ui)
{
	char blocks[128];
	int n = 0;

	for (unsigned int o = 0; o < AF_NR_ORDERS && n < (int)sizeof(blocks); o++)
		n += snprintf(blocks + n, sizeof(blocks) - n, "%s%llu", o ? " " : "",
			      (unsigned long long)z->free_blocks[o]);
	kv_str(out, "zone", "%s", z->zone ? z->zone : "?");
	kv_num(out, "node", z->node);
	kv_num(out, "order", z->order);
	kv_num(out, "free_pages", (int64_t)free);
	kv_num(out, "wmark_min_pages", (int64_t)z->wmark_min);
	kv_num(out, "wmark_low_pages", (int64_t)z->wmark_low);
	kv_num(out, "wmark_high_pages", (int64_t)z->wmark_high);
	kv_str(out, "free_blocks", "%s", blocks);
	kv_index(out, "fragmentation_index", fi);
	kv_index(out, "unusable_index", ui);
	kv_str(out, "snapshot", "%s", z->after ? "after" : "at_failure");
	if (z->have_reclaim) {
		kv_num(out, "nr_reclaimed", (int64_t)z->nr_reclaimed);
		kv_num(out, "reclaimable_pages", (int64_t)z->reclaimable);
		kv_num(out, "no_progress_loops", z->no_progress_loops);
	}
	kv_num(out, "swap_total_kb", z->swap_total_kb);
	kv_num(out, "swap_free_kb", z->swap_free_kb);
}

/* ", reclaim freed 0 pages, no swap" */
static void reclaim_note(const struct cause_zone *z, char *buf, size_t len)
{
	int n = 0;

	buf[0] = '\0';
	if (z->have_reclaim)
		n = snprintf(buf, len, "; reclaim freed %llu pages",
			     (unsigned long long)z->nr_reclaimed);
	if (z->swap_total_kb == 0)
		snprintf(buf + n, len - n, "%sno swap configured", n ? ", " : "; ");
	else if (z->swap_free_kb == 0)
		snprintf(buf + n, len - n, "%sswap full", n ? ", " : "; ");
}

bool cause__fragmentation(const struct cause_zone *z, struct cause *out)
{
	uint64_t page = z->page_size ? z->page_size : 4096, need = 1ULL << z->order, free;
	int fi = frag__index(z->free_blocks, AF_NR_ORDERS, z->order);
	int ui = frag__unusable_index(z->free_blocks, AF_NR_ORDERS, z->order);
	const char *name = z->zone ? z->zone : "?";
	struct frag_contig ci;
	bool low, no_block;
	char note[96];

	if (z->order >= AF_NR_ORDERS)
		return false;
	frag__contig(z->free_blocks, AF_NR_ORDERS, z->order, &ci);
	free = z->free_pages ? z->free_pages : ci.free;
	/* __zone_watermark_ok(): free_pages -= (1 << order) - 1; if (free_pages <= min) fail;
	 * then for order > 0 a free block of at least that order must exist */
	low = free + 1 <= z->wmark_min + need;
	no_block = z->order > 0 && !ci.suitable;
	if (!low && !no_block)
		return false;
	reclaim_note(z, note, sizeof(note));
	if (!low && fi > CAUSE_EXTFRAG_THRESHOLD) {
		set(out, "fragmentation");
		summary(out,
			"order-%u (%s) allocation failed in zone %s: %s free but no free block of "
			"%s or larger (fragmentation index %s, over extfrag_threshold 0.500)%s",
			z->order, H(need * page), name, H(free * page), H(need * page), IDX(fi),
			z->after ? " (zone read after the failure)" : "");
		advice(out, "memory is fragmented, not short: compact it (echo 1 > "
			    "/proc/sys/vm/compact_memory), keep larger blocks free with a higher "
			    "vm.min_free_kbytes, or make the caller fall back to order-0 pages "
			    "(kvmalloc, smaller buffers)");
	} else {
		set(out, "exhaustion");
		if (low)
			summary(out,
				"order-%u (%s) allocation failed in zone %s: %s free, at or below "
				"the min watermark of %s%s%s",
				z->order, H(need * page), name, H(free * page),
				H(z->wmark_min * page), note,
				z->after ? " (zone read after the failure)" : "");
		else
			summary(out,
				"order-%u (%s) allocation failed in zone %s: no free block that "
				"large and only %s free in all (fragmentation index %s: lack of "
				"memory, not fragmentation)%s",
				z->order, H(need * page), name, H(free * page), IDX(fi), note);
		advice(out,
		       "memory is exhausted: find the biggest consumers (top RSS, the OOM "
		       "killer's victims), add RAM or swap, or bound them with memory cgroups%s",
		       z->can_reclaim ? ""
				      : "; for allocations that cannot reclaim (atomic), raise "
					"vm.min_free_kbytes");
	}
	kv_u64(out, "request_bytes", need * page);
	kv_zone(z, out, free, fi, ui);
	return true;
}

/* The zone of a failed page allocation: the enrich step's view (ev->frag), else the record's. */
static bool zone_of(const struct cause_input *in, struct cause_zone *z)
{
	const struct af_page_alloc *pa = in->ev->raw.pa;
	const struct frag_info *f = in->ev->frag;
	const struct sysinfo *s = in->sys;
	uint64_t boost;

	memset(z, 0, sizeof(*z));
	z->order = pa->order;
	z->can_reclaim = pa->gfp & GFP_DIRECT_RECLAIM_;
	z->swap_total_kb = s ? s->swap_total_kb : -1;
	z->swap_free_kb = s ? s->swap_free_kb : -1;
	z->page_size = s && s->page_size > 0 ? (uint64_t)s->page_size : 4096;
	if (f && f->present) {
		z->zone = f->zone;
		z->node = f->node;
		memcpy(z->free_blocks, f->free_blocks, sizeof(z->free_blocks));
		z->free_pages = f->free_pages;
		z->after = f->snapshot && !strcmp(f->snapshot, "after");
		/* min_wmark_pages() is _watermark[] + watermark_boost: the record holds them apart,
		 * /proc/zoneinfo's "min" has the boost in already */
		boost = z->after ? 0 : f->wmark_boost;
		z->wmark_min = f->wmark_min + boost;
		z->wmark_low = f->wmark_low + boost;
		z->wmark_high = f->wmark_high + boost;
		z->have_reclaim = f->have_reclaim;
		z->nr_reclaimed = f->nr_reclaimed;
		z->reclaimable = f->reclaimable;
		z->no_progress_loops = f->no_progress_loops;
		return true;
	}
	if (!(pa->zone.flags & AF_ZONE_VALID))
		return false;
	z->zone = pa->zone.name;
	z->node = pa->zone.node;
	for (int o = 0; o < AF_NR_ORDERS; o++)
		z->free_blocks[o] = pa->zone.free_blocks[o];
	z->free_pages = pa->zone.free_pages;
	z->wmark_min = pa->zone.wmark_min + pa->zone.wmark_boost;
	z->wmark_low = pa->zone.wmark_low + pa->zone.wmark_boost;
	z->wmark_high = pa->zone.wmark_high + pa->zone.wmark_boost;
	z->have_reclaim = pa->flags & AF_PA_RECLAIM_SEEN;
	z->nr_reclaimed = pa->nr_reclaimed;
	z->reclaimable = pa->zone.reclaimable;
	z->no_progress_loops = pa->zone.no_progress_loops;
	return true;
}

/* The buddy allocator runs first; a __GFP_ACCOUNT page it did hand out is then charged and
 * freed again when the charge fails (__alloc_pages() "out:"), so the zone's state comes first
 * and the memcg second. */
static void explain_page_alloc(const struct cause_input *in, struct cause *out)
{
	const struct af_page_alloc *pa = in->ev->raw.pa;
	uint64_t bytes = 4096ULL << (pa->order < 32 ? pa->order : 0);
	struct cause_zone z;
	bool have = zone_of(in, &z);
	char what[64];

	snprintf(what, sizeof(what), "an order-%u page allocation", pa->order);
	/* the kernel reported the memcg charge under this allocation failing (fexit): that is the
	 * reason, whatever the cgroup's usage read later (the process may be gone) says */
	if (in->deeper && in->deeper->code && !strcmp(in->deeper->code, "memcg_limit")) {
		*out = *in->deeper;
		kv_num(out, "order", pa->order);
		kv_num(out, "caused_by", (int64_t)in->ev->caused_by);
		summary(out, "%s failed because its memory cgroup charge failed: %s", what,
			in->deeper->summary);
		return;
	}
	if (have && cause__fragmentation(&z, out))
		return;
	if ((pa->gfp & GFP_ACCOUNT_) &&
	    cause__memcg(in->memcg, event_memcg_path(in->ev), bytes, what, out))
		return;
	set(out, "unknown");
	kv_num(out, "order", pa->order);
	kv_str(out, "gfp", "0x%x", pa->gfp);
	if (have) {
		kv_zone(&z, out, z.free_pages,
			frag__index(z.free_blocks, AF_NR_ORDERS, z.order),
			frag__unusable_index(z.free_blocks, AF_NR_ORDERS, z.order));
		summary(out,
			"%s failed although zone %s would have served it (above the min "
			"watermark, a free block of the order)%s",
			what, z.zone ? z.zone : "?",
			z.after ? ": its state was read after the failure" : "");
	} else {
		summary(out, "%s failed and the zone's state is not known", what);
	}
	advice(out, "no verdict: other zones or nodes (cpuset, mempolicy, __GFP_THISNODE) or a "
		    "reserve may have been the limit; the raw evidence is attached");
}

/* ---- OOM kills ---- */

static void kv_oom(const struct cause_oom *o, struct cause *out)
{
	struct memcg_view v;

	kv_str(out, "constraint", "%s", o->constraint ? o->constraint : "unknown");
	kv_num(out, "victim_pid", o->victim_pid);
	kv_str(out, "victim_comm", "%s", o->victim_comm ? o->victim_comm : "?");
	kv_num(out, "victim_rss_bytes", (int64_t)o->victim_rss_kb * 1024);
	kv_num(out, "victim_anon_rss_bytes", (int64_t)o->victim_anon_rss_kb * 1024);
	kv_num(out, "victim_total_vm_bytes", (int64_t)o->victim_total_vm_kb * 1024);
	kv_num(out, "order", o->order);
	if (memcg_view(o->memcg_info, o->memcg, &v)) {
		/* the binding ancestor matters only when a memcg limit triggered the kill */
		if (!o->constraint || strcmp(o->constraint, "memcg"))
			v = (struct memcg_view){ o->memcg, o->memcg_info->limit_bytes,
						 o->memcg_info->usage_bytes, 0, false };
		kv_memcg_view(out, o->memcg_info, &v, o->memcg);
	} else if (o->memcg)
		kv_str(out, "memcg", "%s", o->memcg);
	kv_num(out, "mem_total_kb", o->mem_total_kb);
	kv_num(out, "swap_total_kb", o->swap_total_kb);
	kv_num(out, "swap_free_kb", o->swap_free_kb);
}

/* "no swap", "swap 1.0 GiB of 2.0 GiB free" */
static const char *swap_str(const struct cause_oom *o, char *buf, size_t len)
{
	if (o->swap_total_kb == 0)
		snprintf(buf, len, "no swap");
	else if (o->swap_total_kb > 0 && o->swap_free_kb >= 0)
		snprintf(buf, len, "swap %s of %s free", H(o->swap_free_kb * 1024),
			 H(o->swap_total_kb * 1024));
	else
		snprintf(buf, len, "swap unknown");
	return buf;
}

void cause__oom_kill(const struct cause_oom *o, struct cause *out)
{
	const char *cons = o->constraint ? o->constraint : "";
	const char *comm = o->victim_comm ? o->victim_comm : "?";
	char victim[96], limit[48] = "", swap[64];

	set(out, "oom_kill");
	kv_oom(o, out);
	snprintf(victim, sizeof(victim), "pid %u (%s, %s resident)", o->victim_pid, comm,
		 H(o->victim_rss_kb * 1024));
	if (!strcmp(cons, "memcg")) {
		struct memcg_view v = { o->memcg, -1, -1, 0, false };
		char name[2 * 256 + 64];

		memcg_view(o->memcg_info, o->memcg, &v);
		if (v.limit >= 0)
			snprintf(limit, sizeof(limit), " of %s", H(v.limit));
		summary(out, "the OOM killer killed %s because %s reached its %slimit%s", victim,
			memcg_names(&v, o->memcg ? o->memcg : "(unknown)", name, sizeof(name)),
			memcg_kind(&v), limit);
		if (v.memsw)
			advice(out,
			       "raise the memory+swap limit of %s (memory.memsw.limit_in_bytes, "
			       "then memory.limit_in_bytes) to what the workload needs, or reduce "
			       "what pid %u (%s) holds; memory.stat shows anon, swap and page "
			       "cache",
			       v.path ? v.path : "the cgroup", o->victim_pid, comm);
		else
			advice(out,
			       "raise the limit of %s (memory.max on v2, memory.limit_in_bytes on "
			       "v1) to what the workload needs, or reduce what pid %u (%s) holds; "
			       "memory.stat shows anon vs page cache",
			       v.path ? v.path : "the cgroup", o->victim_pid, comm);
	} else if (!strcmp(cons, "global")) {
		summary(out,
			"the OOM killer killed %s because the machine ran out of memory "
			"(%s RAM, %s)",
			victim, o->mem_total_kb >= 0 ? H(o->mem_total_kb * 1024) : "?",
			swap_str(o, swap, sizeof(swap)));
		advice(out,
		       "add RAM or swap, or bound the biggest consumers with memory cgroups "
		       "(pid %u held %s); oom_score_adj protects what must survive",
		       o->victim_pid, H(o->victim_rss_kb * 1024));
	} else if (!strcmp(cons, "cpuset")) {
		summary(out,
			"the OOM killer killed %s because the memory nodes its cpuset allows ran "
			"out",
			victim);
		advice(out,
		       "widen cpuset.mems of the allocating task's cpuset, or move memory users "
		       "out of it");
	} else if (!strcmp(cons, "mempolicy")) {
		summary(out,
			"the OOM killer killed %s because the nodes the allocating task's memory "
			"policy allows ran out",
			victim);
		advice(out, "allow more nodes in its memory policy (numactl --membind, mbind(), "
			    "set_mempolicy())");
	} else if (!strcmp(cons, "sysrq")) {
		summary(out, "the OOM killer killed %s on a manual request (sysrq-f)", victim);
		advice(out, "nothing to fix: someone asked for it (echo f > /proc/sysrq-trigger)");
	} else {
		summary(out,
			"the OOM killer killed %s; what it was constrained by is not known (no "
			"oom_control, no trigger stack)",
			victim);
		advice(out,
		       "check the kernel log (dmesg) for the OOM report's constraint=; then raise "
		       "the limit that was hit or bound the biggest consumer");
	}
}

static void explain_oom(const struct cause_input *in, struct cause *out)
{
	const struct af_oom_kill *k = in->ev->raw.oom;
	const struct sysinfo *s = in->sys;
	struct cause_oom o = {
		.constraint = in->ev->oom_constraint,
		.memcg = in->ev->memcg,
		.memcg_info = in->memcg,
		.victim_pid = k->victim_pid,
		.victim_total_vm_kb = k->victim_total_vm_kb,
		.victim_rss_kb =
			k->victim_anon_rss_kb + k->victim_file_rss_kb + k->victim_shmem_rss_kb,
		.victim_anon_rss_kb = k->victim_anon_rss_kb,
		.order = k->order,
		.mem_total_kb = s ? s->mem_total_kb : -1,
		.swap_total_kb = s ? s->swap_total_kb : -1,
		.swap_free_kb = s ? s->swap_free_kb : -1,
	};
	char comm[AF_COMM_LEN + 1];

	memcpy(comm, k->victim_comm, AF_COMM_LEN);
	comm[AF_COMM_LEN] = '\0';
	o.victim_comm = comm;
	cause__oom_kill(&o, out);
}

/* ---- slab ---- */

void cause__slab(const struct cause_slab *s, struct cause *out)
{
	uint64_t page = s->page_size ? s->page_size : 4096, max = page << MAX_PAGE_ORDER_;
	const char *cache = s->cache && s->cache[0] ? s->cache : NULL;
	char what[96];

	if (s->kmalloc)
		snprintf(what, sizeof(what), "kmalloc of %s", H(s->bytes_req));
	else
		snprintf(what, sizeof(what), "kmem_cache_alloc from %s (%s)", cache ? cache : "?",
			 H(s->bytes_alloc ? s->bytes_alloc : s->bytes_req));
	if (s->accounted && cause__memcg(s->memcg_info, s->memcg, s->bytes_req, what, out))
		return;
	/* the charge under it failed (fexit, or inferred): the reason, whatever the cgroup's usage
	 * read later says (the process may be gone; a site's count is explained at a flush) */
	if (s->accounted && s->deeper && s->deeper->code &&
	    !strcmp(s->deeper->code, "memcg_limit")) {
		*out = *s->deeper;
		summary(out, "%s failed because its memory cgroup charge failed: %s", what,
			s->deeper->summary);
		return;
	}
	set(out, "slab");
	kv_str(out, "cache", "%s", cache ? cache : (s->kmalloc ? "kmalloc" : "?"));
	kv_u64(out, "bytes_req", s->bytes_req);
	kv_u64(out, "bytes_alloc", s->bytes_alloc);
	kv_num(out, "accounted", s->accounted);
	if (s->kmalloc && s->bytes_req > max) {
		/* __kmalloc_large_node(): order > MAX_PAGE_ORDER cannot be allocated at all */
		kv_u64(out, "kmalloc_max_size", max);
		summary(out, "%s is larger than the %s kmalloc can ever return (KMALLOC_MAX_SIZE)",
			what, H(max));
		advice(out, "a caller bug: use kvmalloc()/vmalloc() for this size, or allocate in "
			    "pieces; the kernel stack shows the caller");
		return;
	}
	if (s->deeper && s->deeper->code) {
		kv_str(out, "underlying", "%s", s->deeper->code);
		summary(out,
			"%s failed: the slab allocator could not get pages for a new slab (%s)",
			what, s->deeper->code);
		memcpy(out->advice, s->deeper->advice, sizeof(out->advice));
		return;
	}
	summary(out, "%s failed: the slab allocator could not get pages for a new slab", what);
	advice(out, "look at the page allocation failures around it (fragmentation or exhaustion); "
		    "/proc/slabinfo shows the cache, the kernel stack the caller");
}

static void explain_slab(const struct cause_input *in, struct cause *out)
{
	const struct af_slab *sl = in->ev->raw.slab;
	struct cause_slab s = {
		.cache = sl->cache,
		.kmalloc = sl->flags & AF_SLAB_KMALLOC,
		.accounted = (sl->flags & AF_SLAB_ACCOUNTED) || (sl->gfp & GFP_ACCOUNT_),
		.bytes_req = sl->bytes_req,
		.bytes_alloc = sl->bytes_alloc,
		.memcg = event_memcg_path(in->ev),
		.memcg_info = in->memcg,
		.deeper = in->deeper,
		.page_size = in->sys && in->sys->page_size > 0 ? (uint64_t)in->sys->page_size : 0,
	};
	char cache[sizeof(sl->cache) + 1];

	memcpy(cache, sl->cache, sizeof(sl->cache));
	cache[sizeof(sl->cache)] = '\0';
	s.cache = cache;
	cause__slab(&s, out);
}

/* ---- entry point ---- */

int cause__explain(const struct cause_input *in, struct cause *out)
{
	if (!in || !in->ev || !out)
		return -EINVAL;
	switch (in->ev->raw.h ? in->ev->type : 0) {
	case AF_EV_SYSCALL:
		explain_syscall(in, out);
		return 0;
	case AF_EV_PAGE_ALLOC:
		explain_page_alloc(in, out);
		return 0;
	case AF_EV_SLAB:
		explain_slab(in, out);
		return 0;
	case AF_EV_OOM_KILL:
		explain_oom(in, out);
		return 0;
	case AF_EV_MEMCG_CHARGE:
		explain_memcg_charge(in, out);
		return 0;
	default:
		break;
	}
	set(out, "unknown");
	kv_num(out, "type", in->ev->type);
	summary(out, "no rules for events of type %d", in->ev->type);
	advice(out, "no verdict; the raw event is attached");
	return 0;
}
