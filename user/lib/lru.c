// SPDX-License-Identifier: GPL-2.0
/*
 * The cache: one allocation per entry, a header (chain, recency links, key's hash, weight)
 * before the owner's entry and the key's copy after it. Chains are singly linked, newest first.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "lru.h"

struct lru_node {
	struct lru_node *hnext;
	struct lru_node *prev, *next; /* most recently used first */
	uint64_t hash, bytes;
	size_t keylen;
	max_align_t entry[]; /* entry_size bytes, then the key */
};

struct lru {
	struct lru_node **buckets;
	unsigned int nbuckets;
	struct lru_node *head, *tail;
	unsigned int count, max_count;
	uint64_t bytes, max_bytes;
	size_t entry_size;
	lru_drop_fn *drop;
	void *ctx;
};

/* FNV-1a: short keys (pids, build-ids), no adversary. */
static uint64_t hash_key(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct lru_node *node_of(void *entry)
{
	return (struct lru_node *)((char *)entry - offsetof(struct lru_node, entry));
}

static const void *node_key(const struct lru *l, const struct lru_node *n)
{
	return (const char *)n->entry + l->entry_size;
}

static struct lru_node **bucket(struct lru *l, uint64_t hash)
{
	return &l->buckets[hash % l->nbuckets];
}

static void list_unlink(struct lru *l, struct lru_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = NULL;
}

static void list_front(struct lru *l, struct lru_node *n)
{
	n->prev = NULL;
	n->next = l->head;
	if (l->head)
		l->head->prev = n;
	else
		l->tail = n;
	l->head = n;
}

static void node_drop(struct lru *l, struct lru_node *n, bool evicted)
{
	struct lru_node **pp;

	for (pp = bucket(l, n->hash); *pp != n; pp = &(*pp)->hnext)
		;
	*pp = n->hnext;
	list_unlink(l, n);
	l->count--;
	l->bytes -= n->bytes;
	if (l->drop)
		l->drop(l->ctx, n->entry, evicted);
	free(n);
}

/* Does room more bytes fit? (bytes may be over the budget already: a lone heavy entry) */
static bool fits(const struct lru *l, uint64_t room)
{
	return l->bytes <= l->max_bytes && room <= l->max_bytes - l->bytes;
}

/* Evict the least recently used until at most max are held and room more bytes fit; the most
 * recent stays for the budget unless room is wanted for a new entry of some weight. */
static void evict_to(struct lru *l, unsigned int max, uint64_t room)
{
	unsigned int keep = room ? 0 : 1;

	while (l->tail && (l->count > max || (l->count > keep && !fits(l, room))))
		node_drop(l, l->tail, true);
}

struct lru *lru__new(size_t entry_size, unsigned int buckets, lru_drop_fn *drop, void *ctx)
{
	struct lru *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->nbuckets = buckets ? buckets : 1;
	l->buckets = calloc(l->nbuckets, sizeof(*l->buckets));
	if (!l->buckets) {
		free(l);
		return NULL;
	}
	l->entry_size = entry_size;
	l->max_count = UINT_MAX;
	l->max_bytes = UINT64_MAX;
	l->drop = drop;
	l->ctx = ctx;
	return l;
}

void lru__free(struct lru *l)
{
	if (!l)
		return;
	lru__clear(l);
	free(l->buckets);
	free(l);
}

void lru__set_limits(struct lru *l, unsigned int max_count, uint64_t max_bytes)
{
	l->max_count = max_count ? max_count : 1;
	l->max_bytes = max_bytes;
	evict_to(l, l->max_count, 0);
}

void *lru__find(struct lru *l, const void *key, size_t len)
{
	uint64_t hash = hash_key(key, len);
	struct lru_node *n;

	for (n = *bucket(l, hash); n; n = n->hnext)
		if (n->hash == hash && n->keylen == len && !memcmp(node_key(l, n), key, len))
			return n->entry;
	return NULL;
}

void lru__touch(struct lru *l, void *entry)
{
	struct lru_node *n = node_of(entry);

	list_unlink(l, n);
	list_front(l, n);
}

void *lru__insert(struct lru *l, const void *key, size_t len, uint64_t bytes)
{
	struct lru_node *n = calloc(1, sizeof(*n) + l->entry_size + len);
	struct lru_node **b;

	if (!n)
		return NULL;
	/* the key copied first: it may lie in an entry about to be evicted */
	n->hash = hash_key(key, len);
	n->bytes = bytes;
	n->keylen = len;
	memcpy((char *)n->entry + l->entry_size, key, len);
	evict_to(l, l->max_count - 1, bytes);
	b = bucket(l, n->hash);
	n->hnext = *b;
	*b = n;
	list_front(l, n);
	l->count++;
	l->bytes += bytes;
	return n->entry;
}

void lru__remove(struct lru *l, void *entry)
{
	node_drop(l, node_of(entry), false);
}

void lru__clear(struct lru *l)
{
	while (l->tail)
		node_drop(l, l->tail, false);
}

unsigned int lru__count(const struct lru *l)
{
	return l->count;
}

uint64_t lru__bytes(const struct lru *l)
{
	return l->bytes;
}
