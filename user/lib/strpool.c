// SPDX-License-Identifier: GPL-2.0
/* String interning: an open-addressing hash set over strings copied into an append-only arena. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strpool.h"

#define CHUNK_SIZE (64 * 1024)
#define INITIAL_SLOTS 1024 /* power of two */

struct chunk {
	struct chunk *next;
	char data[];
};

struct slot {
	const char *s; /* NULL: empty */
	size_t len;
	uint64_t hash;
};

struct strpool {
	struct slot *slots;
	size_t nslots; /* power of two, kept at least twice count */
	size_t count;
	struct chunk *chunks;
	char *cur;   /* free space in the newest chunk */
	size_t left;
};

/* FNV-1a: short strings, no adversary; good enough spread for a power-of-two table. */
static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct strpool *strpool__new(void)
{
	struct strpool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->slots = calloc(INITIAL_SLOTS, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return NULL;
	}
	p->nslots = INITIAL_SLOTS;
	return p;
}

void strpool__free(struct strpool *p)
{
	struct chunk *c, *next;

	if (!p)
		return;
	for (c = p->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p->slots);
	free(p);
}

size_t strpool__count(const struct strpool *p)
{
	return p ? p->count : 0;
}

/* Copy len bytes plus a NUL into the arena; big strings get a chunk of their own so the
 * current chunk's free space is not wasted. */
static const char *arena_copy(struct strpool *p, const char *s, size_t len)
{
	size_t need = len + 1;
	struct chunk *c;
	char *dst;

	if (need > p->left) {
		size_t size = need > CHUNK_SIZE / 4 ? need : CHUNK_SIZE;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		if (size == CHUNK_SIZE || !p->chunks) {
			c->next = p->chunks;
			p->chunks = c;
			p->cur = c->data;
			p->left = size;
		} else {
			/* Keep the current chunk current: link the big one behind it. */
			c->next = p->chunks->next;
			p->chunks->next = c;
			memcpy(c->data, s, len);
			c->data[len] = '\0';
			return c->data;
		}
	}
	dst = p->cur;
	memcpy(dst, s, len);
	dst[len] = '\0';
	p->cur += need;
	p->left -= need;
	return dst;
}

static struct slot *find_slot(struct slot *slots, size_t nslots, const char *s, size_t len,
			      uint64_t hash)
{
	size_t mask = nslots - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct slot *sl = &slots[i];

		if (!sl->s)
			return sl;
		if (sl->hash == hash && sl->len == len && !memcmp(sl->s, s, len))
			return sl;
	}
}

static int grow(struct strpool *p)
{
	size_t nslots = p->nslots * 2;
	struct slot *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < p->nslots; i++) {
		struct slot *old = &p->slots[i];

		if (old->s)
			*find_slot(slots, nslots, old->s, old->len, old->hash) = *old;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = nslots;
	return 0;
}

const char *strpool__intern_len(struct strpool *p, const char *s, size_t len)
{
	uint64_t hash;
	struct slot *sl;

	if (!p || !s)
		return NULL;
	if (2 * (p->count + 1) > p->nslots && grow(p))
		return NULL;
	hash = hash_bytes(s, len);
	sl = find_slot(p->slots, p->nslots, s, len, hash);
	if (sl->s)
		return sl->s;
	sl->s = arena_copy(p, s, len);
	if (!sl->s)
		return NULL;
	sl->len = len;
	sl->hash = hash;
	p->count++;
	return sl->s;
}

const char *strpool__intern(struct strpool *p, const char *s)
{
	return s ? strpool__intern_len(p, s, strlen(s)) : NULL;
}
