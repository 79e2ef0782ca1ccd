// SPDX-License-Identifier: GPL-2.0
/*
 * The cause rules, table-driven: one row per verdict, including the ones this machine cannot
 * produce (32-bit processes, strict overcommit, fragmentation, exhaustion), the negative cases
 * (headroom everywhere: "unknown", never a guess) and the ordering cases (two limits exceeded:
 * the one the kernel checks first). Flags and 64-bit syscall numbers come from the system
 * headers, so they also check the constants the rules keep to themselves.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <linux/mman.h>
#include <cmocka.h>
#include "bpf/syscalls.h"
#include "cause.h"
#include "frag.h"

/* ia32 numbers: <asm/unistd_32.h> clashes with the 64-bit header; bpf/syscalls.h has them
 * (test_syscalls.c checks them against the name tables) */
#define NR32_FORK AF_NR32_FORK
#define NR32_IPC AF_NR32_IPC
#define NR32_MLOCK AF_NR32_MLOCK
#define NR32_MMAP AF_NR32_MMAP
#define NR32_MMAP2 AF_NR32_MMAP2
#define NR32_BRK AF_NR32_BRK
#define IPC_SHMGET 23

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define TiB (1024 * GiB)
#define PG 4096ULL
#define INF (~0ULL)
#define MAXMAP 65530
#define ANON_RW_PRIVATE PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS

struct fx {
	struct event ev;
	struct af_syscall sc;
	struct sysinfo sys;
	struct memcg_info memcg;
	struct cause deeper;
	struct cause_input in;
	struct cause out;
};

static struct fx fx;

/* A 64-bit process with no limits, on a machine like this one: 24 GiB, no swap. */
static void fx_defaults(struct fx *f)
{
	struct af_mm_evidence *mm = &f->sc.mm;

	memset(f, 0, sizeof(*f));
	f->ev.type = AF_EV_SYSCALL;
	f->ev.pid = 4242;
	f->ev.raw.sc = &f->sc;
	f->ev.cgroup = "/test";
	f->sc.ret = -12;
	mm->flags = AF_MM_PRESENT | AF_MM_INIT_USER_NS;
	mm->total_vm = 1000;
	mm->data_vm = 500;
	mm->stack_vm = 33;
	mm->start_data = 0x600000;
	mm->end_data = 0x601000;
	mm->start_brk = 0x1000000;
	mm->brk = 0x1021000;
	mm->mmap_base = 0x7f0000000000;
	mm->task_size = 0x7ffffffff000;
	mm->rlim_as_cur = mm->rlim_as_max = INF;
	mm->rlim_data_cur = mm->rlim_data_max = INF;
	mm->rlim_memlock_cur = mm->rlim_memlock_max = 8 * MiB;
	mm->map_count = 50;
	mm->pid_allocated = (1U << 31) | 3;
	f->sys = (struct sysinfo){
		.page_size = 4096, .overcommit_memory = 0, .overcommit_ratio = 50,
		.overcommit_kbytes = 0, .admin_reserve_kbytes = 8192,
		.user_reserve_kbytes = 131072, .max_map_count = MAXMAP,
		.mem_total_kb = 24683620, .mem_free_kb = 24373068, .mem_available_kb = 24346168,
		.swap_total_kb = 0, .swap_free_kb = 0, .commit_limit_kb = 12341808,
		.committed_as_kb = 68028, .hugepages_total = 0, .hugepages_free = 0,
		.hugepages_rsvd = 0, .hugepage_size_kb = 2048, .mmap_min_addr = 65536,
		.ignore_rlimit_data = 0, .nhstates = 1,
		.hstates = { { 2048, 0, 0, 0, 0, 0 } },
	};
	f->in.ev = &f->ev;
	f->in.sys = &f->sys;
}

/* ---- setups: what each row changes from the defaults ---- */

static void as_1g(struct fx *f)
{
	f->sc.mm.total_vm = 512 * MiB / PG;
	f->sc.mm.rlim_as_cur = f->sc.mm.rlim_as_max = 1 * GiB;
}

static void as_1g_maps_full(struct fx *f)
{
	as_1g(f);
	f->sc.mm.map_count = MAXMAP + 1;
}

static void maps_full(struct fx *f)
{
	f->sc.mm.map_count = MAXMAP + 1;
}

static void maps_at_max(struct fx *f)
{
	f->sc.mm.map_count = MAXMAP;
}

static void maps_max_minus_3(struct fx *f)
{
	f->sc.mm.map_count = MAXMAP - 3;
}

static void data_64m(struct fx *f)
{
	f->sc.mm.data_vm = 32 * MiB / PG;
	f->sc.mm.rlim_data_cur = f->sc.mm.rlim_data_max = 64 * MiB;
}

static void data_valgrind(struct fx *f)
{
	data_64m(f);
	f->sc.mm.rlim_data_cur = 0;
	f->sc.mm.rlim_data_max = 1 * GiB;
}

static void data_ignored(struct fx *f)
{
	data_64m(f);
	f->sys.ignore_rlimit_data = 1;
}

/* heap 0x1000000.., data segment 4 KiB, RLIMIT_DATA 8 MiB */
static void brk_data_8m(struct fx *f)
{
	f->sc.mm.rlim_data_cur = f->sc.mm.rlim_data_max = 8 * MiB;
}

static void brk_data_and_as(struct fx *f)
{
	brk_data_8m(f);
	as_1g(f);
	f->sc.mm.total_vm = 1 * GiB / PG;
}

static void brk_as_and_maps(struct fx *f)
{
	as_1g(f);
	f->sc.mm.total_vm = 1 * GiB / PG;
	f->sc.mm.map_count = MAXMAP + 1;
}

static void brk_silent(struct fx *f)
{
	f->sc.flags = AF_SC_BRK_SILENT;
	f->sc.ret = (int64_t)f->sc.mm.brk;
}

/*
 * strict: a 1 GiB commit limit almost used up. In pages: CommitLimit 262144, admin reserve
 * 2048, user reserve min(1000 / 32, 32768) = 31, so 260065 allowed (262113 with
 * CAP_SYS_ADMIN); committed 260000; the kernel's counter error 262144 / 256 = 1024.
 */
static void strict(struct fx *f)
{
	f->sys.overcommit_memory = 2;
	f->sys.mem_total_kb = 1048576;
	f->sys.commit_limit_kb = 1048576;
	f->sys.committed_as_kb = 260000 * 4;
}

/* committed 258500: + 1024 requested is under 260065, but not by more than the error */
static void strict_within_error(struct fx *f)
{
	strict(f);
	f->sys.committed_as_kb = 258500 * 4;
}

/* committed 257000: 1041 pages of room beyond the error */
static void strict_clear(struct fx *f)
{
	strict(f);
	f->sys.committed_as_kb = 257000 * 4;
}

static void strict_admin(struct fx *f)
{
	strict(f);
	f->sc.mm.flags |= AF_MM_CAP_SYS_ADMIN;
}

/* CAP_SYS_ADMIN in a child user namespace is not capable() in the initial one */
static void strict_admin_userns(struct fx *f)
{
	strict_admin(f);
	f->sc.mm.flags &= ~AF_MM_INIT_USER_NS;
}

static void strict_roomy(struct fx *f)
{
	f->sys.overcommit_memory = 2;
}

static void always(struct fx *f)
{
	f->sys.overcommit_memory = 1;
}

static void ia32_task(struct fx *f)
{
	f->sc.flags = AF_SC_IA32;
	f->sc.mm.task_size = 0xffffe000;
	f->sc.mm.total_vm = 100 * MiB / PG;
	f->sc.mm.mmap_base = 0xf7f00000;
}

static void la57_task(struct fx *f)
{
	f->sc.mm.task_size = 1ULL << 56;
}

static void huge_none(struct fx *f)
{
	(void)f;
}

static void huge_free(struct fx *f)
{
	f->sys.hugepages_total = f->sys.hugepages_free = 10;
	f->sys.hstates[0].total = f->sys.hstates[0].free = 10;
}

static void huge_reserved(struct fx *f)
{
	huge_free(f);
	f->sys.hugepages_rsvd = f->sys.hstates[0].rsvd = 9;
}

static void ia32_ipc(struct fx *f)
{
	f->sc.flags = AF_SC_IA32;
}

static void memlock_64k(struct fx *f)
{
	f->sc.mm.rlim_memlock_cur = f->sc.mm.rlim_memlock_max = 64 * KiB;
}

static void memlock_64k_cap(struct fx *f)
{
	memlock_64k(f);
	f->sc.mm.flags |= AF_MM_CAP_IPC_LOCK;
}

static void memlock_64k_cap_userns(struct fx *f)
{
	memlock_64k_cap(f);
	f->sc.mm.flags &= ~AF_MM_INIT_USER_NS;
}

static void ia32_memlock(struct fx *f)
{
	memlock_64k(f);
	f->sc.flags = AF_SC_IA32;
}

