// SPDX-License-Identifier: GPL-2.0
/*
 * The sites' table (user/enrich/sites.c): a count update takes the site's latest enriched record as it
 * was (stacks, verdict, copied cgroup paths), counts are reported once, and a site whose record
 * was dropped for the budget, or never arrived, goes out bare from its key.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "cause.h"
#include "decode.h"
#include "sites.h"

static struct af_syscall rec;
static struct event ev;
static struct cause verdict;
static struct memcg_info memcg;

/* A syscall record of site, enriched: one kernel frame, a cgroup path, a verdict. */
static struct event *enriched(uint32_t site, const char *cgroup)
{
	memset(&rec, 0, sizeof(rec));
	rec.h.type = AF_EV_SYSCALL;
	rec.h.version = AF_ABI_VERSION;
	rec.h.size = sizeof(rec);
	rec.h.pid = rec.h.tid = 42;
	rec.h.site = site;
	rec.nr = 9;
	memset(&ev, 0, sizeof(ev));
	ev.type = AF_EV_SYSCALL;
	ev.pid = ev.tid = 42;
	strcpy(ev.comm, "storm");
	ev.count = 1;
	ev.site = site;
	ev.id = 7;
	ev.raw.sc = &rec;
	ev.kstack.n = 1;
	ev.kstack.frames[0].addr = 0xffffffff81000010;
	ev.kstack.frames[0].sym = "do_mmap";
	ev.cgroup = cgroup;
	memset(&verdict, 0, sizeof(verdict));
	verdict.code = "rlimit_as";
	snprintf(verdict.summary, sizeof(verdict.summary), "over RLIMIT_AS");
	ev.cause = &verdict;
	memset(&memcg, 0, sizeof(memcg));
	memcg.valid = true;
	memcg.bind_path = cgroup;
	ev.memcg_info = &memcg;
	return &ev;
}

static void key_val(uint32_t site, uint64_t count, uint32_t records, struct af_site_key *k,
		    struct af_site_val *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->type = AF_EV_SYSCALL;
	k->tgid = 42;
	k->nr = 9;
	v->site = site;
	v->count = count;
	v->bytes = count * 4096;
	v->records = records;
	v->last_ns = 5000000000ULL;
	memcpy(v->comm, "storm", 6);
}

static void test_update_takes_enriched_record(void **state)
{
	struct sites *t = sites__new(1 << 20);
	struct af_site_key k;
	struct af_site_val v;
	struct event out;
	char path[32] = "/a/b";

	(void)state;
	assert_non_null(t);
	sites__record(t, enriched(3, path));
	assert_int_equal(ev.site_total, 1);
	/* the path's buffer is the cgroup resolver's: it may change after the record */
	strcpy(path, "/gone");
	key_val(3, 10, 1, &k, &v);
	assert_int_equal(sites__update(t, &k, &v, false, 0, &out), SITES_UPDATE_DETAIL);
	assert_true(out.site_update && out.site_detail);
	assert_int_equal(out.count, 10);
	assert_int_equal(out.bytes, 10 * 4096);
	assert_int_equal(out.site_total, 11);
	assert_int_equal(out.id, 0);
	assert_int_equal(out.ts_ns, 5000000000ULL);
	assert_string_equal(out.cgroup, "/a/b");
	assert_string_equal(out.memcg_info->bind_path, "/a/b");
	assert_int_equal(out.kstack.n, 1);
	assert_string_equal(out.kstack.frames[0].sym, "do_mmap");
	assert_string_equal(out.cause->code, "rlimit_as");
	assert_int_equal(out.raw.sc->nr, 9);
	/* a syscall's verdict is no deeper failure's */
	assert_null(sites__verdict(t, 3));
	/* reported once */
	assert_int_equal(sites__update(t, &k, &v, false, 0, &out), SITES_UPDATE_NONE);
	key_val(3, 15, 1, &k, &v);
	assert_int_equal(sites__update(t, &k, &v, true, 0, &out), SITES_UPDATE_DETAIL);
	assert_int_equal(out.count, 5);
	assert_int_equal(out.site_total, 16);
	assert_int_equal(sites__count(t), 1);
	sites__free(t);
}

static void test_bare_and_waiting(void **state)
{
	struct sites *t = sites__new(1 << 20);
	struct af_site_key k;
	struct af_site_val v;
	struct event out;

	(void)state;
	/* its record is on its way: wait for it, but not at the end */
	key_val(5, 4, 1, &k, &v);
	assert_int_equal(sites__update(t, &k, &v, false, 0, &out), SITES_UPDATE_NONE);
	assert_int_equal(sites__update(t, &k, &v, true, 0, &out), SITES_UPDATE_BARE);
	assert_false(out.site_detail);
	assert_int_equal(out.count, 4);
	assert_int_equal(out.pid, 42);
	assert_string_equal(out.comm, "storm");
	assert_int_equal(out.kstack.n, 0);
	assert_null(out.cause);
	assert_int_equal(out.raw.sc->nr, 9);
	assert_int_equal(out.raw.sc->ret, -ENOMEM);
	assert_int_equal(out.raw.h->size, decode__payload_size(AF_EV_SYSCALL));
	sites__free(t);
}

static void test_budget_drops_least_recent(void **state)
{
	struct sites *t = sites__new(1); /* room for the latest record only */
	struct af_site_key k;
	struct af_site_val v;
	struct event out;

	(void)state;
	sites__record(t, enriched(1, "/x"));
	sites__record(t, enriched(2, "/y"));
	assert_int_equal(sites__evicted(t), 1);
	key_val(1, 3, 1, &k, &v);
	assert_int_equal(sites__update(t, &k, &v, false, 0, &out), SITES_UPDATE_BARE);
	assert_int_equal(out.site_total, 4);
	key_val(2, 3, 1, &k, &v);
	assert_int_equal(sites__update(t, &k, &v, false, 0, &out), SITES_UPDATE_DETAIL);
	assert_string_equal(out.cgroup, "/y");
	assert_int_equal(sites__count(t), 2);
	sites__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_takes_enriched_record),
		cmocka_unit_test(test_bare_and_waiting),
		cmocka_unit_test(test_budget_drops_least_recent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
