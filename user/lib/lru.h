/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded cache of fixed-size entries found by key (a byte string), least recently used
 * evicted first: a hash table and a recency list. The cache allocates each entry (zeroed) and
 * frees it; an entry keeps its address until it is removed or evicted, so the owner may hold
 * pointers to it across calls that insert nothing into this cache. Not thread-safe; separate
 * caches share no state.
 */
#ifndef ALLOCFAIL_LRU_H
#define ALLOCFAIL_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lru;

/* Called for each entry the cache lets go, once it is out of the cache (lru__count no longer
 * counts it) and before its memory is freed, to release what it holds. evicted: the bounds
 * pushed it out (lru__insert, lru__set_limits), not lru__remove, lru__clear or lru__free.
 * It must not call back into this cache. */
typedef void lru_drop_fn(void *ctx, void *entry, bool evicted);

/* Entries of entry_size bytes, keys spread over buckets chains, no bound until
 * lru__set_limits. drop may be NULL. NULL if out of memory. */
struct lru *lru__new(size_t entry_size, unsigned int buckets, lru_drop_fn *drop, void *ctx);
void lru__free(struct lru *l); /* drops every entry; NULL-safe */

/* At most max_count entries (0 taken as 1) whose weights (lru__insert's bytes) sum to at most
 * max_bytes (UINT64_MAX: no budget), the least recently used evicted now beyond them. The most
 * recent entry stays whatever its weight. */
void lru__set_limits(struct lru *l, unsigned int max_count, uint64_t max_bytes);

/* The entry inserted last under key, or NULL. Its recency is left as it was. */
void *lru__find(struct lru *l, const void *key, size_t len);

/* Make entry the most recently used. */
void lru__touch(struct lru *l, void *entry);

/*
 * A new zeroed entry under key (a copy is kept), the most recently used, weighing bytes. The
 * least recently used go first until one more entry is within max_count and, if bytes is not 0,
 * bytes more fit in max_bytes (an entry heavier than the whole budget then stays alone); one of
 * no weight leaves a lone entry over the budget where it is. Any entry of this cache may be
 * evicted: pointers held to them are void after this call. NULL if out of memory (nothing is
 * evicted then).
 */
void *lru__insert(struct lru *l, const void *key, size_t len, uint64_t bytes);

/* Drop entry (not counted as evicted) and free it. */
void lru__remove(struct lru *l, void *entry);

/* Drop every entry, the least recently used first. */
void lru__clear(struct lru *l);

/* Entries held, and their weights' sum. */
unsigned int lru__count(const struct lru *l);
uint64_t lru__bytes(const struct lru *l);

#endif