static void pidns_dead(struct fx *f)
{
	f->sc.mm.flags |= AF_MM_PIDNS_DEAD;
	f->sc.mm.pidns_level = 1;
	f->sc.mm.pid_allocated = 1;
}

static void pidns_dead_ia32(struct fx *f)
{
	pidns_dead(f);
	f->sc.flags = AF_SC_IA32;
}

static void fork_strict(struct fx *f)
{
	strict(f);
	f->sc.mm.data_vm = 8 * MiB / PG;
}

static void memcg_full(struct fx *f)
{
	f->memcg = (struct memcg_info){ .valid = true, .version = 2, .limit_bytes = 512 * MiB,
					.usage_bytes = 512 * MiB - 100 * KiB, .failcnt = 42,
					.oom_events = 1, .oom_kill = 0 };
	f->in.memcg = &f->memcg;
}

static void memcg_roomy(struct fx *f)
{
	memcg_full(f);
	f->memcg.usage_bytes = 100 * MiB;
}

static void memcg_unlimited(struct fx *f)
{
	memcg_full(f);
	f->memcg.limit_bytes = -1;
}

/* v1 at 32 MiB, read after the process exited: usage is low again, failcnt stays */
static void memcg_32m_after_exit(struct fx *f)
{
	memcg_full(f);
	f->memcg.version = 1;
	f->memcg.limit_bytes = 32 * MiB;
	f->memcg.usage_bytes = 2 * MiB;
	f->memcg.oom_kill_disable = 1;
}

/* BPF's snapshot at the failure: /test itself has no limit, its parent /parent is full (v2's
 * nested case); cgroupfs, read later, says /test holds nothing (the process is gone) */
static void memcg_parent_binds(struct fx *f)
{
	memcg_full(f);
	f->memcg.limit_bytes = -1;
	f->memcg.usage_bytes = 200 * MiB;
	f->memcg.at_failure = true;
	f->memcg.bind_level = 1;
	f->memcg.bind_path = "/parent";
	f->memcg.bind_limit_bytes = 256 * MiB;
	f->memcg.bind_usage_bytes = 256 * MiB - 64 * KiB;
}

/* the same cgroup at its own limit at the failure: the snapshot's level 0 */
static void memcg_snap_own(struct fx *f)
{
	memcg_full(f);
	f->memcg.at_failure = true;
	f->memcg.bind_level = 0;
	f->memcg.bind_path = "/test";
	f->memcg.bind_limit_bytes = f->memcg.limit_bytes;
	f->memcg.bind_usage_bytes = f->memcg.usage_bytes;
}

/* an ancestor has a limit but plenty of room at the failure */
static void memcg_parent_roomy(struct fx *f)
{
	memcg_parent_binds(f);
	f->memcg.bind_usage_bytes = 10 * MiB;
}

/* no level read has a limit */
static void memcg_snap_unlimited(struct fx *f)
{
	memcg_parent_binds(f);
	f->memcg.bind_level = -1;
	f->memcg.bind_path = NULL;
	f->memcg.bind_limit_bytes = f->memcg.bind_usage_bytes = -1;
}

/* v1, no swap in use: memory.memsw.limit_in_bytes equal to the memory limit, so the memsw
 * counter (charged first) binds at level 0 */
static void memcg_memsw_own(struct fx *f)
{
	memcg_snap_own(f);
	f->memcg.version = 1;
	f->memcg.memsw_read = true;
	f->memcg.bind_memsw = true;
}

/* v1: the parent's memory+swap limit binds (its swap in use) */
static void memcg_memsw_parent(struct fx *f)
{
	memcg_parent_binds(f);
	f->memcg.version = 1;
	f->memcg.memsw_read = true;
	f->memcg.bind_memsw = true;
}

/* the parent is full, but the walk stopped 8 levels up: a level above may bind first */
static void memcg_truncated_full(struct fx *f)
{
	memcg_parent_binds(f);
	f->memcg.truncated = true;
}

/* every level read had room, and the walk stopped 8 levels up */
static void memcg_truncated_roomy(struct fx *f)
{
	memcg_parent_roomy(f);
	f->memcg.truncated = true;
}

static void deeper_memcg(struct fx *f)
{
	f->ev.caused_by = 7;
	f->deeper.code = "memcg_limit";
	snprintf(f->deeper.summary, sizeof(f->deeper.summary), "a charge of 4.0 KiB failed");
	snprintf(f->deeper.advice, sizeof(f->deeper.advice), "raise memory.max");
	f->in.deeper = &f->deeper;
}

/* something failed deeper but its verdict was not kept: no verdict by elimination */
static void deeper_unseen(struct fx *f)
{
	f->ev.caused_by = 7;
}

static void deeper_unknown(struct fx *f)
{
	deeper_memcg(f);
	f->deeper.code = "unknown";
}

static void brk_data_8m_ia32(struct fx *f)
{
	brk_data_8m(f);
	f->sc.flags = AF_SC_IA32;
}

static void ia32_deeper_unseen(struct fx *f)
{
	ia32_task(f);
	f->ev.caused_by = 7;
}

static void as_1g_memcg_full(struct fx *f)
{
	as_1g(f);
	memcg_full(f);
}

static void no_sysinfo(struct fx *f)
{
	as_1g(f);
	f->in.sys = NULL;
}

static void no_sysinfo_maps_full(struct fx *f)
{
	maps_full(f);
	f->in.sys = NULL;
}

static void x32(struct fx *f)
{
	as_1g(f);
	f->sc.flags = AF_SC_X32;
}

struct sc_case {
	const char *name;
	long nr;
	uint64_t args[6];
	void (*setup)(struct fx *f);
	const char *code;
	const char *summary_has; /* NULL: not checked */
	const char *advice_has;
};

#define MMAP_RW(len) { 0, (len), ANON_RW_PRIVATE, (uint64_t)-1, 0 }

