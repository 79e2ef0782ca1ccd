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
#include "bpf/allocfail.h"

struct frame {
	uint64_t addr;
	const char *sym;  /* NULL if unknown */
	uint64_t off;	  /* addr - symbol start */
	const char *obj;  /* object path, "[kernel]" or a module name; NULL if unknown */
	const char *file; /* source file, NULL without debug info */
	int line;	  /* 0 without debug info */
	bool inlined;	  /* an inline frame expanded from the next outer physical frame */
};

/* How a user stack was unwound (JSON ustack_unwind). */
enum stack_unwind {
	STACK_UNWIND_NONE,  /* not captured (--ustack=none, kernel thread), or not said */
	STACK_UNWIND_FP,    /* frame pointers, walked by BPF */
	STACK_UNWIND_DWARF, /* CFI, over the registers and stack bytes BPF copied */
};

/* Why a user stack's frames stop where they do (JSON ustack_end). */
enum stack_end {
	STACK_END_UNKNOWN,	  /* not said (kernel stacks) */
	STACK_END_COMPLETE,	  /* the outermost frame: its CFI says it has no caller */
	STACK_END_UNKNOWN_REGION, /* the last frame is in no module: JIT or anonymous code */
	STACK_END_COPY_EXHAUSTED, /* the next frame lies beyond the copied bytes (--ustack-size) */
	STACK_END_UNWIND_ERROR,	  /* no or unusable CFI for the last frame */
	STACK_END_MAX_DEPTH,	  /* AF_MAX_STACK frames, the most captured */
	STACK_END_FP_CHAIN,	  /* the frame-pointer chain ended: complete only if every frame
				   * keeps a frame pointer */
};

struct stack {
	unsigned int n;
	struct frame frames[2 * AF_MAX_STACK]; /* innermost first; room for inline expansion */
	bool truncated; /* capture hit its limit or an error: frames above are missing */
	enum stack_unwind unwind;
	enum stack_end end;
};

struct cause;	   /* user/explain/cause.h */
struct memcg_info; /* user/enrich/procinfo.h */
struct frag_info;  /* user/enrich/frag.h */

struct event {
	enum af_event_type type;
	uint64_t ts_ns;		/* CLOCK_BOOTTIME */
	struct timespec wall;	/* CLOCK_REALTIME at ts_ns */
	uint32_t pid, tid, uid;
	char comm[AF_COMM_LEN + 1];
	uint64_t cgroup_id;
	const char *cgroup; /* path relative to the hierarchy's root, "/" for the root; NULL if unknown */
	uint64_t count;	    /* 1 unless aggregated */
	uint32_t site;	    /* its site (in-kernel aggregation, docs/events.md); 0: none */
	bool site_update;   /* count more failures of the site, not a record of its own */
	bool site_detail;   /* an update's fields come from the site's record (else minimal) */
	uint64_t site_total; /* the site's failures so far, this line included */
	uint64_t bytes;	    /* bytes the failed request asked for, 0 if unknown (all counts) */
	uint64_t id;	    /* unique in the session */
	uint64_t chain_id;  /* shared by the events of one syscall/fault; 0: none */
	uint64_t caused_by; /* id of the deeper event this one follows; 0: none */
	uint32_t cause_site; /* the site of the failure below it in its chain; 0: none */
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

/* Stable names used in JSON "type" and in the text output (the type's descriptor, event_type.h);
 * "unknown" for a type without one. */
const char *event_type__name(enum af_event_type type);
/* "dwarf", "fp"; NULL for STACK_UNWIND_NONE or a value out of range. */
const char *stack_unwind__name(enum stack_unwind u);
/* "complete", "unknown_region", ...; NULL for STACK_END_UNKNOWN or a value out of range. */
const char *stack_end__name(enum stack_end e);

#endif
