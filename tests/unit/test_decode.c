// SPDX-License-Identifier: GPL-2.0
/* decode__record: every ABI record type round-trips; short, foreign and inconsistent records are
 * refused with a reason, never read past their end. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "user/decode.h"

static void fill_header(struct af_header *h, enum af_event_type type, uint32_t size)
{
	memset(h, 0, size);
	h->type = type;
	h->version = AF_ABI_VERSION;
	h->size = size;
	h->ts_ns = 5000000123ULL;
	h->pid = 42;
	h->tid = 43;
	h->uid = 1000;
	h->id = 7;
	h->chain_id = 5;
	h->caused_by = 6;
	memcpy(h->comm, "0123456789abcdef", AF_COMM_LEN); /* no NUL: decode must add one */
	h->kstack_len = 3;
	h->ustack_len = AF_MAX_STACK;
}

static void test_syscall_roundtrip(void **state)
{
	struct af_syscall sc;
	struct event ev;
	char why[128];

	(void)state;
	fill_header(&sc.h, AF_EV_SYSCALL, sizeof(sc));
	assert_int_equal(decode__record(&sc, sizeof(sc), 1000000000LL, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.type, AF_EV_SYSCALL);
	assert_int_equal(ev.pid, 42);
	assert_int_equal(ev.tid, 43);
	assert_int_equal(ev.uid, 1000);
	assert_string_equal(ev.comm, "0123456789abcdef");
	assert_int_equal(ev.wall.tv_sec, 6);
	assert_int_equal(ev.wall.tv_nsec, 123);
	assert_int_equal(ev.count, 1);
	assert_int_equal(ev.id, 7);
	assert_int_equal(ev.chain_id, 5);
	assert_int_equal(ev.caused_by, 6);
	assert_ptr_equal(ev.raw.sc, &sc);
	assert_false(ev.kstack.truncated);
	assert_true(ev.ustack.truncated); /* a full buffer means frames were cut */
	assert_null(ev.cause);
}

static void test_every_type(void **state)
{
	static const struct {
		enum af_event_type type;
		size_t size;
	} types[] = {
		{ AF_EV_SYSCALL, sizeof(struct af_syscall) },
		{ AF_EV_PAGE_ALLOC, sizeof(struct af_page_alloc) },
		{ AF_EV_SLAB, sizeof(struct af_slab) },
		{ AF_EV_OOM_KILL, sizeof(struct af_oom_kill) },
		{ AF_EV_MEMCG_CHARGE, sizeof(struct af_memcg_charge) },
	};
	char buf[4096], why[128];
	struct event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fill_header((struct af_header *)buf, types[i].type, types[i].size);
		assert_int_equal(decode__record(buf, types[i].size, 0, &ev, why, sizeof(why)), 0);
		assert_int_equal(ev.type, types[i].type);
		/* one byte short of its declared size: refused */
		assert_int_equal(decode__record(buf, types[i].size - 1, 0, &ev, why, sizeof(why)),
				 -EINVAL);
	}
}

static void test_refusals(void **state)
{
	struct af_syscall sc;
	struct event ev;
	char why[128];

	(void)state;
	fill_header(&sc.h, AF_EV_SYSCALL, sizeof(sc));
	assert_int_equal(decode__record(&sc, 10, 0, &ev, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "shorter than a header"));

	sc.h.version = AF_ABI_VERSION + 1;
	assert_int_equal(decode__record(&sc, sizeof(sc), 0, &ev, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "version"));

	fill_header(&sc.h, AF_EV_SYSCALL, sizeof(sc));
	sc.h.type = 99;
	assert_int_equal(decode__record(&sc, sizeof(sc), 0, &ev, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "unknown record type"));

	fill_header(&sc.h, AF_EV_SYSCALL, sizeof(sc));
	sc.h.size = sizeof(sc) - 8; /* disagrees with its type */
	assert_int_equal(decode__record(&sc, sizeof(sc), 0, &ev, why, sizeof(why)), -EINVAL);

	fill_header(&sc.h, AF_EV_SYSCALL, sizeof(sc));
	sc.h.kstack_len = AF_MAX_STACK + 1;
	assert_int_equal(decode__record(&sc, sizeof(sc), 0, &ev, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "stack"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_roundtrip),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