static const struct sc_case sc_cases[] = {
	/* rlimit_as: may_expand_vm() */
	{ "mmap over RLIMIT_AS", SYS_mmap, MMAP_RW(1 * GiB), as_1g, "rlimit_as",
	  "mmap of 1.0 GiB would raise the address space to 1.5 GiB, over RLIMIT_AS of 1.0 GiB",
	  "ulimit -v 1572864 (KiB)" },
	{ "mmap just within RLIMIT_AS", SYS_mmap, MMAP_RW(512 * MiB), as_1g, "unknown", NULL,
	  NULL },
	{ "x32 mmap over RLIMIT_AS", SYS_mmap, MMAP_RW(1 * GiB), x32, "rlimit_as", NULL, NULL },
	{ "rlimits without sysinfo", SYS_mmap, MMAP_RW(1 * GiB), no_sysinfo, "rlimit_as", NULL,
	  NULL },
	/* rlimit_data: may_expand_vm() for private writable, check_data_rlimit() for brk */
	{ "mmap private writable over RLIMIT_DATA", SYS_mmap, MMAP_RW(64 * MiB), data_64m,
	  "rlimit_data", "raise private writable memory (data) to 96.0 MiB, over RLIMIT_DATA of "
	  "64.0 MiB", "ulimit -d 98304" },
	{ "mmap read-only is not data", SYS_mmap,
	  { 0, 64 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 }, data_64m, "unknown",
	  NULL, NULL },
	{ "mmap shared writable is not data", SYS_mmap,
	  { 0, 64 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0 }, data_64m, "unknown", NULL,
	  NULL },
	{ "stack mapping is not data", SYS_mmap,
	  { 0, 64 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1 },
	  data_64m, "unknown", NULL, NULL },
	{ "RLIMIT_DATA 0 with room under the hard limit (Valgrind)", SYS_mmap, MMAP_RW(64 * MiB),
	  data_valgrind, "unknown", NULL, NULL },
	{ "ignore_rlimit_data boot option", SYS_mmap, MMAP_RW(64 * MiB), data_ignored, "unknown",
	  NULL, NULL },
	{ "brk over RLIMIT_DATA", SYS_brk, { 0x1000000 + 9 * MiB }, brk_data_8m, "rlimit_data",
	  "brk to 0x1900000 would make the heap 9.0 MiB, plus 4.0 KiB of data segment, over "
	  "RLIMIT_DATA of 8.0 MiB", "ulimit -d 9220" },
	{ "ia32 brk over RLIMIT_DATA, high register bits ignored", NR32_BRK,
	  { 0xdead000000000000ULL | (0x1000000 + 9 * MiB) }, brk_data_8m_ia32, "rlimit_data", NULL,
	  NULL },
	{ "brk: check_data_rlimit before may_expand_vm", SYS_brk, { 0x1000000 + 9 * MiB },
	  brk_data_and_as, "rlimit_data", "brk to", NULL },
	{ "brk: may_expand_vm before map_count", SYS_brk, { 0x1021000 + 8 * MiB }, brk_as_and_maps,
	  "rlimit_as", "brk growing the heap by 8.0 MiB", NULL },
	{ "brk within every limit", SYS_brk, { 0x1021000 + 8 * MiB }, brk_silent, "unknown",
	  "brk stayed at 0x1021000 instead of moving to 0x1821000", NULL },
	/* max_map_count: > in do_mmap, >= for splits, >= max - 3 in mremap */
	{ "mmap over max_map_count", SYS_mmap, MMAP_RW(4096), maps_full, "max_map_count",
	  "already has 65531, at vm.max_map_count (65530)", "sysctl -w vm.max_map_count=131060" },
	{ "mmap at max_map_count passes do_mmap's >", SYS_mmap, MMAP_RW(4096), maps_at_max,
	  "unknown", NULL, NULL },
	{ "munmap split at max_map_count", SYS_munmap, { 0x7f0000001000, 4096 }, maps_at_max,
	  "max_map_count", NULL, NULL },
	{ "mmap: map_count before RLIMIT_AS", SYS_mmap, MMAP_RW(1 * GiB), as_1g_maps_full,
	  "max_map_count", NULL, NULL },
	{ "mmap: map_count before the address space", SYS_mmap, MMAP_RW(256 * TiB), maps_full,
	  "max_map_count", NULL, NULL },
	{ "mremap move within 3 of max_map_count", SYS_mremap,
	  { 0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE }, maps_max_minus_3, "max_map_count",
	  "needs up to 4 spare mappings", NULL },
	{ "max_map_count unknown without sysinfo", SYS_mmap, MMAP_RW(4096), no_sysinfo_maps_full,
	  "unknown", NULL, NULL },
	/* overcommit_strict: __vm_enough_memory() in mode 2 */
	{ "mmap over the commit limit", SYS_mmap, MMAP_RW(4 * MiB), strict, "overcommit_strict",
	  "over the 1015.9 MiB that vm.overcommit_memory=2 allows", "vm.overcommit_ratio from 50" },
	{ "within the kernel's counter error of the commit limit", SYS_mmap, MMAP_RW(4 * MiB),
	  strict_within_error, "overcommit_strict", "within 4.0 MiB (the error of the kernel's "
	  "per-CPU count) of the 1015.9 MiB", NULL },
	{ "clear of the commit limit and its error", SYS_mmap, MMAP_RW(4 * MiB), strict_clear,
	  "unknown", NULL, NULL },
	{ "MAP_NORESERVE is ignored in mode 2", SYS_mmap,
	  { 0, 4 * MiB, ANON_RW_PRIVATE | MAP_NORESERVE, -1 }, strict, "overcommit_strict", NULL,
	  NULL },
	{ "CAP_SYS_ADMIN skips the admin reserve", SYS_mmap, MMAP_RW(4 * MiB), strict_admin,
	  "unknown", NULL, NULL },
	{ "CAP_SYS_ADMIN in a child user namespace does not", SYS_mmap, MMAP_RW(4 * MiB),
	  strict_admin_userns, "overcommit_strict", NULL, NULL },
	{ "read-only private mapping is not committed", SYS_mmap,
	  { 0, 4 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, strict, "unknown", NULL,
	  NULL },
	{ "shared anonymous memory is committed (shmem)", SYS_mmap,
	  { 0, 4 * MiB, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1 }, strict, "overcommit_strict",
	  NULL, NULL },
	{ "mode 2 with room", SYS_mmap, MMAP_RW(4 * MiB), strict_roomy, "unknown", NULL, NULL },
	{ "fork copies data_vm + stack_vm in mode 2", SYS_fork, { 0 }, fork_strict,
	  "overcommit_strict", "fork would commit a copy of its 8.13 MiB", NULL },
	{ "a thread copies nothing", SYS_clone, { CLONE_VM | CLONE_THREAD }, fork_strict,
	  "unknown", NULL, NULL },
	{ "mprotect PROT_WRITE commits", SYS_mprotect, { 0x7f0000000000, 4 * MiB, PROT_WRITE },
	  strict, "overcommit_strict", "if the range was not committed already", NULL },
	/* overcommit_heuristic: mode 0, one request over RAM + swap */
	{ "mmap larger than RAM + swap", SYS_mmap, MMAP_RW(40 * GiB), NULL, "overcommit_heuristic",
	  "more than RAM + swap (23.5 GiB + 0 B)", "vm.overcommit_memory=1" },
	{ "MAP_NORESERVE is not committed in mode 0", SYS_mmap,
	  { 0, 40 * GiB, ANON_RW_PRIVATE | MAP_NORESERVE, -1 }, NULL, "unknown", NULL, NULL },
	{ "mode 1 never refuses", SYS_mmap, MMAP_RW(40 * GiB), always, "unknown", NULL, NULL },
	{ "mremap growth larger than RAM + swap", SYS_mremap,
	  { 0x7f0000000000, 4096, 40 * GiB, 0 }, NULL, "overcommit_heuristic", NULL, NULL },
	/* address_space: get_unmapped_area() */
	{ "mmap beyond TASK_SIZE", SYS_mmap, MMAP_RW(256 * TiB), NULL, "address_space",
	  "larger than the 128.0 TiB address space of this 64-bit process", "call site" },
	{ "5-level paging: beyond the 47-bit window without a hint", SYS_mmap,
	  MMAP_RW(256 * TiB), la57_task, "address_space", "below 47 bits that mmap searches",
	  "call site" },
	{ "MAP_FIXED ending beyond TASK_SIZE", SYS_mmap,
	  { 0x7ffffff00000, 2 * MiB, ANON_RW_PRIVATE | MAP_FIXED, -1 }, NULL, "address_space",
	  "would end beyond", NULL },
	{ "length wrapping to 0", SYS_mmap, MMAP_RW(0xfffffffffffff001ULL), NULL, "address_space",
	  "wraps around to 0", NULL },
	{ "32-bit mmap2 beyond its 4 GiB", NR32_MMAP2,
	  { 0, 0xfffff000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, ia32_task,
	  "address_space", "address space of this 32-bit process", "build the program as 64-bit" },
	{ "32-bit mmap2 larger than what is unmapped", NR32_MMAP2,
	  { 0, 0xff000000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, ia32_task,
	  "address_space", "cannot fit: only", NULL },
	{ "32-bit mmap2 of 3/4 of the free space: no gap", NR32_MMAP2,
	  { 0, 0xc0000000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, ia32_task,
	  "address_space", "found no free gap", NULL },
	{ "32-bit mmap2 of 16 MiB: no verdict", NR32_MMAP2,
	  { 0, 16 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, ia32_task, "unknown", NULL,
	  NULL },
	{ "no gap verdict when something failed deeper", NR32_MMAP2,
	  { 0, 0xc0000000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1 }, ia32_deeper_unseen,
	  "unknown", NULL, NULL },
	{ "ia32 old mmap: size in user memory", NR32_MMAP, { 0xffd00000 }, ia32_task, "unknown",
	  NULL, NULL },
	{ "MAP_32BIT over its 1 GiB window", SYS_mmap,
	  { 0, 2 * GiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1 }, NULL,
	  "address_space", "MAP_32BIT window", NULL },
	/* hugetlb_pool: hugetlb_acct_memory() */
	{ "MAP_HUGETLB with an empty pool", SYS_mmap,
	  { 0, 4 * MiB, ANON_RW_PRIVATE | MAP_HUGETLB, -1 }, huge_none, "hugetlb_pool",
	  "needs 2 huge pages of 2.0 MiB, but only 0 of the pool's 0", "hugepages-2048kB" },
	{ "MAP_HUGETLB length rounds up to huge pages", SYS_mmap,
	  { 0, 3 * MiB, ANON_RW_PRIVATE | MAP_HUGETLB, -1 }, huge_reserved, "hugetlb_pool",
	  "needs 2 huge pages", NULL },
	{ "MAP_HUGETLB with free pages", SYS_mmap,
	  { 0, 4 * MiB, ANON_RW_PRIVATE | MAP_HUGETLB, -1 },
	  huge_free, "unknown", NULL, NULL },
	{ "MAP_HUGETLB|MAP_NORESERVE reserves nothing", SYS_mmap,
	  { 0, 4 * MiB, ANON_RW_PRIVATE | MAP_HUGETLB | MAP_NORESERVE, -1 }, huge_none, "unknown",
	  NULL, NULL },
	{ "MAP_HUGE_1GB: no such pool known", SYS_mmap,
	  { 0, 1 * GiB, ANON_RW_PRIVATE | MAP_HUGETLB | MAP_HUGE_1GB, -1 }, huge_none, "unknown",
	  NULL, NULL },
	{ "shmget SHM_HUGETLB with an empty pool", SYS_shmget, { 1, 4 * MiB, SHM_HUGETLB | 0600 },
	  huge_none, "hugetlb_pool", "with SHM_HUGETLB", NULL },
	{ "ia32 ipc(SHMGET) SHM_HUGETLB", NR32_IPC, { IPC_SHMGET, 1, 4 * MiB, SHM_HUGETLB | 0600 },
	  ia32_ipc, "hugetlb_pool", NULL, NULL },
	{ "shmget over the commit limit", SYS_shmget, { 1, 4 * MiB, 0600 }, strict,
	  "overcommit_strict", NULL, NULL },
	/* mremap_in_place */
	{ "mremap growth without MREMAP_MAYMOVE", SYS_mremap, { 0x7f0000000000, 64 * KiB,
	  128 * KiB, 0 }, NULL, "mremap_in_place", "from 64.0 KiB to 128.0 KiB in place",
	  "MREMAP_MAYMOVE" },
	{ "mremap without MREMAP_MAYMOVE: RLIMIT_AS first", SYS_mremap,
	  { 0x7f0000000000, 64 * KiB, 1 * GiB, 0 }, as_1g, "rlimit_as", NULL, NULL },
	{ "mremap with MREMAP_MAYMOVE, room everywhere", SYS_mremap,
	  { 0x7f0000000000, 64 * KiB, 128 * KiB, MREMAP_MAYMOVE }, NULL, "unknown", NULL, NULL },
	/* rlimit_memlock / mlock_holes */
	{ "mlock over RLIMIT_MEMLOCK", SYS_mlock, { 0x7f0000000000, 128 * KiB }, memlock_64k,
	  "rlimit_memlock", "mlock of 128.0 KiB would lock 128.0 KiB in all, over RLIMIT_MEMLOCK "
	  "of 64.0 KiB (no CAP_IPC_LOCK)", "ulimit -l 128" },
	{ "mlock counts the offset in the first page", SYS_mlock, { 0x7f0000000800, 64 * KiB },
	  memlock_64k, "rlimit_memlock", "mlock of 68.0 KiB", NULL },
	{ "mlock2 over RLIMIT_MEMLOCK", SYS_mlock2, { 0x7f0000000000, 128 * KiB, 0 }, memlock_64k,
	  "rlimit_memlock", NULL, NULL },
	{ "ia32 mlock over RLIMIT_MEMLOCK", NR32_MLOCK, { 0xf0000000, 128 * KiB }, ia32_memlock,
	  "rlimit_memlock", NULL, NULL },
	{ "mlock with CAP_IPC_LOCK: holes", SYS_mlock, { 0x7f0000000000, 128 * KiB },
	  memlock_64k_cap, "mlock_holes", "CAP_IPC_LOCK held", NULL },
	{ "CAP_IPC_LOCK in a child user namespace does not count", SYS_mlock,
	  { 0x7f0000000000, 128 * KiB }, memlock_64k_cap_userns, "rlimit_memlock", NULL, NULL },
	{ "mlock within RLIMIT_MEMLOCK: holes", SYS_mlock, { 0x7f0000000000, 16 * KiB },
	  memlock_64k, "mlock_holes", "with room under RLIMIT_MEMLOCK", "/proc/4242/maps" },
	{ "mlock split at max_map_count", SYS_mlock, { 0x7f0000001000, 4096 }, maps_at_max,
	  "max_map_count", NULL, NULL },
	{ "mlock: no holes verdict when something failed deeper", SYS_mlock,
	  { 0x7f0000000000, 16 * KiB }, deeper_unseen, "unknown", NULL, NULL },
	{ "mlockall(MCL_CURRENT) over RLIMIT_MEMLOCK", SYS_mlockall, { MCL_CURRENT }, memlock_64k,
	  "rlimit_memlock", "mlockall(MCL_CURRENT) would lock the whole 3.91 MiB", NULL },
	{ "mlockall(MCL_FUTURE) does not check", SYS_mlockall, { MCL_FUTURE }, memlock_64k,
	  "unknown", NULL, NULL },
	/* pidns_dead: alloc_pid() */
	{ "fork in a dead pid namespace", SYS_fork, { 0 }, pidns_dead, "pidns_dead",
	  "pid namespace (level 1)", "tini" },
	{ "vfork in a dead pid namespace", SYS_vfork, { 0 }, pidns_dead, "pidns_dead", NULL, NULL },
	{ "clone3 in a dead pid namespace", SYS_clone3, { 0 }, pidns_dead, "pidns_dead", NULL,
	  NULL },
	{ "ia32 fork in a dead pid namespace", NR32_FORK, { 0 }, pidns_dead_ia32, "pidns_dead",
	  NULL, NULL },
	{ "clone(CLONE_NEWPID) gets a fresh namespace", SYS_clone, { CLONE_NEWPID | SIGCHLD },
	  pidns_dead, "unknown", NULL, NULL },
	{ "fork with a live pid namespace", SYS_fork, { 0 }, NULL, "unknown", NULL, NULL },
	/* memcg_limit, and the verdict of a failure deeper in the call */
	{ "mmap in a memcg at its limit", SYS_mmap, MMAP_RW(4096), memcg_full, "memcg_limit",
	  "failed in memory cgroup /test: usage 511.9 MiB of its 512.0 MiB limit, hit 42 times",
	  "memory.max" },
	{ "exact checks before the memcg", SYS_mmap, MMAP_RW(1 * GiB), as_1g_memcg_full,
	  "rlimit_as", NULL, NULL },
	{ "memcg with room", SYS_mmap, MMAP_RW(4096), memcg_roomy, "unknown", NULL, NULL },
	{ "memcg without a limit", SYS_mmap, MMAP_RW(4096), memcg_unlimited, "unknown", NULL,
	  NULL },
	{ "madvise(MADV_POPULATE_WRITE) larger than the memcg's room", SYS_madvise,
	  { 0x7f0000000000, 64 * MiB, MADV_POPULATE_WRITE }, memcg_32m_after_exit, "memcg_limit",
	  "madvise of 64.0 MiB failed in memory cgroup /test: charging up to 64.0 MiB on top of "
	  "the 2.0 MiB it uses goes over its 32.0 MiB limit", "oom_kill_disable is set" },
	{ "madvise(MADV_POPULATE_WRITE) with room in the memcg", SYS_madvise,
	  { 0x7f0000000000, 4 * MiB, MADV_POPULATE_WRITE }, memcg_32m_after_exit, "unknown", NULL,
	  NULL },
	{ "memcg snapshot: the parent's limit binds", SYS_mmap, MMAP_RW(4096), memcg_parent_binds,
	  "memcg_limit",
	  "failed in memory cgroup /test (limited by its ancestor /parent): usage 255.9 MiB of "
	  "its 256.0 MiB limit", "memory.max of /parent" },
	{ "memcg snapshot: its own limit binds", SYS_mmap, MMAP_RW(4096), memcg_snap_own,
	  "memcg_limit", "failed in memory cgroup /test: usage 511.9 MiB", "memory.max of /test" },
	{ "memcg snapshot: the ancestor had room", SYS_mmap, MMAP_RW(4096), memcg_parent_roomy,
	  "unknown", NULL, NULL },
	{ "memcg snapshot: no level has a limit", SYS_mmap, MMAP_RW(4096), memcg_snap_unlimited,
	  "unknown", NULL, NULL },
	{ "memcg snapshot: its memory+swap limit binds (v1)", SYS_mmap, MMAP_RW(4096),
	  memcg_memsw_own, "memcg_limit",
	  "failed in memory cgroup /test: usage 511.9 MiB of its 512.0 MiB memory+swap limit",
	  "memory.memsw.limit_in_bytes of /test) to at least 513.0 MiB, or reduce what it holds "
	  "(memory.stat: anon and swap vs page cache); memory.limit_in_bytes, which may not "
	  "exceed it, next" },
	{ "memcg snapshot: the parent's memory+swap limit binds (v1)", SYS_mmap, MMAP_RW(4096),
	  memcg_memsw_parent, "memcg_limit",
	  "(limited by its ancestor /parent): usage 255.9 MiB of its 256.0 MiB memory+swap limit",
	  "memory.memsw.limit_in_bytes of /parent" },
	{ "memcg snapshot truncated: a full level is no certainty of which binds", SYS_mmap,
	  MMAP_RW(4096), memcg_truncated_full, "memcg_limit",
	  "usage 255.9 MiB of its 256.0 MiB limit (memory cgroup limits above 8 levels not read: "
	  "one of them may bind first)",
	  "check the limits of the ancestors above the 8 read" },
	{ "memcg snapshot truncated, every level read had room", SYS_mmap, MMAP_RW(4096),
	  memcg_truncated_roomy, "unknown",
	  "every limit checked has room; memory cgroup limits above 8 levels not read, one of "
	  "them may be what failed it", NULL },
	{ "a failure deeper in the call", SYS_mmap, MMAP_RW(4096), deeper_memcg, "memcg_limit",
	  "failed because an allocation inside it failed: a charge of 4.0 KiB failed",
	  "raise memory.max" },
	{ "a deeper failure without a verdict is no verdict", SYS_mmap, MMAP_RW(4096),
	  deeper_unknown, "unknown", NULL, NULL },
	/* unmapped_range, and the negatives */
	{ "mprotect over unmapped pages", SYS_mprotect, { 0x7f0000000000, 4096, PROT_READ }, NULL,
	  "unmapped_range", "mprotect of 4.0 KiB at 0x7f0000000000", NULL },
	{ "madvise(MADV_WILLNEED) is not about holes", SYS_madvise,
	  { 0x7f0000000000, 4096, MADV_WILLNEED }, NULL, "unknown", NULL, NULL },
	{ "munlock over unmapped pages", SYS_munlock, { 0x7f0000000000, 4096 }, NULL,
	  "unmapped_range", NULL, NULL },
	{ "mmap with headroom everywhere", SYS_mmap, MMAP_RW(4096), NULL, "unknown",
	  "mmap of 4.0 KiB failed with ENOMEM and no rule matches the evidence", "no verdict" },
	{ "a syscall without rules", SYS_open, { 0 }, NULL, "unknown", NULL, NULL },
};

static const char *evidence_str(const struct cause *c, const char *key)
{
	for (unsigned int i = 0; i < c->nevidence; i++)
		if (!strcmp(c->evidence[i].key, key) && c->evidence[i].is_str)
			return c->evidence[i].str;
	return NULL;
}

static bool evidence_num(const struct cause *c, const char *key, int64_t *v)
{
	for (unsigned int i = 0; i < c->nevidence; i++) {
		if (!strcmp(c->evidence[i].key, key) && !c->evidence[i].is_str) {
			*v = c->evidence[i].num;
			return true;
		}
	}
	return false;
}

/* Codes seen across all tests: every code must come up at least once. */
static const char *seen[64];
static unsigned int nseen;

static void note_code(const char *code)
{
	for (unsigned int i = 0; i < nseen; i++)
		if (!strcmp(seen[i], code))
			return;
	seen[nseen++] = code;
}

static void check_verdict(const char *name, const struct cause *c, const char *code,
			  const char *summary_has, const char *advice_has)
{
	note_code(c->code);
	if (getenv("AF_TEST_VERBOSE")) /* read the sentences, not just the asserts */
		printf("%-56s %s\n\t%s\n\t%s\n", name, c->code, c->summary, c->advice);
	if (strcmp(c->code, code))
		fail_msg("%s: code %s, want %s (%s)", name, c->code, code, c->summary);
	if (c->code_id != cause__code_of(code))
		fail_msg("%s: code_id %d is %s, the code %s", name, c->code_id,
			 cause__code_name(c->code_id), code);
	if (summary_has && !strstr(c->summary, summary_has))
		fail_msg("%s: summary \"%s\" lacks \"%s\"", name, c->summary, summary_has);
	if (advice_has && !strstr(c->advice, advice_has))
		fail_msg("%s: advice \"%s\" lacks \"%s\"", name, c->advice, advice_has);
	if (!c->summary[0] || !c->advice[0] || !c->nevidence)
		fail_msg("%s: empty summary, advice or evidence", name);
}

/*
 * A verdict's request_bytes is what BPF counted for the record and its site: the same
 * af_sc_request_bytes() of bpf/syscalls.h, compiled here as BPF compiles it, on the arguments
 * BPF reads (the record's), the mm's break and the default huge page size user space gives it
 * (sysinfo__huge_page_bytes(): Hugepagesize, as the rules' sysinfo). A call BPF does not size
 * has no request_bytes in the evidence.
 */
static void check_request_bytes(const char *name, const struct fx *f)
{
	const struct af_syscall *sc = &f->sc;
	const struct sysinfo *si = f->in.sys;
	uint64_t huge = si && si->hugepage_size_kb > 0 ? (uint64_t)si->hugepage_size_kb * KiB : 0;
	uint64_t bpf = af_sc_request_bytes(sc->nr, sc->flags & AF_SC_IA32, sc->args[0],
					   sc->args[1], sc->args[2], sc->args[3], sc->mm.brk, huge);
	const char *str = evidence_str(&f->out, "request_bytes");
	int64_t v;
	uint64_t got = 0;

	if (str)
		got = strtoull(str, NULL, 16); /* kv_u64: "0x..." beyond INT64_MAX */
	else if (evidence_num(&f->out, "request_bytes", &v))
		got = (uint64_t)v;
	else if (bpf)
		fail_msg("%s: BPF counts %llu bytes, the verdict has no request_bytes", name,
			 (unsigned long long)bpf);
	else
		return;
	if (got != bpf)
		fail_msg("%s: request_bytes %llu, BPF counts %llu", name, (unsigned long long)got,
			 (unsigned long long)bpf);
}

static void test_syscall_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sc_cases) / sizeof(sc_cases[0]); i++) {
		const struct sc_case *t = &sc_cases[i];

		fx_defaults(&fx);
		fx.sc.nr = t->nr;
		memcpy(fx.sc.args, t->args, sizeof(fx.sc.args));
		if (t->setup)
			t->setup(&fx);
		assert_int_equal(cause__explain(&fx.in, &fx.out), 0);
		check_verdict(t->name, &fx.out, t->code, t->summary_has, t->advice_has);
		check_request_bytes(t->name, &fx);
	}
}

static void ia32(struct fx *f)
{
	f->sc.flags = AF_SC_IA32;
	f->sc.mm.task_size = 0xffffe000;
}

static void brk_unaligned(struct fx *f)
{
	f->sc.mm.brk = 0x1020800;
}

static void huge_1g_default(struct fx *f)
{
	f->sys.hugepage_size_kb = 1024 * 1024;
}

static void huge_unknown(struct fx *f)
{
	f->sys.hugepage_size_kb = -1;
}

/* The shapes the rounding rules differ on; the expected bytes are written out too, so a rule
 * changed in bpf/syscalls.h alone still fails here. */
static void test_request_bytes_agree(void **state)
{
#define ANON_HUGE (MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB)
#define OLD 0x7f0000000000 /* mremap's old address */
#define MOVE MREMAP_MAYMOVE
	static const struct {
		const char *name;
		long nr;
		uint64_t args[6];
		void (*setup)(struct fx *f);
		uint64_t bytes;
	} rows[] = {
		{ "mmap of one byte", SYS_mmap, MMAP_RW(1), NULL, PG },
		{ "mmap past a page", SYS_mmap, MMAP_RW(PG + 1), NULL, 2 * PG },
		{ "mmap, length wraps", SYS_mmap, MMAP_RW(~0ULL), NULL, 0 },
		{ "hugetlb, default 2 MiB", SYS_mmap, { 0, 1, PROT_READ, ANON_HUGE, -1ULL }, NULL,
		  2 * MiB },
		{ "hugetlb, default 1 GiB", SYS_mmap, { 0, 3 * MiB, PROT_READ, ANON_HUGE, -1ULL },
		  huge_1g_default, 1 * GiB },
		{ "hugetlb MAP_HUGE_2MB", SYS_mmap,
		  { 0, 3 * MiB, PROT_READ, ANON_HUGE | MAP_HUGE_2MB, -1ULL },
		  huge_1g_default, 4 * MiB },
		{ "hugetlb, size unknown", SYS_mmap, { 0, PG + 1, PROT_READ, ANON_HUGE, -1ULL },
		  huge_unknown, 2 * PG },
		{ "mremap growing", SYS_mremap, { OLD, PG + 1, 2 * PG + 1, MOVE }, NULL, PG },
		{ "mremap shrinking", SYS_mremap, { OLD, 2 * PG, PG, MOVE }, NULL, 0 },
		{ "mremap MREMAP_DONTUNMAP", SYS_mremap,
		  { OLD, PG + 1, PG + 1, MOVE | MREMAP_DONTUNMAP }, NULL, 2 * PG },
		{ "brk from an unaligned break", SYS_brk, { 0x1021001 }, brk_unaligned, PG },
		{ "brk below the break", SYS_brk, { 0x1000000 }, NULL, 0 },
		{ "mlock across a page boundary", SYS_mlock, { 0x1000ff0, 32 }, NULL, 2 * PG },
		{ "mlock2", SYS_mlock2, { 0x1000000, PG + 1, 1 }, NULL, 2 * PG },
		{ "munlock", SYS_munlock, { 0x1000001, PG }, NULL, 2 * PG },
		{ "munmap", SYS_munmap, { 0x1000000, 3 * PG }, NULL, 3 * PG },
		{ "mprotect", SYS_mprotect, { 0x1000000, 1, PROT_READ | PROT_WRITE }, NULL, PG },
		{ "pkey_mprotect", SYS_pkey_mprotect, { 0x1000000, PG, PROT_READ, 1 }, NULL, PG },
		{ "madvise", SYS_madvise, { 0x1000000, 5 * PG, MADV_POPULATE_WRITE }, NULL,
		  5 * PG },
		{ "shmget", SYS_shmget, { 1, PG + 1, IPC_CREAT | 0600 }, NULL, 2 * PG },
		{ "shmget SHM_HUGETLB", SYS_shmget, { 1, PG, IPC_CREAT | SHM_HUGETLB | 0600 }, NULL,
		  2 * MiB },
		{ "x32 mmap", SYS_mmap, MMAP_RW(PG + 1), x32, 2 * PG },
		{ "ia32 mmap2, high bits ignored", NR32_MMAP2,
		  { 0, (1ULL << 32) | 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1ULL }, ia32,
		  PG },
		{ "ia32 old mmap: unsized", NR32_MMAP, { 0x1000 }, ia32, 0 },
		{ "ia32 ipc(SHMGET)", NR32_IPC, { IPC_SHMGET, 1, PG + 1, 0600 }, ia32, 2 * PG },
		{ "ia32 ipc, another call: unsized", NR32_IPC, { 1, 1, PG, 0 }, ia32, 0 },
		{ "ia32 brk", NR32_BRK, { 0x1022000 }, ia32, PG },
		{ "ia32 mlock", NR32_MLOCK, { 0x1000ff0, 32 }, ia32, 2 * PG },
		{ "ia32 mremap", AF_NR32_MREMAP, { 0x10000000, PG, 3 * PG, MOVE }, ia32,
		  2 * PG },
		{ "fork: unsized", SYS_fork, { 0 }, NULL, 0 },
		{ "clone: unsized", SYS_clone, { SIGCHLD }, NULL, 0 },
		{ "mlockall: unsized", SYS_mlockall, { MCL_CURRENT }, NULL, 0 },
		{ "no rules: unsized", SYS_read, { 0, 0, 4096 }, NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct sc_case t = { .name = rows[i].name, .nr = rows[i].nr };
		int64_t v;

		fx_defaults(&fx);
		fx.sc.nr = t.nr;
		memcpy(fx.sc.args, rows[i].args, sizeof(fx.sc.args));
		if (rows[i].setup)
			rows[i].setup(&fx);
		assert_int_equal(cause__explain(&fx.in, &fx.out), 0);
		check_request_bytes(t.name, &fx);
		if (rows[i].bytes && !(evidence_num(&fx.out, "request_bytes", &v) &&
				       (uint64_t)v == rows[i].bytes))
			fail_msg("%s: request_bytes is not %llu", t.name,
				 (unsigned long long)rows[i].bytes);
	}
}

/* The raw evidence of an "unknown": what every rule looked at. */
static void test_unknown_evidence(void **state)
{
	int64_t v;

	(void)state;
	fx_defaults(&fx);
	fx.sc.nr = SYS_mmap;
	fx.sc.args[1] = 4096;
	fx.sc.args[2] = PROT_READ | PROT_WRITE;
	fx.sc.args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	cause__explain(&fx.in, &fx.out);
	assert_string_equal(fx.out.code, "unknown");
	assert_string_equal(evidence_str(&fx.out, "syscall"), "mmap");
	assert_non_null(evidence_str(&fx.out, "args"));
	assert_true(evidence_num(&fx.out, "map_count", &v) && v == 50);
	assert_true(evidence_num(&fx.out, "max_map_count", &v) && v == MAXMAP);
	assert_true(evidence_num(&fx.out, "rlimit_as_cur", &v) && v == -1);
	assert_true(evidence_num(&fx.out, "request_bytes", &v) && v == 4096);
	assert_true(evidence_num(&fx.out, "overcommit_memory", &v) && v == 0);
}

static void test_evidence_numbers(void **state)
{
	int64_t v;

	(void)state;
	fx_defaults(&fx);
	fx.sc.nr = SYS_mmap;
	fx.sc.args[1] = 1 * GiB;
	fx.sc.args[2] = PROT_READ | PROT_WRITE;
	fx.sc.args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	as_1g(&fx);
	cause__explain(&fx.in, &fx.out);
	assert_true(evidence_num(&fx.out, "total_vm_bytes", &v) && v == (int64_t)(512 * MiB));
	assert_true(evidence_num(&fx.out, "rlimit_as_cur", &v) && v == (int64_t)GiB);
	assert_true(evidence_num(&fx.out, "request_bytes", &v) && v == (int64_t)GiB);
}

static void test_bad_input(void **state)
{
	(void)state;
	assert_int_equal(cause__explain(NULL, &fx.out), -EINVAL);
	fx_defaults(&fx);
	assert_int_equal(cause__explain(&fx.in, NULL), -EINVAL);
	fx.in.ev = NULL;
	assert_int_equal(cause__explain(&fx.in, &fx.out), -EINVAL);
}

/* ---- mm/vmstat.c's indexes, against values worked out by hand ---- */

struct frag_case {
	uint64_t blocks[AF_NR_ORDERS];
	unsigned int order;
	int frag, unusable;
};

static const struct frag_case frag_cases[] = {
	/* nothing free: 0 and 1000 */
	{ { 0 }, 3, 0, 1000 },
	/* 100 order-0 pages, order 2: 1000 - (1000 + 100*1000/4) / 100 = 740 */
	{ { 100 }, 2, 740, 1000 },
	/* total 16, free 28, suitable for order 1: 5 + 1<<2 = 9: would succeed;
	 * unusable (28 - 9*2) * 1000 / 28 = 357 */
	{ { 10, 5, 0, 1 }, 1, -1000, 357 },
	/* order 0 with anything free succeeds, nothing unusable */
	{ { 7, 3 }, 0, -1000, 0 },
	/* one order-0 page, order 1: 1000 - (1000 + 500) / 1 = -500 */
	{ { 1 }, 1, -500, 1000 },
	/* 50 order-2 blocks, order 3: 1000 - (1000 + 200*1000/8) / 50 = 480 */
	{ { 0, 0, 50 }, 3, 480, 1000 },
	/* total 1800, free 3600, order 4: 1000 - (1000 + 3600000/16) / 1800 = 875 */
	{ { 1000, 500, 200, 100 }, 4, 875, 1000 },
	/* /proc/buddyinfo of a Normal zone, order 10: free = 3127 + 3486 + 4432 + 5008 + 7760 +
	 * 10240 + 9664 + 10240 + 10240 + 9728 + 372736 = 446661, suitable 364;
	 * unusable (446661 - 364*1024) * 1000 / 446661 = 165 */
	{ { 3127, 1743, 1108, 626, 485, 320, 151, 80, 40, 19, 364 }, 10, -1000, 165 },
	/* same, order 9: suitable 19 + 364*2 = 747; (446661 - 747*512) * 1000 / 446661 = 143 */
	{ { 3127, 1743, 1108, 626, 485, 320, 151, 80, 40, 19, 364 }, 9, -1000, 143 },
};

static void test_frag_index(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(frag_cases) / sizeof(frag_cases[0]); i++) {
		const struct frag_case *t = &frag_cases[i];
		int fi = frag__index(t->blocks, AF_NR_ORDERS, t->order);
		int ui = frag__unusable_index(t->blocks, AF_NR_ORDERS, t->order);

		if (fi != t->frag || ui != t->unusable)
			fail_msg("case %zu: frag %d unusable %d, want %d %d", i, fi, ui, t->frag,
				 t->unusable);
	}
	/* beyond the orders: the kernel's WARN_ON_ONCE path returns 0 */
	assert_int_equal(frag__index(frag_cases[1].blocks, AF_NR_ORDERS, AF_NR_ORDERS), 0);
}

struct zone_case {
	const char *name;
	struct cause_zone z;
	const char *code; /* NULL: the zone would have served it */
	const char *summary_has;
};

static const struct zone_case zone_cases[] = {
	{ "free blocks too small, index over the threshold",
	  { .zone = "Normal", .order = 4, .free_blocks = { 1000, 500, 200, 100 }, .wmark_min = 500,
	    .can_reclaim = true, .swap_total_kb = 0 },
	  "fragmentation",
	  "order-4 (64.0 KiB) allocation failed in zone Normal: 14.1 MiB free but no free block of "
	  "64.0 KiB or larger (fragmentation index 0.875, over extfrag_threshold 0.500)" },
	{ "below the min watermark",
	  { .zone = "Normal", .order = 0, .free_blocks = { 100 }, .wmark_min = 200,
	    .have_reclaim = true, .nr_reclaimed = 0, .swap_total_kb = 0 },
	  "exhaustion",
	  "at or below the min watermark of 800.0 KiB; reclaim freed 0 pages, no swap configured" },
	{ "no block, index low: lack of memory",
	  { .zone = "DMA32", .order = 3, .free_blocks = { 0, 0, 50 }, .wmark_min = 10,
	    .swap_total_kb = 1024, .swap_free_kb = 0 },
	  "exhaustion",
	  "fragmentation index 0.480: lack of memory, not fragmentation); swap full" },
	{ "NR_FREE_PAGES below min despite large blocks",
	  { .zone = "Normal", .order = 2, .free_blocks = { 0, 0, 0, 0, 0, 1 }, .free_pages = 32,
	    .wmark_min = 64, .after = true },
	  "exhaustion", "(zone read after the failure)" },
	{ "a block of the order and free above min",
	  { .zone = "Normal", .order = 1, .free_blocks = { 10, 5, 0, 1 }, .wmark_min = 5 },
	  NULL, NULL },
	{ "order 0 above min",
	  { .zone = "Normal", .order = 0, .free_blocks = { 1000 }, .wmark_min = 100 }, NULL, NULL },
};

static void test_fragmentation(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(zone_cases) / sizeof(zone_cases[0]); i++) {
		const struct zone_case *t = &zone_cases[i];
		bool matched;

		memset(&fx.out, 0, sizeof(fx.out));
		matched = cause__fragmentation(&t->z, &fx.out);
		if (!t->code) {
			if (matched)
				fail_msg("%s: got %s, want no verdict", t->name, fx.out.code);
			continue;
		}
		if (!matched)
			fail_msg("%s: no verdict, want %s", t->name, t->code);
		check_verdict(t->name, &fx.out, t->code, t->summary_has, NULL);
	}
	/* exhaustion with a large block free: the index says the request would fit */
	assert_true(cause__fragmentation(&zone_cases[3].z, &fx.out));
	assert_string_equal(evidence_str(&fx.out, "fragmentation_index"), "-1.000");
}

/* A page_alloc event through cause__explain: the zone from the record, the memcg after it. */
static struct af_page_alloc pa;

static void page_alloc_event(uint32_t order, uint32_t gfp)
{
	fx_defaults(&fx);
	memset(&pa, 0, sizeof(pa));
	fx.ev.type = AF_EV_PAGE_ALLOC;
	fx.ev.raw.pa = &pa;
	pa.order = order;
	pa.gfp = gfp;
	pa.zone.flags = AF_ZONE_VALID;
	strcpy(pa.zone.name, "Normal");
	pa.zone.wmark_min = 100;
	pa.zone.wmark_boost = 50;
}

static void test_page_alloc_event(void **state)
{
	(void)state;
	page_alloc_event(0, 0xcc0);
	pa.zone.free_blocks[0] = 120; /* over min, under min + boost */
	cause__explain(&fx.in, &fx.out);
	check_verdict("watermark boost counts", &fx.out, "exhaustion", "min watermark of 600.0 KiB",
		      "add RAM or swap");

	page_alloc_event(5, 0x400cc0);
	pa.zone.free_blocks[0] = 4000;
	pa.zone.free_blocks[1] = 2000;
	cause__explain(&fx.in, &fx.out);
	check_verdict("high-order, fragmented", &fx.out, "fragmentation", "order-5", "compact");

	page_alloc_event(0, 0x400cc0);
	pa.zone.free_blocks[3] = 1000;
	memcg_full(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("zone fine, accounted, memcg full", &fx.out, "memcg_limit",
		      "an order-0 page allocation failed in memory cgroup", NULL);

	page_alloc_event(0, 0xcc0);
	pa.zone.free_blocks[3] = 1000;
	memcg_full(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("zone fine, not accounted", &fx.out, "unknown", "would have served it", NULL);

	page_alloc_event(2, 0xcc0);
	pa.zone.flags = 0;
	cause__explain(&fx.in, &fx.out);
	check_verdict("zone not known", &fx.out, "unknown", "not known", NULL);

	/* the charge under it failed (fexit): memcg_limit though the cgroup has room by now */
	page_alloc_event(10, 0x400cc0);
	pa.zone.free_blocks[10] = 400;
	deeper_memcg(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("a failed charge underneath", &fx.out, "memcg_limit",
		      "order-10 page allocation failed because its memory cgroup charge failed",
		      "raise memory.max");
}

/* The enrich step's frag_info wins over the record's zone. */
static void test_page_alloc_frag_info(void **state)
{
	static struct frag_info fi;

	(void)state;
	page_alloc_event(3, 0xcc0);
	pa.zone.free_blocks[3] = 1000;
	memset(&fi, 0, sizeof(fi));
	fi.present = true;
	fi.snapshot = "after";
	strcpy(fi.zone, "Normal");
	fi.free_blocks[0] = 30000;
	fi.free_pages = 30000;
	fi.wmark_min = 1000;
	fx.ev.frag = &fi;
	cause__explain(&fx.in, &fx.out);
	check_verdict("frag_info", &fx.out, "fragmentation", "(zone read after the failure)", NULL);
	assert_string_equal(evidence_str(&fx.out, "snapshot"), "after");

	/* the boost counts once: apart in the record, inside /proc/zoneinfo's "min" */
	page_alloc_event(0, 0xcc0);
	memset(&fi, 0, sizeof(fi));
	fi.present = true;
	fi.snapshot = "at_failure";
	fi.free_blocks[0] = fi.free_pages = 250;
	fi.wmark_min = 100;
	fi.wmark_boost = 200;
	fx.ev.frag = &fi;
	cause__explain(&fx.in, &fx.out);
	check_verdict("boost at failure", &fx.out, "exhaustion", "min watermark of 1.17 MiB", NULL);
	fi.snapshot = "after";
	cause__explain(&fx.in, &fx.out);
	check_verdict("boost in zoneinfo's min", &fx.out, "unknown", "would have served it", NULL);
}

struct oom_case {
	const char *constraint;
	const char *summary_has;
	const char *advice_has;
};

static const struct oom_case oom_cases[] = {
	{ "memcg", "because memory cgroup /box reached its limit of 512.0 MiB", "memory.max" },
	{ "global", "the machine ran out of memory (23.5 GiB RAM, no swap)", "add RAM or swap" },
	{ "cpuset", "its cpuset allows ran out", "cpuset.mems" },
	{ "mempolicy", "memory policy allows ran out", "numactl" },
	{ "sysrq", "on a manual request (sysrq-f)", "nothing to fix" },
	{ NULL, "is not known", "dmesg" },
};

static void test_oom_kill(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(oom_cases) / sizeof(oom_cases[0]); i++) {
		struct cause_oom o = {
			.constraint = oom_cases[i].constraint, .memcg = "/box",
			.memcg_info = &fx.memcg, .victim_pid = 77, .victim_comm = "hog",
			.victim_rss_kb = 500 * 1024, .order = 0, .mem_total_kb = 24683620,
			.swap_total_kb = 0, .swap_free_kb = 0,
		};

		fx_defaults(&fx);
		memcg_full(&fx);
		cause__oom_kill(&o, &fx.out);
		check_verdict(oom_cases[i].constraint ? oom_cases[i].constraint : "unknown",
			      &fx.out, "oom_kill", oom_cases[i].summary_has,
			      oom_cases[i].advice_has);
		assert_non_null(strstr(fx.out.summary, "pid 77 (hog, 500.0 MiB resident)"));
	}
}

static void test_oom_event(void **state)
{
	static struct af_oom_kill k;

	(void)state;
	fx_defaults(&fx);
	memset(&k, 0, sizeof(k));
	fx.ev.type = AF_EV_OOM_KILL;
	fx.ev.raw.oom = &k;
	fx.ev.oom_constraint = "memcg";
	fx.ev.memcg = "/box";
	k.victim_pid = 99;
	memcpy(k.victim_comm, "0123456789abcdef", AF_COMM_LEN); /* no NUL in the record */
	k.victim_anon_rss_kb = 1024;
	k.victim_file_rss_kb = 1024;
	memcg_full(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("oom event", &fx.out, "oom_kill",
		      "pid 99 (0123456789abcdef, 2.0 MiB resident) because memory cgroup /box",
		      NULL);
}

static void test_slab(void **state)
{
	struct cause_slab s = { .kmalloc = true, .bytes_req = 8 * MiB, .bytes_alloc = 8 * MiB };

	(void)state;
	fx_defaults(&fx);
	cause__slab(&s, &fx.out);
	check_verdict("kmalloc too large", &fx.out, "slab",
		      "kmalloc of 8.0 MiB is larger than the 4.0 MiB kmalloc can ever return",
		      "kvmalloc");

	s = (struct cause_slab){ .cache = "dentry", .bytes_req = 192, .bytes_alloc = 192 };
	cause__slab(&s, &fx.out);
	check_verdict("cache", &fx.out, "slab", "kmem_cache_alloc from dentry (192 B) failed",
		      "/proc/slabinfo");

	fx.deeper.code = "fragmentation";
	strcpy(fx.deeper.advice, "compact it");
	s.deeper = &fx.deeper;
	cause__slab(&s, &fx.out);
	check_verdict("cache over fragmentation", &fx.out, "slab", "(fragmentation)", "compact it");

	memcg_full(&fx);
	s = (struct cause_slab){ .kmalloc = true, .accounted = true, .bytes_req = 256,
				 .memcg = "/box", .memcg_info = &fx.memcg };
	cause__slab(&s, &fx.out);
	check_verdict("accounted in a full memcg", &fx.out, "memcg_limit",
		      "kmalloc of 256 B failed in memory cgroup /box", NULL);

	/* read after the process left its memcg: the charge failure below it still decides */
	fx.memcg.usage_bytes = 0;
	fx.deeper = (struct cause){ .code = "memcg_limit", .summary = "the cgroup was full",
				    .advice = "raise it", .nevidence = 1 };
	fx.deeper.evidence[0] = (struct cause_kv){ .key = "memcg_limit_bytes", .num = 512 * MiB };
	s.deeper = &fx.deeper;
	cause__slab(&s, &fx.out);
	check_verdict("accounted, over a charge failure", &fx.out, "memcg_limit",
		      "kmalloc of 256 B failed because its memory cgroup charge failed: the cgroup "
		      "was full", "raise it");
	s.accounted = false; /* not charged: its pages failed for the memcg's own reason */
	cause__slab(&s, &fx.out);
	check_verdict("not accounted, over a charge failure", &fx.out, "slab", "(memcg_limit)",
		      "raise it");
}

static void test_slab_event(void **state)
{
	static struct af_slab sl;

	(void)state;
	fx_defaults(&fx);
	memset(&sl, 0, sizeof(sl));
	fx.ev.type = AF_EV_SLAB;
	fx.ev.raw.slab = &sl;
	sl.flags = AF_SLAB_KMALLOC;
	sl.bytes_req = 16 * MiB;
	cause__explain(&fx.in, &fx.out);
	check_verdict("slab event", &fx.out, "slab", "KMALLOC_MAX_SIZE", NULL);
}

static void test_memcg_charge_event(void **state)
{
	static struct af_memcg_charge m;

	(void)state;
	fx_defaults(&fx);
	memset(&m, 0, sizeof(m));
	fx.ev.type = AF_EV_MEMCG_CHARGE;
	fx.ev.raw.memcg = &m;
	fx.ev.memcg = "/box";
	m.nr_pages = 2;
	memcg_full(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, memcg full", &fx.out, "memcg_limit",
		      "a charge of 8.0 KiB failed in memory cgroup /box", NULL);
	memcg_roomy(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, memcg with room", &fx.out, "memcg_limit", "an ancestor's limit",
		      NULL);
	fx.in.memcg = NULL;
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, memcg not read", &fx.out, "memcg_limit", "not readable", NULL);
}

/* The binding ancestor is what the verdict's evidence names: its path and numbers, the
 * charged memcg beside them; cgroupfs' counters (the child's) are left out. */
static void test_memcg_binding_evidence(void **state)
{
	static struct af_memcg_charge m;
	int64_t v;

	(void)state;
	fx_defaults(&fx);
	memcg_parent_binds(&fx);
	assert_true(cause__memcg(&fx.memcg, "/parent/child", 8 * KiB, "a charge", &fx.out));
	check_verdict("binding evidence", &fx.out, "memcg_limit",
		      "a charge failed in memory cgroup /parent/child (limited by its ancestor "
		      "/parent)", "memory.max of /parent");
	assert_string_equal(evidence_str(&fx.out, "memcg"), "/parent");
	assert_string_equal(evidence_str(&fx.out, "charged_memcg"), "/parent/child");
	assert_true(evidence_num(&fx.out, "memcg_level", &v) && v == 1);
	assert_true(evidence_num(&fx.out, "memcg_limit_bytes", &v) && v == (int64_t)(256 * MiB));
	assert_true(evidence_num(&fx.out, "memcg_usage_bytes", &v) &&
		    v == (int64_t)(256 * MiB - 64 * KiB));
	assert_true(evidence_num(&fx.out, "memcg_at_failure", &v) && v == 1);
	assert_false(evidence_num(&fx.out, "memcg_failcnt", &v));

	/* a failed charge reported by the kernel, its memcg unlimited, the parent full */
	memset(&m, 0, sizeof(m));
	fx.ev.type = AF_EV_MEMCG_CHARGE;
	fx.ev.raw.memcg = &m;
	fx.ev.memcg = "/parent/child";
	m.nr_pages = 1;
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, parent binds", &fx.out, "memcg_limit",
		      "(limited by its ancestor /parent): usage 255.9 MiB of its 256.0 MiB limit",
		      "memory.max of /parent");
	/* every level had room at the failure */
	memcg_parent_roomy(&fx);
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, room at the failure", &fx.out, "memcg_limit",
		      "at the failure it had room", NULL);
	assert_false(evidence_num(&fx.out, "memcg_levels_truncated", &v));
	/* v2: no memory+swap limit to suspect */
	assert_null(strstr(fx.out.summary, "memory+swap"));
	/* v1 whose memsw counters were not read: that limit is a suspect */
	fx.memcg.version = 1;
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, v1 room, memsw not read", &fx.out, "memcg_limit",
		      "the memory+swap limit (not read) or a usage that fell", NULL);
	/* v1, memsw read and with room: only a usage that fell is left */
	fx.memcg.memsw_read = true;
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, v1 room, memsw read", &fx.out, "memcg_limit",
		      "every ancestor read: a usage that fell at once after the failure", NULL);
	/* levels above the 8 read: the likely binder, said so */
	fx.memcg.truncated = true;
	cause__explain(&fx.in, &fx.out);
	check_verdict("charge, room in the 8 levels read", &fx.out, "memcg_limit",
		      "memory cgroup limits above 8 levels not read, one of those likely bound",
		      NULL);
	assert_true(evidence_num(&fx.out, "memcg_levels_truncated", &v) && v == 1);

	/* the binding counter is memsw: its evidence says so */
	memcg_memsw_parent(&fx);
	assert_true(cause__memcg(&fx.memcg, "/parent/child", 8 * KiB, "a charge", &fx.out));
	assert_true(evidence_num(&fx.out, "memcg_memsw", &v) && v == 1);
	assert_false(evidence_num(&fx.out, "memcg_levels_truncated", &v));
}

