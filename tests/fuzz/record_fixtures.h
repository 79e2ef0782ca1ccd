/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events for the record tests and the fuzzer's seed corpus: one of each type, every part a sink
 * prints filled in (stacks with inline frames and unknown symbols, causes with both kinds of
 * evidence, enrichment strings, memcg state, fragmentation), plus a bare one with nothing but
 * its identity. Also the CRC repair that lets a test or the fuzzer reach the parser behind the
 * checksums (docs/record-format.md). Frames, stacks and causes are built as the unit tests build
 * theirs (tests/unit/fixtures_events.h).
 */
#ifndef ALLOCFAIL_RECORD_FIXTURES_H
#define ALLOCFAIL_RECORD_FIXTURES_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "tests/unit/fixtures_events.h"
#include "cause.h"
#include "diagnosis.h"
#include "frag.h"
#include "record.h"

#define FIXTURE_EVENTS 6

struct record_fixture {
	struct af_syscall sc;
	struct af_page_alloc pa;
	struct af_slab slab;
	struct af_oom_kill oom;
	struct af_memcg_charge mc;
	struct af_syscall bare;
	struct cause cause[FIXTURE_EVENTS];
	struct memcg_info memcg;
	struct frag_info frag;
	struct event ev[FIXTURE_EVENTS];
	struct summary sum;
	struct diag_settings settings; /* as a diagnosis read them at the end */
};

static inline void fixture__stacks(struct event *ev, unsigned int seed)
{
	fixture__mmap_stacks(ev, "__alloc_pages_noprof", 0x2f1, "/srv/prog", seed);
	ev->ustack.truncated = seed & 1;
	ev->kstack.truncated = seed & 2;
	/* every way a user stack ends, and both unwinders */
	ev->ustack.unwind = seed & 1 ? STACK_UNWIND_DWARF : STACK_UNWIND_FP;
	ev->ustack.end = (enum stack_end)(seed % (STACK_END_FP_CHAIN + 1));
}

static inline void fixture__cause(struct cause *c, const char *code, unsigned int seed)
{
	char summary[64], advice[64];

	snprintf(summary, sizeof(summary), "%s: the request of %u bytes failed", code, seed);
	snprintf(advice, sizeof(advice), "raise the limit (case %u)", seed);
	set_cause(c, code, summary, advice);
	kv_num(c, "limit_bytes", 1LL << 30);
	kv_str(c, "limit_name", "RLIMIT_AS");
	kv_num(c, "delta", -(int64_t)seed);
}

/* The common part: identity in the event and in its ABI header alike, as decode leaves them. */
static inline void fixture__event(struct event *ev, struct af_header *h, enum af_event_type type,
				  uint32_t size, unsigned int seed)
{
	h->type = type;
	h->version = AF_ABI_VERSION;
	h->size = size;
	h->ts_ns = 1000000000ULL * seed + 123;
	h->pid = 1000 + seed;
	h->tid = 2000 + seed;
	h->uid = seed;
	h->cgroup_id = 4242;
	h->memcg_id = 77;
	snprintf(h->comm, sizeof(h->comm), "prog%u", seed);
	h->id = seed;
	h->chain_id = seed > 1 ? 1 : 0;
	h->caused_by = seed > 1 ? seed - 1 : 0;
	h->kstack[0] = 0xffffffff81234567ULL;
	h->kstack_len = 1;
	ev->type = type;
	ev->ts_ns = h->ts_ns;
	ev->wall = (struct timespec){ FIXTURE_WALL_SEC + seed, FIXTURE_WALL_NSEC };
	ev->pid = h->pid;
	ev->tid = h->tid;
	ev->uid = h->uid;
	memcpy(ev->comm, h->comm, AF_COMM_LEN);
	ev->cgroup_id = h->cgroup_id;
	ev->cgroup = "/system.slice/app.service";
	ev->count = seed;
	ev->bytes = 4096ULL * seed;
	ev->id = h->id;
	ev->chain_id = h->chain_id;
	ev->caused_by = h->caused_by;
	ev->raw.h = h;
	fixture__stacks(ev, seed);
}

