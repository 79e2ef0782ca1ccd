/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record file's layout (docs/record-format.md), shared by its writer (record_write.c) and its
 * reader (record_read.c), and by nothing else. Integers are little-endian and written field by
 * field, never as C structs with their padding and pointers; only the BPF payloads are the ABI's
 * own fixed-size structs, and of those only the declared bytes.
 */
#ifndef ALLOCFAIL_RECORD_FORMAT_H
#define ALLOCFAIL_RECORD_FORMAT_H

#include <stdint.h>
#include "event_type.h"

/* PNG's trick: a high byte and CR LF catch 7-bit and newline-translating transfers. */
static const uint8_t record_magic[8] __attribute__((unused)) = { 0x89, 'A', 'F', 'R', 'E', 'C', '\r', '\n' };
#define RECORD_BOM 0x01020304u /* written in the host's order: the payloads are native */
#define PREAMBLE_SIZE 16
#define CHUNK_HEAD 8 /* kind, body length */
#define CHUNK_TAIL 4 /* CRC32 */
#define CHUNK_MAX (64u << 20)
#define STR_MAX (64u << 10) /* longest string, its NUL excluded */
#define RECORD_MAX_BYTES (1ULL << 30) /* what a reader loads, at most */

#if defined(__x86_64__)
#define RECORD_MACHINE "x86_64"
#elif defined(__aarch64__)
#define RECORD_MACHINE "aarch64"
#else
#define RECORD_MACHINE "unknown"
#endif

enum chunk_kind {
	CHUNK_HEADER = 1,
	CHUNK_EVENT = 2,
	CHUNK_TRAILER = 3,
};

enum event_flags {
	EVF_KSTACK_TRUNCATED = 1 << 0,
	EVF_USTACK_TRUNCATED = 1 << 1,
	EVF_CAUSE = 1 << 2,
	EVF_MEMCG_INFO = 1 << 3,
	EVF_FRAG = 1 << 4,
	EVF_SITE = 1 << 5, /* an aggregated site's record or count update (format 4) */
	EVF_ALL = (1 << 6) - 1,
};

/*
 * The payload bytes a record may hold, per type (its descriptor, event_type.h): the fixed
 * struct, never what lies past it (a later ABI may append raw stack memory there), minus the
 * redact spans (none today: every field is an address, a number or a name). A raw memory copy
 * added inside a payload struct must get a span in its descriptor; the assert below stops the
 * build until whoever changes the header's layout has decided.
 */
_Static_assert(sizeof(struct af_header) == 104 + 56 + 2 * 8 * AF_MAX_STACK,
	       "payload layout changed: list any raw memory in its descriptor's redact spans");

/* The descriptor of a type whose records a file may hold, NULL if none. */
static inline const struct event_type_desc *payload_desc(unsigned int type)
{
	const struct event_type_desc *d = event_type__get(type);

	return d && d->size ? d : NULL;
}

#endif
