/* SPDX-License-Identifier: GPL-2.0 */
/* An ABI record (bpf/allocfail.h) into a struct event, checked against its declared size. */
#ifndef ALLOCFAIL_DECODE_H
#define ALLOCFAIL_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"

/* Fills ev's identity, time and raw payload pointer (stacks are left empty: symbolizing is
 * the next step). wall_offset_ns = CLOCK_REALTIME - CLOCK_BOOTTIME. Returns 0, or -EINVAL
 * (a record too short, of unknown type or version, or whose size disagrees with its type and
 * user stack tail)
 * with one line in why. data must stay valid while ev is used. */
int decode__record(const void *data, size_t size, int64_t wall_offset_ns, struct event *ev,
		   char *why, size_t len);

/* The user registers and stack bytes after the payload of a record decode__record() accepted,
 * or NULL if it has none. Only for unwinding: these bytes never reach a sink. */
const struct af_utail *decode__utail(const struct af_header *h);

/* The fixed size of a record of this type (header and payload, no tail; its descriptor's size),
 * 0 if unknown. */
uint32_t decode__payload_size(unsigned int type);

/* Room for any record's fixed part, aligned for each: a new payload adds its member. */
union af_any_record {
	struct af_header h;
	struct af_syscall sc;
	struct af_page_alloc pa;
	struct af_slab slab;
	struct af_oom_kill oom;
	struct af_memcg_charge memcg;
};

/* ev's time: ts_ns (CLOCK_BOOTTIME) and the wall-clock time it was, given wall_offset_ns. */
void decode__set_time(struct event *ev, uint64_t ts_ns, int64_t wall_offset_ns);

/* CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns. */
int64_t decode__wall_offset_ns(void);

#endif