static inline void fixture__syscall(struct record_fixture *f, struct event *ev)
{
	static const uint64_t args[6] = FIXTURE_MMAP_1T_ARGS;

	fixture__event(ev, &f->sc.h, AF_EV_SYSCALL, sizeof(f->sc), 1);
	f->sc.nr = 9;
	f->sc.ret = -12;
	memcpy(f->sc.args, args, sizeof(args));
	f->sc.mm.total_vm = 12345;
	f->sc.mm.rlim_as_cur = 1ULL << 30;
	f->sc.mm.rlim_as_max = ~0ULL;
	f->sc.mm.flags = AF_MM_PRESENT;
	fixture__cause(&f->cause[0], "rlimit_as", 1);
	ev->cause = &f->cause[0];
	ev->memcg_info = &f->memcg;
	/* the longest summary a cause holds */
	memset(f->cause[0].summary, 's', sizeof(f->cause[0].summary) - 1);
}

static inline void fixture__page_alloc(struct record_fixture *f, struct event *ev)
{
	fixture__event(ev, &f->pa.h, AF_EV_PAGE_ALLOC, sizeof(f->pa), 2);
	f->pa.order = 10;
	f->pa.gfp = 0xcc0;
	f->pa.migratetype = 1;
	f->pa.flags = AF_PA_RECLAIM_SEEN | AF_PA_COMPACT_SEEN;
	f->pa.compact_result = 4;
	f->pa.nr_reclaimed = 32;
	snprintf(f->pa.zone.name, sizeof(f->pa.zone.name), "Normal");
	f->pa.zone.flags = AF_ZONE_VALID;
	f->frag = (struct frag_info){
		.present = true, .snapshot = "at_failure", .zone = "Normal", .node = 0,
		.free_blocks = { 100, 50, 25, 12, 6, 3, 1, 0, 0, 0, 0 }, .free_pages = 400,
		.wmark_min = 10, .wmark_low = 20, .wmark_high = 30, .wmark_boost = 1,
		.fragindex = 980, .unusable_index = 1000, .have_reclaim = true,
		.reclaimable = 5, .available = 405, .nr_reclaimed = 32, .no_progress_loops = 2,
		.have_compaction = true, .compact_result = 4, .compact_priority = 1,
		.compact_retries = 3,
	};
	fixture__cause(&f->cause[1], "fragmentation", 2);
	ev->cause = &f->cause[1];
	ev->frag = &f->frag;
}

static inline void fixture__slab(struct record_fixture *f, struct event *ev)
{
	fixture__event(ev, &f->slab.h, AF_EV_SLAB, sizeof(f->slab), 3);
	f->slab.call_site = 0xffffffff81555555ULL;
	f->slab.bytes_req = 1 << 22;
	f->slab.bytes_alloc = 0;
	f->slab.gfp = 0x400cc0;
	f->slab.node = -1;
	f->slab.flags = AF_SLAB_KMALLOC | AF_SLAB_ACCOUNTED;
	fixture__cause(&f->cause[2], "slab", 3);
	ev->cause = &f->cause[2];
	/* a comm of the full 16 bytes */
	memcpy(ev->comm, "0123456789abcdef", AF_COMM_LEN);
}

