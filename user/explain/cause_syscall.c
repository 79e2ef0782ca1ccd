// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall rules. Each rule mirrors one kernel check and says which; the tables list them per
 * syscall in the order the kernel runs those checks, so when two limits are both exceeded the
 * verdict names the one the kernel hit first. Exact checks come first in that order; the
 * inference from a memory cgroup's state next (a memcg at its limit fails nothing by itself:
 * reclaim and its OOM killer usually make room); verdicts by elimination (mremap_in_place,
 * mlock_holes, unmapped_range, a gap too small) last. Nothing matches: "unknown" with the raw
 * evidence.
 */
#include "cause_syscall.h"

#define U32_TASK_SIZE (1ULL << 32) /* a task_size at or below this is a 32-bit process */

static uint64_t kib_up(uint64_t bytes)
{
	return bytes / 1024 + !!(bytes % 1024);
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
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
	set(out, CAUSE_ADDRESS_SPACE);
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
		set(out, CAUSE_ADDRESS_SPACE);
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
	set(out, CAUSE_ADDRESS_SPACE);
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
	set(out, CAUSE_ADDRESS_SPACE);
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
	set(out, CAUSE_ADDRESS_SPACE);
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
	set(out, CAUSE_MAX_MAP_COUNT);
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
	set(out, CAUSE_RLIMIT_AS);
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
	set(out, CAUSE_RLIMIT_DATA);
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
	set(out, CAUSE_RLIMIT_DATA);
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
	set(out, CAUSE_OVERCOMMIT_STRICT);
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
	set(out, CAUSE_OVERCOMMIT_HEURISTIC);
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
	set(out, CAUSE_HUGETLB_POOL);
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
	set(out, cause__code_of(d->code));
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
	if (!c->r.size || (c->r.flags & (MREMAP_MAYMOVE_ | MREMAP_FIXED_ | AF_MREMAP_DONTUNMAP)))
		return false;
	set(out, CAUSE_MREMAP_IN_PLACE);
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
	set(out, CAUSE_RLIMIT_MEMLOCK);
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
	set(out, CAUSE_RLIMIT_MEMLOCK);
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
	set(out, CAUSE_MLOCK_HOLES);
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
	set(out, CAUSE_UNMAPPED_RANGE);
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
	set(out, CAUSE_PIDNS_DEAD);
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
		if (c->r.flags & (MREMAP_FIXED_ | AF_MREMAP_DONTUNMAP))
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

	set(out, CAUSE_UNKNOWN);
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

void cause__explain_syscall(const struct cause_input *in, struct cause *out)
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
		sysinfo__unknown(&none); /* the caller read no settings */
		c.sys = &none;
	}
	c.page = c.sys->page_size > 0 ? (uint64_t)c.sys->page_size : 4096;
	while ((1ULL << c.shift) < c.page)
		c.shift++;
	c.cap_ipc_lock = (f & AF_MM_CAP_IPC_LOCK) && (f & AF_MM_INIT_USER_NS);
	c.cap_sys_admin = (f & AF_MM_CAP_SYS_ADMIN) && (f & AF_MM_INIT_USER_NS);
	cause_sc_decode(&c);
	for (const rule_fn *r = rules_for(&c); *r; r++)
		if ((*r)(&c, out))
			return;
	syscall_unknown(&c, out);
}