/* A memcg OOM kill whose memcg is unlimited (the tracepoint path names the trigger's own):
 * the full ancestor is the one named; a global one keeps the memcg as it is. */
static void test_oom_binding(void **state)
{
	struct cause_oom o = {
		.constraint = "memcg", .memcg = "/parent/child", .memcg_info = &fx.memcg,
		.victim_pid = 77, .victim_comm = "hog", .victim_rss_kb = 1024,
		.mem_total_kb = 24683620,
	};

	(void)state;
	fx_defaults(&fx);
	memcg_parent_binds(&fx);
	cause__oom_kill(&o, &fx.out);
	check_verdict("oom, parent binds", &fx.out, "oom_kill",
		      "because memory cgroup /parent/child (limited by its ancestor /parent) "
		      "reached its limit of 256.0 MiB",
		      "raise the limit of /parent");
	assert_string_equal(evidence_str(&fx.out, "memcg"), "/parent");
	memcg_memsw_parent(&fx);
	cause__oom_kill(&o, &fx.out);
	check_verdict("oom, parent's memsw binds", &fx.out, "oom_kill",
		      "reached its memory+swap limit of 256.0 MiB",
		      "memory.memsw.limit_in_bytes, then memory.limit_in_bytes");
	o.constraint = "global";
	cause__oom_kill(&o, &fx.out);
	check_verdict("oom, global", &fx.out, "oom_kill", "ran out of memory", NULL);
	assert_string_equal(evidence_str(&fx.out, "memcg"), "/parent/child");
}

