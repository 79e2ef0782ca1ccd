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

/* CLOCK_REALTIME - CLOCK_BOOTTIME now, in ns. */
int64_t decode__wall_offset_ns(void);

#endif