static inline void fixture__oom_kill(struct record_fixture *f, struct event *ev)
{
	fixture__event(ev, &f->oom.h, AF_EV_OOM_KILL, sizeof(f->oom), 4);
	f->oom.victim_pid = 4321;
	f->oom.victim_uid = 1000;
	snprintf(f->oom.victim_comm, sizeof(f->oom.victim_comm), "hog");
	f->oom.victim_total_vm_kb = 1 << 20;
	f->oom.victim_anon_rss_kb = 1 << 19;
	f->oom.victim_memcg_id = 77;
	f->oom.victim_oom_score_adj = -17;
	f->oom.constraint = AF_OOM_MEMCG;
	f->oom.order = 0;
	f->oom.flags = AF_OOM_FROM_FENTRY | AF_OOM_VICTIM_TASK;
	fixture__cause(&f->cause[3], "oom_kill", 4);
	ev->cause = &f->cause[3];
	ev->memcg = "/test/hog";
	ev->victim_cgroup = "/test/hog";
	ev->oom_constraint = "memcg";
	ev->memcg_info = &f->memcg;
}

static inline void fixture__memcg_charge(struct record_fixture *f, struct event *ev)
{
	fixture__event(ev, &f->mc.h, AF_EV_MEMCG_CHARGE, sizeof(f->mc), 5);
	f->mc.memcg_id = 77;
	f->mc.nr_pages = 512;
	f->mc.nr_reclaimed = 3;
	f->mc.ret = -12;
	f->mc.gfp = 0xcc0;
	f->mc.flags = AF_MEMCG_INFERRED;
	fixture__cause(&f->cause[4], "memcg_limit", 5);
	ev->cause = &f->cause[4];
	ev->memcg = "/test/hog";
	ev->memcg_info = &f->memcg;
}

/* Identity only: no cause, no enrichment, NULL strings, empty stacks, no chain. */
static inline void fixture__bare(struct record_fixture *f, struct event *ev)
{
	fixture__event(ev, &f->bare.h, AF_EV_SYSCALL, sizeof(f->bare), 6);
	f->bare.nr = 12; /* brk */
	f->bare.flags = AF_SC_BRK_SILENT;
	ev->cgroup = NULL;
	ev->kstack.n = ev->ustack.n = 0;
	ev->ustack.unwind = STACK_UNWIND_NONE;
	ev->ustack.end = STACK_END_UNKNOWN;
	ev->chain_id = ev->caused_by = 0;
	ev->bytes = 0;
	ev->comm[0] = '\0';
}

/* Every setting known but two, two huge page sizes, two memory cgroups (one unreadable). */
static inline void fixture__settings(struct diag_settings *s, const struct memcg_info *mi)
{
	s->valid = true;
	s->sys = (struct sysinfo){
		.page_size = 4096, .overcommit_memory = 2, .overcommit_ratio = 50,
		.overcommit_kbytes = 0, .admin_reserve_kbytes = 8192, .user_reserve_kbytes = 131072,
		.max_map_count = 123456, .mem_total_kb = 24683620, .mem_free_kb = 20000000,
		.mem_available_kb = 22000000, .swap_total_kb = 0, .swap_free_kb = 0,
		.commit_limit_kb = 12341810, .committed_as_kb = 3000000, .hugepages_total = 4,
		.hugepages_free = 2, .hugepages_rsvd = -1, .hugepage_size_kb = 2048,
		.mmap_min_addr = 65536, .ignore_rlimit_data = -1, .nhstates = 2,
		.hstates = { { 2048, 4, 2, 1, 0, 0 }, { 1048576, 0, 0, 0, 0, -1 } },
	};
	s->version = 1;
	snprintf(s->mount, sizeof(s->mount), "/sys/fs/cgroup/memory");
	s->nmemcgs = 2;
	s->memcgs[0].path = "/test/hog";
	s->memcgs[0].now = *mi;
	s->memcgs[0].now.usage_bytes = 1 << 20;
	s->memcgs[1].path = "/system.slice/app.service";
}

