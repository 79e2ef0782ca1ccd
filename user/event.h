/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decoded event every enrich step and sink works on. Strings are borrowed: they belong to
 * the symbolizer's / cgroup resolver's caches and stay valid until those are freed.
 */
#ifndef ALLOCFAIL_EVENT_H
#define ALLOCFAIL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>
#include "../bpf/allocfail.h"

struct frame {
	uint64_t addr;
	const char *sym;  /* NULL if unknown */
	uint64_t off;	  /* addr - symbol start */
	const char *obj;  /* object path, "[kernel]" or a module name; NULL if unknown */
	const char *file; /* source file, NULL without debug info */
	int line;	  /* 0 without debug info */
	bool inlined;	  /* an inline frame expanded from the next outer physical frame */
};

struct stack {
	unsigned int n;
	struct frame frames[2 * AF_MAX_STACK]; /* innermost first; room for inline expansion */
	bool truncated; /* capture hit its limit or an error: frames above are missing */
};

struct cause;	   /* user/cause.h */
struct memcg_info; /* user/cause.h */
struct frag_info;  /* user/frag.h */

struct event {
	enum af_event_type type;
	uint64_t ts_ns;		/* CLOCK_BOOTTIME */
	struct timespec wall;	/* CLOCK_REALTIME at ts_ns */
	uint32_t pid, tid, uid;
	char comm[AF_COMM_LEN + 1];
	uint64_t cgroup_id;
	const char *cgroup; /* path relative to the hierarchy's root, "/" for the root; NULL if unknown */
	uint64_t count;	    /* 1 unless aggregated */
	uint64_t bytes;	    /* bytes the failed request asked for, 0 if unknown (all counts) */
	uint64_t id;	    /* unique in the session */
	uint64_t chain_id;  /* shared by the events of one syscall/fault; 0: none */
	uint64_t caused_by; /* id of the deeper event this one follows; 0: none */
	struct stack kstack;
	struct stack ustack;
	const struct cause *cause; /* NULL until the cause step ran */
	/* the raw record by type, valid during dispatch */
	union {
		const struct af_header *h;
		const struct af_syscall *sc;	   /* AF_EV_SYSCALL */
		const struct af_page_alloc *pa;	   /* AF_EV_PAGE_ALLOC */
		const struct af_slab *slab;	   /* AF_EV_SLAB */
		const struct af_oom_kill *oom;	   /* AF_EV_OOM_KILL */
		const struct af_memcg_charge *memcg; /* AF_EV_MEMCG_CHARGE */
	} raw;
	const char *memcg;	/* memcg_charge / oom_kill: path of the memcg concerned, or NULL */
	const char *victim_cgroup; /* oom_kill: the victim's memory cgroup path, or NULL */
	const char *oom_constraint; /* oom_kill: "memcg", "global", "cpuset", "mempolicy", "sysrq" */
	const struct memcg_info *memcg_info; /* state of the memcg concerned, read at arrival */
	const struct frag_info *frag;	     /* page_alloc: the zone's fragmentation */
};

/* Stable names used in JSON "type" and in the text output. */
const char *event_type__name(enum af_event_type type);

#endif
