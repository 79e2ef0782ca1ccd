/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the cause rules of every source share, private to user/cause*.c: filling a struct cause
 * (code, sentences, evidence), sizes in words, the memory cgroup view the memcg and OOM rules
 * both name, and each source's entry point, which cause__explain() picks by event type.
 */
#ifndef ALLOCFAIL_CAUSE_PRIV_H
#define ALLOCFAIL_CAUSE_PRIV_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cause.h"
#include "common.h"

/* GFP bits with the same value from 6.1 to 6.18 (include/linux/gfp_types.h) */
#define GFP_DIRECT_RECLAIM_ 0x400u
#define GFP_ACCOUNT_ 0x400000u

#define RLIM_INF (~0ULL)

/* ---- wording helpers ---- */

/* sizes in sentences (common__human_bytes()); evidence keeps exact numbers */
#define H(b) HUMAN_BYTES(b)

static inline void set(struct cause *c, enum cause_code code)
{
	memset(c, 0, sizeof(*c));
	c->code = cause__code_name(code);
	c->code_id = code;
}

static inline void __attribute__((format(printf, 2, 3)))
summary(struct cause *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->summary, sizeof(c->summary), fmt, ap);
	va_end(ap);
}

static inline void __attribute__((format(printf, 2, 3)))
advice(struct cause *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->advice, sizeof(c->advice), fmt, ap);
	va_end(ap);
}

static inline struct cause_kv *kv_add(struct cause *c, const char *key)
{
	struct cause_kv *kv;

	if (c->nevidence == CAUSE_MAX_EVIDENCE)
		return NULL;
	kv = &c->evidence[c->nevidence++];
	memset(kv, 0, sizeof(*kv));
	kv->key = key;
	return kv;
}

static inline void kv_num(struct cause *c, const char *key, int64_t v)
{
	struct cause_kv *kv = kv_add(c, key);

	if (kv)
		kv->num = v;
}

static inline void __attribute__((format(printf, 3, 4)))
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
static inline void kv_u64(struct cause *c, const char *key, uint64_t v)
{
	if (v == RLIM_INF)
		kv_num(c, key, -1);
	else if (v > INT64_MAX)
		kv_str(c, key, "0x%llx", (unsigned long long)v);
	else
		kv_num(c, key, (int64_t)v);
}


/* The memcg path of an event: the memory cgroup BPF saw, else its cgroup. */
static inline const char *event_memcg_path(const struct event *ev)
{
	return ev->memcg ? ev->memcg : ev->cgroup;
}

/* The memcg a verdict is about: with BPF's snapshot the binding level (an ancestor's limit is
 * the one a charge runs into when it has less headroom), else the memcg as read. */
struct memcg_view {
	const char *path; /* NULL: unknown */
	int64_t limit, usage; /* -1: unlimited / unknown */
	int level; /* 0: the event's memcg, n: its n-th ancestor */
	bool memsw; /* v1's memory+swap limit (memory.memsw.limit_in_bytes), not the memory one */
};

/* cause_memcg.c: the view of mi (false when mi is not valid); "memory+swap " or ""; "memory
 * cgroup /a/b (limited by its ancestor /a)"; the view as evidence. */
bool cause_memcg_view(const struct memcg_info *mi, const char *path, struct memcg_view *v);
const char *cause_memcg_kind(const struct memcg_view *v);
const char *cause_memcg_names(const struct memcg_view *v, const char *path, char *buf,
			      size_t len);
void cause_kv_memcg_view(struct cause *out, const struct memcg_info *mi,
			 const struct memcg_view *v, const char *path);

#endif