static inline void record_fixture__init(struct record_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->memcg = (struct memcg_info){
		.valid = true, .version = 1, .limit_bytes = 64 << 20, .usage_bytes = 63 << 20,
		.failcnt = 9, .oom_events = 1, .oom_kill = 2, .oom_kill_disable = 0,
		.at_failure = true, .bind_level = 1, .bind_path = "/system.slice",
		.bind_limit_bytes = 64 << 20, .bind_usage_bytes = 64 << 20, .bind_memsw = true,
		.memsw_read = true, .truncated = true,
	};
	fixture__syscall(f, &f->ev[0]);
	fixture__page_alloc(f, &f->ev[1]);
	fixture__slab(f, &f->ev[2]);
	fixture__oom_kill(f, &f->ev[3]);
	fixture__memcg_charge(f, &f->ev[4]);
	fixture__bare(f, &f->ev[5]);
	/* the memcg charge is a site's count update, the slab a site's own record */
	f->ev[4].site = 7;
	f->ev[4].site_update = true;
	f->ev[4].site_detail = true;
	f->ev[4].site_total = 4000000000ULL;
	f->ev[2].site = 8;
	f->ev[2].site_total = 1;
	/* ... above a page allocation counted in site 9 */
	f->slab.h.cause_site = 9;
	f->ev[2].cause_site = 9;
	f->sum.sites = 2;
	f->sum.aggregated = 1;
	f->sum.sites_full = 5;
	f->sum.detail_lost = 6;
	f->sum.skipped_by_type[AF_EV_SYSCALL] = 11;
	f->sum.skipped_by_type[AF_EV_PAGE_ALLOC] = 1;
	f->sum.skipped = 12;
	f->sum.skipped_other = 13;
	f->sum.events = 21;
	f->sum.by_type[AF_EV_SYSCALL] = 7;
	f->sum.by_type[AF_EV_PAGE_ALLOC] = 2;
	f->sum.by_type[AF_EV_SLAB] = 3;
	f->sum.by_type[AF_EV_OOM_KILL] = 4;
	f->sum.by_type[AF_EV_MEMCG_CHARGE] = 5;
	f->sum.lost = 3;
	f->sum.lost_by_type[AF_EV_PAGE_ALLOC] = 3;
	f->sum.duration_ns = 2500000000ULL;
	f->sum.nprocs = 2;
	f->sum.procs[0] = (typeof(f->sum.procs[0])){ .pid = 1001, .comm = "prog1", .events = 15 };
	f->sum.procs[1] = (typeof(f->sum.procs[0])){ .pid = 1003, .comm = "", .events = 6 };
	f->sum.procs_other = 0;
	fixture__settings(&f->settings, &f->memcg);
}

/* The first n fixture events and the summary through the sink s (NULL: -ENOMEM), which is
 * freed. 0 or -errno. */
static inline int record_fixture__through(const struct record_fixture *f, unsigned int n,
					  struct sink *s, const struct diag_settings *settings)
{
	int err = s ? 0 : -ENOMEM;

	for (unsigned int i = 0; !err && i < n && i < FIXTURE_EVENTS; i++)
		err = sink__event(s, &f->ev[i]);
	if (!err)
		err = sink__end(s, &f->sum, settings);
	sink__free(s);
	return err;
}

/* The first n fixture events and the summary through a record sink into out. 0 or -errno. */
static inline int record_fixture__write(const struct record_fixture *f, unsigned int n, FILE *out)
{
	return record_fixture__through(f, n, sink_record__new(out), &f->settings);
}

static inline uint32_t fixture__le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Recompute the CRC chain of a record image in place (preamble of 16 bytes, then chunks of kind,
 * length, body, CRC32 chained on the previous CRC), up to the first chunk that runs past the end.
 */
static inline void record_fixture__fix_crcs(uint8_t *buf, size_t size)
{
	size_t pos = 16;
	uint32_t crc;

	if (size < pos)
		return;
	crc = crc32(0, buf, pos);
	while (size - pos >= 12) {
		uint32_t len = fixture__le32(buf + pos + 4);

		if (len > size - pos - 12)
			return;
		crc = crc32(crc, buf + pos, 8 + len);
		for (int i = 0; i < 4; i++)
			buf[pos + 8 + len + i] = crc >> (8 * i);
		pos += 12 + len;
	}
}

#endif
