/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the event types' renderers (type_*.c) and the text and JSON sinks share. The JSON
 * helpers have short names and are static inline: include this in renderers only.
 */
#ifndef ALLOCFAIL_RENDER_H
#define ALLOCFAIL_RENDER_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "escape.h"

struct memcg_info;

/* s escaped into a buffer of n bytes that lives until the end of the enclosing statement */
#define ESC(s, n) escape__str((s), (char[n]){ 0 }, (n))

/* ISO 8601 UTC with microseconds, "2026-11-22T12:34:56.789012Z". */
void render__iso_time(const struct timespec *ts, char *buf, size_t len);

/* ---- text ---- */

/* GFP flags by name into buf; returns buf. */
const char *render__gfp_text(uint32_t gfp, char *buf, size_t len);
/* "    memcg state (v2): usage ... of limit ...": a memory cgroup's state, if read. */
void render__memcg_lines(FILE *out, const struct memcg_info *mi);

/* ---- JSON ---- */

/* GFP flags by name, a string. */
struct json_object *render__gfp_json(uint32_t gfp);

/* Adds v (NULL: JSON null) to o; an o that could not be allocated stays NULL (null). */
static inline void add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!o || json_object_object_add(o, key, v))
		json_object_put(v);
}

static inline struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* A NUL-padded char array of the ABI; null when empty. */
static inline struct json_object *fixed_str(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n ? json_object_new_string_len(s, n) : NULL;
}

static inline struct json_object *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* A number, or null for the "unknown" value (0 or -1, as the field documents). */
static inline struct json_object *u64_or_null(uint64_t v)
{
	return v ? json_object_new_uint64(v) : NULL;
}

static inline struct json_object *i64_known(int64_t v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

#endif
