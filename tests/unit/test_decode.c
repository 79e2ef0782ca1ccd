// SPDX-License-Identifier: GPL-2.0
/* decode__record: every ABI record type round-trips; short, foreign and inconsistent records are
 * refused with a reason, never read past their end. The event type descriptors (event_type.h):
 * one per type with records, complete; request bytes; a site's key described as a record. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "decode.h"
#include "event_type.h"

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

/* Every type with records has a whole descriptor; the ABI's other values have none or a name. */
static void test_descriptors(void **state)
{
	static const struct {
		enum af_event_type type;
		const char *name;
		size_t size;
	} types[] = {
		{ AF_EV_SYSCALL, "syscall", sizeof(struct af_syscall) },
		{ AF_EV_PAGE_ALLOC, "page_alloc", sizeof(struct af_page_alloc) },
		{ AF_EV_SLAB, "slab", sizeof(struct af_slab) },
		{ AF_EV_OOM_KILL, "oom_kill", sizeof(struct af_oom_kill) },
		{ AF_EV_MEMCG_CHARGE, "memcg_charge", sizeof(struct af_memcg_charge) },
	};
	const struct event_type_desc *d;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		d = event_type__get(types[i].type);
		assert_non_null(d);
		assert_string_equal(d->name, types[i].name);
		assert_string_equal(event_type__name(types[i].type), types[i].name);
		assert_int_equal(d->size, types[i].size);
		assert_int_equal(decode__payload_size(types[i].type), types[i].size);
		assert_non_null(d->text_what);
		assert_non_null(d->text_detail);
		assert_non_null(d->json);
		assert_non_null(d->explain);
		assert_true(sizeof(union af_any_record) >= d->size);
		for (const struct payload_span *sp = d->redact; sp && sp->len; sp++)
			assert_true(sp->off >= sizeof(struct af_header) &&
				    sp->off + sp->len <= d->size);
	}
	/* named in the summaries, but no source sends its records: decode refuses them */
	d = event_type__get(AF_EV_MALLOC);
	assert_non_null(d);
	assert_string_equal(d->name, "malloc");
	assert_int_equal(d->size, 0);
	assert_int_equal(decode__payload_size(AF_EV_MALLOC), 0);
	assert_null(event_type__get(0));
	assert_null(event_type__get(AF_EV_TYPE_MAX));
	assert_null(event_type__get(~0u));
	assert_string_equal(event_type__name(0), "unknown");
	assert_string_equal(event_type__name(99), "unknown");
}

/* What the failed request asked for, per type: the weight of `--weight bytes`. */
static void test_request_bytes(void **state)
{
	union af_any_record rec;
	struct event ev = { 0 };

	(void)state;
	memset(&rec, 0, sizeof(rec));
	ev.raw.h = &rec.h;
	ev.type = AF_EV_SYSCALL;
	rec.sc.req_bytes = 12345;
	assert_int_equal(event_type__request_bytes(&ev), 12345);
	ev.type = AF_EV_PAGE_ALLOC;
	rec.pa.order = 3;
	assert_int_equal(event_type__request_bytes(&ev), 8 * 4096);
	ev.type = AF_EV_SLAB;
	rec.slab.bytes_req = 96;
	assert_int_equal(event_type__request_bytes(&ev), 96);
	ev.type = AF_EV_MEMCG_CHARGE;
	rec.memcg.nr_pages = 512;
	assert_int_equal(event_type__request_bytes(&ev), 512 * 4096);
	ev.type = AF_EV_OOM_KILL; /* asks for nothing */
	assert_int_equal(event_type__request_bytes(&ev), 0);
	ev.type = AF_EV_MALLOC;
	assert_int_equal(event_type__request_bytes(&ev), 0);
}

/* A site without a record: what its key and counters say, as a record decode accepts. */
static void test_site_record(void **state)
{
	struct af_site_key k = {
		.tgid = 77, .nr = 9, .flags = 2, .arg_class = 0xcc0, .evidence = AF_PA_RECLAIM_SEEN,
		.object = 0xffffffff81001234ULL, .cause_site = 5,
	};
	struct af_site_val v = { .count = 4, .bytes = 4 * 8192, .last_ns = 3000000000ULL,
				 .site = 11, .comm = "hog" };
	union af_any_record rec;
	struct event ev;
	char why[128];

	(void)state;
	k.type = AF_EV_SYSCALL;
	assert_int_equal(event_type__site_record(&k, &v, &rec), 0);
	assert_int_equal(decode__record(&rec, rec.h.size, 0, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.type, AF_EV_SYSCALL);
	assert_int_equal(ev.pid, 77);
	assert_int_equal(ev.tid, 77);
	assert_int_equal(ev.ts_ns, 3000000000ULL);
	assert_int_equal(ev.site, 11);
	assert_int_equal(ev.cause_site, 5);
	assert_string_equal(ev.comm, "hog");
	assert_int_equal(ev.raw.sc->nr, 9);
	assert_int_equal(ev.raw.sc->flags, 2);
	assert_int_equal(ev.raw.sc->ret, -ENOMEM);
	assert_int_equal(ev.raw.sc->req_bytes, 0);

	k.type = AF_EV_PAGE_ALLOC;
	assert_int_equal(event_type__site_record(&k, &v, &rec), 0);
	assert_int_equal(decode__record(&rec, rec.h.size, 0, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.raw.pa->order, 9);
	assert_int_equal(ev.raw.pa->gfp, 0xcc0);
	assert_int_equal(ev.raw.pa->migratetype, 2);
	assert_int_equal(ev.raw.pa->flags, AF_PA_RECLAIM_SEEN);

	k.type = AF_EV_SLAB;
	assert_int_equal(event_type__site_record(&k, &v, &rec), 0);
	assert_int_equal(decode__record(&rec, rec.h.size, 0, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.raw.slab->bytes_alloc, 9);
	assert_int_equal(ev.raw.slab->bytes_req, 8192); /* the site's mean */
	assert_int_equal(ev.raw.slab->gfp, 0xcc0);
	assert_int_equal(ev.raw.slab->flags, 2);
	assert_int_equal(ev.raw.slab->call_site, 0xffffffff81001234ULL);

	k.type = AF_EV_MEMCG_CHARGE;
	assert_int_equal(event_type__site_record(&k, &v, &rec), 0);
	assert_int_equal(decode__record(&rec, rec.h.size, 0, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.raw.memcg->memcg_id, 0xffffffff81001234ULL);
	assert_int_equal(ev.raw.memcg->nr_pages, 2); /* the mean: 8192 bytes */
	assert_int_equal(ev.raw.memcg->ret, -ENOMEM);
	assert_int_equal(ev.raw.memcg->flags, 2);

	v.count = 0; /* no failure counted yet: no mean either */
	assert_int_equal(event_type__site_record(&k, &v, &rec), 0);
	assert_int_equal(rec.memcg.nr_pages, 0);

	k.type = AF_EV_OOM_KILL; /* its key holds no payload field */
	assert_int_equal(event_type__site_record(&k, &v, &rec), 0);
	assert_int_equal(decode__record(&rec, rec.h.size, 0, &ev, why, sizeof(why)), 0);
	assert_int_equal(ev.raw.oom->victim_pid, 0);

	k.type = AF_EV_MALLOC;
	assert_int_equal(event_type__site_record(&k, &v, &rec), -EINVAL);
	k.type = 99;
	assert_int_equal(event_type__site_record(&k, &v, &rec), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_roundtrip),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_request_bytes),
		cmocka_unit_test(test_site_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
