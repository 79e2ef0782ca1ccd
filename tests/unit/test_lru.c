// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded cache (user/lib/lru.c) under the process and file caches of user/enrich/procmaps.c and
 * user/enrich/symbolize.c: lookup by key, eviction order, count and byte bounds, what is dropped when
 * and how, and entries that keep their address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lru.h"

struct item {
	int id;
	char payload[20];
};

/* What the drop callback saw, in order. */
struct log {
	int id[64];
	bool evicted[64];
	unsigned int n;
	int count_seen; /* lru__count during the last drop */
	struct lru *l;
};

static void drop(void *ctx, void *entry, bool evicted)
{
	struct log *log = ctx;
	struct item *it = entry;

	assert_true(log->n < 64);
	log->id[log->n] = it->id;
	log->evicted[log->n] = evicted;
	log->n++;
	log->count_seen = lru__count(log->l);
	/* the memory is the cache's to free next: scribble, so a use after it shows */
	memset(it, 0xa5, sizeof(*it));
}

static struct lru *cache(struct log *log, unsigned int buckets)
{
	memset(log, 0, sizeof(*log));
	log->l = lru__new(sizeof(struct item), buckets, drop, log);
	assert_non_null(log->l);
	return log->l;
}

static struct item *put(struct lru *l, int id, uint64_t bytes)
{
	struct item *it = lru__insert(l, &id, sizeof(id), bytes);

	assert_non_null(it);
	it->id = id;
	return it;
}

static struct item *get(struct lru *l, int id)
{
	return lru__find(l, &id, sizeof(id));
}

static void expect_dropped(const struct log *log, unsigned int from, const int *ids, unsigned int n,
			   bool evicted)
{
	assert_int_equal(log->n, from + n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(log->id[from + i], ids[i]);
		assert_int_equal(log->evicted[from + i], evicted);
	}
}

/* Keys are compared as bytes, length included; entries come zeroed and aligned; the key is
 * copied. */
static void test_find(void **state)
{
	struct log log;
	struct lru *l = cache(&log, 4);
	char key[8] = "abc";
	void *a, *ab;

	(void)state;
	assert_null(lru__find(l, "abc", 3));
	a = lru__insert(l, key, 3, 0);
	assert_non_null(a);
	for (size_t i = 0; i < sizeof(struct item); i++)
		assert_int_equal(((unsigned char *)a)[i], 0);
	assert_int_equal((uintptr_t)a % _Alignof(max_align_t), 0);
	strcpy(key, "xyz");
	assert_ptr_equal(lru__find(l, "abc", 3), a);
	assert_null(lru__find(l, "xyz", 3));
	ab = lru__insert(l, "ab", 2, 0);
	assert_ptr_not_equal(ab, a);
	assert_ptr_equal(lru__find(l, "ab", 2), ab);
	assert_ptr_equal(lru__find(l, "abc", 3), a);
	assert_null(lru__find(l, "abcd", 4));
	assert_int_equal(lru__count(l), 2);
	lru__free(l);
	assert_int_equal(log.n, 2);
	lru__free(NULL);
}

/* Beyond max_count the least recently used goes: insertion and touch make an entry recent,
 * find does not. */
static void test_count_bound(void **state)
{
	struct log log;
	struct lru *l = cache(&log, 2);

	(void)state;
	lru__set_limits(l, 3, UINT64_MAX);
	put(l, 1, 0);
	put(l, 2, 0);
	put(l, 3, 0);
	assert_int_equal(log.n, 0);
	lru__touch(l, get(l, 1)); /* order now 1 3 2 */
	put(l, 4, 0);
	expect_dropped(&log, 0, (int[]){ 2 }, 1, true);
	assert_int_equal(log.count_seen, 2); /* out of the cache before its drop */
	assert_null(get(l, 2));
	assert_non_null(get(l, 3)); /* not touched: 3 is still the oldest */
	put(l, 5, 0);
	expect_dropped(&log, 1, (int[]){ 3 }, 1, true);
	assert_int_equal(lru__count(l), 3);
	/* lowered: the oldest go now, in order */
	lru__set_limits(l, 1, UINT64_MAX);
	expect_dropped(&log, 2, (int[]){ 1, 4 }, 2, true);
	assert_int_equal(get(l, 5)->id, 5);
	/* 0 is taken as 1 */
	lru__set_limits(l, 0, UINT64_MAX);
	assert_int_equal(lru__count(l), 1);
	put(l, 6, 0);
	expect_dropped(&log, 4, (int[]){ 5 }, 1, true);
	assert_int_equal(lru__count(l), 1);
	lru__free(l);
	expect_dropped(&log, 5, (int[]){ 6 }, 1, false);
}

/* The byte budget: room is made for a new entry by its weight; one heavier than the budget
 * stays alone; the most recent stays when the budget is lowered under it. */