static void test_other_event(void **state)
{
	static struct af_header h;

	(void)state;
	fx_defaults(&fx);
	fx.ev.type = AF_EV_MALLOC;
	fx.ev.raw.h = &h;
	assert_int_equal(cause__explain(&fx.in, &fx.out), 0);
	check_verdict("malloc event", &fx.out, "unknown", NULL, NULL);
}

/* Last: every code cause__explain can give came up in the tests above. */
static void test_every_code(void **state)
{
	unsigned int n;
	const char *const *codes = cause__codes(&n);

	(void)state;
	assert_string_equal(codes[n - 1], "unknown");
	assert_int_equal(n, CAUSE_NR_CODES);
	for (unsigned int i = 0; i < n; i++) {
		assert_string_equal(cause__code_name(i), codes[i]);
		assert_int_equal(cause__code_of(codes[i]), i);
	}
	assert_int_equal(cause__code_of("no_such_code"), CAUSE_UNKNOWN);
	assert_int_equal(cause__code_of(NULL), CAUSE_UNKNOWN);
	assert_string_equal(cause__code_name(CAUSE_NR_CODES), "unknown");
	for (unsigned int i = 0; i < n; i++) {
		bool found = false;

		for (unsigned int j = 0; j < nseen; j++)
			found |= !strcmp(seen[j], codes[i]);
		if (!found)
			fail_msg("no test produced %s", codes[i]);
	}
	for (unsigned int j = 0; j < nseen; j++) {
		bool listed = false;

		for (unsigned int i = 0; i < n; i++)
			listed |= !strcmp(seen[j], codes[i]);
		if (!listed)
			fail_msg("%s is not in cause__codes()", seen[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_table),
		cmocka_unit_test(test_request_bytes_agree),
		cmocka_unit_test(test_unknown_evidence),
		cmocka_unit_test(test_evidence_numbers),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_frag_index),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_page_alloc_event),
		cmocka_unit_test(test_page_alloc_frag_info),
		cmocka_unit_test(test_oom_kill),
		cmocka_unit_test(test_oom_event),
		cmocka_unit_test(test_slab),
		cmocka_unit_test(test_slab_event),
		cmocka_unit_test(test_memcg_charge_event),
		cmocka_unit_test(test_memcg_binding_evidence),
		cmocka_unit_test(test_oom_binding),
		cmocka_unit_test(test_other_event),
		cmocka_unit_test(test_every_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
