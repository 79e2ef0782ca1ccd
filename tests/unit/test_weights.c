// SPDX-License-Identifier: GPL-2.0
/*
 * The folded, SVG and pprof exporters add weights with saturation: counts or bytes that would
 * wrap (a crafted record, or a session weighed in bytes) stop at the largest value instead of
 * coming out small (pprof's int64 values: at INT64_MAX, never negative).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>
#include "proto/profile.pb-c.h"
#include "tests/unit/fixtures_pprof.h"
#include "exporters.h"

static void test_weight_add(void **state)
{
	(void)state;
	assert_true(weight__add(1, 2) == 3);
	assert_true(weight__add(UINT64_MAX - 1, 1) == UINT64_MAX);
	assert_true(weight__add(UINT64_MAX - 1, 5) == UINT64_MAX);
	assert_true(weight__add(UINT64_MAX, UINT64_MAX) == UINT64_MAX);
}

/* One failed mmap of stack main < do_map, from "prog", weighing count and bytes. */
static void event_of(struct event *ev, uint64_t count, uint64_t bytes)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = AF_EV_SYSCALL;
	ev->pid = 7;
	strcpy(ev->comm, "prog");
	ev->count = count;
	ev->bytes = bytes;
	ev->ustack.n = 2;
	ev->ustack.frames[0] = (struct frame){ .addr = 0x1000, .sym = "do_map", .obj = "/p" };
	ev->ustack.frames[1] = (struct frame){ .addr = 0x2000, .sym = "main", .obj = "/p" };
}

/* Two events of one stack and a third of another through the sink, into a string (its length
 * in *lenp if not NULL). */
static char *export_len(struct sink *(*mk)(FILE *, enum weight), enum weight w, uint64_t big,
			size_t *lenp)
{
	struct event *ev = malloc(sizeof(*ev));
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct sink *s = mk(out, w);
	struct summary sum = { .events = 3 };

	assert_non_null(ev);
	assert_non_null(s);
	event_of(ev, big, big);
	assert_int_equal(sink__event(s, ev), 0);
	event_of(ev, 5, 5);
	assert_int_equal(sink__event(s, ev), 0);
	event_of(ev, big, big);
	ev->ustack.frames[1].sym = "other";
	assert_int_equal(sink__event(s, ev), 0);
	assert_int_equal(sink__end(s, &sum, NULL), 0);
	sink__free(s);
	assert_int_equal(fclose(out), 0);
	free(ev);
	if (lenp)
		*lenp = len;
	return text;
}

static char *export(struct sink *(*mk)(FILE *, enum weight), enum weight w, uint64_t big)
{
	return export_len(mk, w, big, NULL);
}

static void test_folded(void **state)
{
	const uint64_t big = UINT64_MAX - 2;
	struct folded *f = folded__new(WEIGHT_COUNT);
	struct event *ev = malloc(sizeof(*ev));
	char *text;

	(void)state;
	for (enum weight w = WEIGHT_COUNT; w <= WEIGHT_BYTES; w++) {
		text = export(sink_folded__new, w, big);
		/* without saturation: 2 and UINT64_MAX - 2 */
		assert_string_equal(text, "prog;[syscall];main;do_map 18446744073709551615\n"
					  "prog;[syscall];other;do_map 18446744073709551613\n");
		free(text);
	}
	assert_non_null(f);
	assert_non_null(ev);
	event_of(ev, big, 0);
	assert_int_equal(folded__add(f, ev), 0);
	ev->ustack.frames[1].sym = "other";
	assert_int_equal(folded__add(f, ev), 0);
	assert_true(folded__total(f) == UINT64_MAX);
	folded__free(f);
	free(ev);
}

static struct sink *svg_new(FILE *out, enum weight w)
{
	return sink_svg__new(out, w, NULL);
}

static void test_svg(void **state)
{
	char *text;

	(void)state;
	for (enum weight w = WEIGHT_COUNT; w <= WEIGHT_BYTES; w++) {
		text = export(svg_new, w, UINT64_MAX - 2);
		/* the root and the process: all of it, not a wrapped sum */
		assert_non_null(strstr(text, "data-total=\"18446744073709551615\""));
		assert_non_null(strstr(text, "data-v=\"18446744073709551615\" data-d=\"1\" "
					     "data-n=\"prog\""));
		free(text);
	}
}

static void test_pprof(void **state)
{
	const int64_t big = INT64_MAX - 2;
	Perftools__Profiles__Profile *prof;
	size_t len;
	char *gz = export_len(sink_pprof__new, WEIGHT_COUNT, (uint64_t)big, &len);
	unsigned int saturated = 0, single = 0;

	(void)state;
	prof = pprof_unpack(gz, len);
	assert_int_equal(prof->n_sample, 2);
	for (size_t i = 0; i < prof->n_sample; i++) {
		const Perftools__Profiles__Sample *smp = prof->sample[i];

		assert_int_equal(smp->n_value, 2);
		for (size_t v = 0; v < 2; v++) {
			/* without saturation (big + 5) wraps negative */
			assert_true(smp->value[v] > 0);
			saturated += smp->value[v] == INT64_MAX;
			single += smp->value[v] == big;
		}
	}
	assert_int_equal(saturated, 2); /* count and bytes of the stack seen twice */
	assert_int_equal(single, 2);
	perftools__profiles__profile__free_unpacked(prof, NULL);
	free(gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weight_add),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_pprof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