static void test_byte_budget(void **state)
{
	struct log log;
	struct lru *l = cache(&log, 8);

	(void)state;
	lru__set_limits(l, 10, 100);
	put(l, 1, 40);
	put(l, 2, 40);
	put(l, 3, 20);
	assert_int_equal(lru__bytes(l), 100);
	assert_int_equal(log.n, 0); /* exactly the budget fits */
	lru__touch(l, get(l, 1)); /* order now 1 3 2 */
	put(l, 4, 30);
	expect_dropped(&log, 0, (int[]){ 2 }, 1, true);
	assert_int_equal(lru__bytes(l), 90);
	/* heavier than the whole budget: everything goes, it stays */
	put(l, 5, 150);
	expect_dropped(&log, 1, (int[]){ 3, 1, 4 }, 3, true);
	assert_int_equal(lru__count(l), 1);
	assert_int_equal(lru__bytes(l), 150);
	/* of no weight: the lone heavy one is left where it is */
	put(l, 6, 0);
	assert_int_equal(lru__count(l), 2);
	assert_int_equal(log.n, 4);
	/* of some weight: it goes */
	put(l, 7, 1);
	expect_dropped(&log, 4, (int[]){ 5 }, 1, true);
	assert_int_equal(lru__bytes(l), 1);

	lru__clear(l);
	expect_dropped(&log, 5, (int[]){ 6, 7 }, 2, false);
	assert_int_equal(lru__bytes(l), 0);
	put(l, 1, 30);
	put(l, 2, 30);
	put(l, 3, 30);
	lru__set_limits(l, 10, 50);
	expect_dropped(&log, 7, (int[]){ 1, 2 }, 2, true);
	lru__set_limits(l, 10, 10);
	assert_int_equal(lru__count(l), 1); /* the most recent stays, whatever its weight */
	assert_int_equal(lru__bytes(l), 30);
	/* a count bound with weights: both hold */
	lru__set_limits(l, 2, UINT64_MAX);
	put(l, 4, 5);
	put(l, 5, 5);
	expect_dropped(&log, 9, (int[]){ 3 }, 1, true);
	assert_int_equal(lru__bytes(l), 10);
	lru__free(l);
}

/* Removal from anywhere in a chain and the list; entries keep their address and contents while
 * others come and go; a key held twice finds the newer. */
static void test_remove_and_stability(void **state)
{
	struct log log;
	struct lru *l = cache(&log, 1); /* one chain: every lookup walks it */
	struct item *held[32], *old, *dup;

	(void)state;
	for (int i = 0; i < 32; i++) {
		held[i] = put(l, i, 1);
		snprintf(held[i]->payload, sizeof(held[i]->payload), "item %d", i);
	}
	lru__remove(l, held[0]);  /* the oldest */
	lru__remove(l, held[16]); /* the middle */
	lru__remove(l, held[31]); /* the newest, the chain's head */
	expect_dropped(&log, 0, (int[]){ 0, 16, 31 }, 3, false);
	assert_int_equal(lru__count(l), 29);
	assert_int_equal(lru__bytes(l), 29);
	for (int i = 1; i < 31; i++) {
		char want[20];

		if (i == 16) {
			assert_null(get(l, i));
			continue;
		}
		snprintf(want, sizeof(want), "item %d", i);
		assert_ptr_equal(get(l, i), held[i]);
		assert_string_equal(held[i]->payload, want);
	}
	/* the list still links what is left, in order: lowering the count evicts 1..15, 17.. */
	lru__set_limits(l, 2, UINT64_MAX);
	assert_int_equal(log.n, 3 + 27);
	for (unsigned int i = 3; i < log.n; i++)
		assert_true(log.evicted[i]);
	assert_int_equal(log.id[3], 1);
	assert_int_equal(log.id[3 + 14], 15);
	assert_int_equal(log.id[3 + 15], 17);
	assert_non_null(get(l, 29));
	assert_non_null(get(l, 30));
	old = get(l, 30);
	lru__set_limits(l, 10, UINT64_MAX);
	dup = put(l, 30, 0);
	assert_ptr_equal(get(l, 30), dup);
	lru__remove(l, dup);
	assert_ptr_equal(get(l, 30), old);
	lru__free(l);
}

/* A key that lies in an entry the insertion evicts (scribbled over by drop): still the key. */
static void test_key_in_evicted_entry(void **state)
{
	struct log log;
	struct lru *l = cache(&log, 16);
	struct item *victim, *it;

	(void)state;
	lru__set_limits(l, 1, UINT64_MAX);
	victim = put(l, 7, 0);
	memcpy(victim->payload, "key-bytes", 9);
	it = lru__insert(l, victim->payload, 9, 0);
	assert_non_null(it);
	expect_dropped(&log, 0, (int[]){ 7 }, 1, true);
	assert_ptr_equal(lru__find(l, "key-bytes", 9), it);
	lru__free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_count_bound),
		cmocka_unit_test(test_byte_budget),
		cmocka_unit_test(test_remove_and_stability),
		cmocka_unit_test(test_key_in_evicted_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
