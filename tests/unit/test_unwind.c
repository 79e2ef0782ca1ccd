// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF user stacks without BPF: this test takes its own registers and stack top as BPF would
 * (struct af_utail), five frames below the test, and has them unwound through the pipeline. The
 * unit tests are built -O2 without frame pointers, so only the CFI can find the callers. Also:
 * the tail's bounds checks in decode, the end markers, and that the copied bytes (a canary on
 * the stack) reach neither the JSON nor a record file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "decode.h"
#include "kallsyms.h"
#include "pipeline.h"
#include "record.h"
#include "sink.h"
#include "symbolize.h"
#include "unwind.h"

#define NOIPA __attribute__((noipa))
#define CANARY "AFSEC-unit-5ec7e75a17c0"

struct rec {
	struct af_syscall sc;
	struct af_utail t; /* its stack[] follows, cap bytes */
};

static struct rec *rec_new(uint32_t cap)
{
	struct rec *r = calloc(1, sizeof(*r) + cap);

	assert_non_null(r);
	r->sc.h.type = AF_EV_SYSCALL;
	r->sc.h.version = AF_ABI_VERSION;
	r->sc.h.size = sizeof(r->sc) + sizeof(r->t) + cap;
	r->sc.h.flags = AF_HF_UTAIL;
	r->sc.h.pid = getpid();
	r->sc.h.tid = gettid();
	r->sc.h.id = 1;
	memcpy(r->sc.h.comm, "test_unwind", 12);
	r->sc.nr = 9; /* mmap */
	r->sc.ret = -ENOMEM;
	r->t.cap = cap;
	return r;
}

/* The end of the mapping holding addr (the stack's top): the copy must not read past it. */
static uint64_t mapping_end(uint64_t addr)
{
	unsigned long long start, end;
	char line[512];
	uint64_t ret = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	assert_non_null(f);
	while (!ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 && addr >= start && addr < end)
			ret = end;
	fclose(f);
	assert_true(ret);
	return ret;
}

/* What BPF does at a failure: the registers, then the stack from sp up. */
static NOIPA void grab(struct af_utail *t)
{
	__u64 *r = t->regs;
	uint64_t end;

	__asm__ volatile("lea 0(%%rip), %%rax\n\t"
			 "mov %%rax, 128(%0)\n\t" /* AF_UREG_IP */
			 "mov %%rsp, 56(%0)\n\t"  /* AF_UREG_SP */
			 "mov %%rbp, 48(%0)\n\t"
			 "mov %%rbx, 24(%0)\n\t"
			 "mov %%r12, 96(%0)\n\t"
			 "mov %%r13, 104(%0)\n\t"
			 "mov %%r14, 112(%0)\n\t"
			 "mov %%r15, 120(%0)"
			 :
			 : "r"(r)
			 : "rax", "memory");
	end = mapping_end(r[AF_UREG_SP]);
	t->len = end - r[AF_UREG_SP] < t->cap ? end - r[AF_UREG_SP] : t->cap;
	memcpy(t->stack, (const void *)r[AF_UREG_SP], t->len);
	t->flags = AF_UT_REGS;
}

static NOIPA void level3(struct af_utail *t)
{
	grab(t);
	__asm__ volatile("" : : : "memory");
}

static NOIPA void level2(struct af_utail *t)
{
	volatile char canary[sizeof(CANARY)];

	memcpy((char *)canary, CANARY, sizeof(CANARY));
	level3(t);
	__asm__ volatile("" : : "r"(canary) : "memory");
}

static NOIPA void level1(struct af_utail *t)
{
	level2(t);
	__asm__ volatile("" : : : "memory");
}

_Static_assert(AF_UREG_IP * 8 == 128 && AF_UREG_SP * 8 == 56 && AF_UREG_BP * 8 == 48 &&
		      AF_UREG_BX * 8 == 24 && AF_UREG_R12 * 8 == 96 && AF_UREG_R15 * 8 == 120,
	      "grab()'s offsets");

/* Run r through a pipeline with a JSON sink; the JSON text, to be freed. */
static char *pipeline_json(struct rec *r, FILE *record)
{
	struct sink *sinks[2];
	struct kallsyms *k = kallsyms__open();
	struct pipeline *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	uint64_t lost[AF_EV_TYPE_MAX] = {};
	const struct summary *sum;
	unsigned int n = 1;

	assert_non_null(out);
	sinks[0] = sink_json__new(out);
	assert_non_null(sinks[0]);
	if (record) {
		sinks[n] = sink_record__new(record);
		assert_non_null(sinks[n++]);
	}
	assert_non_null(k);
	p = pipeline__new(sinks, n, k);
	assert_non_null(p);
	assert_int_equal(pipeline__on_record(p, r, r->sc.h.size), 0);
	sum = pipeline__finish(p, lost, 1);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(sink__end(sinks[i], sum, NULL), 0);
	pipeline__free(p);
	kallsyms__free(k);
	for (unsigned int i = 0; i < n; i++)
		sink__free(sinks[i]);
	fclose(out);
	return buf;
}

/* The names of the JSON's ustack frames, in order, joined by spaces. */
static void ustack_names(const char *json, char *names, size_t size)
{
	const char *u = strstr(json, "\"ustack\":[");
	const char *end = u ? strstr(u, "]") : NULL;
	size_t pos = 0;

	names[0] = '\0';
	assert_non_null(end);
	for (const char *s = u; (s = strstr(s, "\"sym\":\"")) && s < end; s++) {
		const char *q = strchr(s + 7, '"');

		pos += snprintf(names + pos, size - pos, "%.*s ", (int)(q - s - 7), s + 7);
	}
}

static void test_unwinds_own_stack(void **state)
{
	struct rec *r = rec_new(AF_USTACK_SIZE_DEFAULT);
	char names[2048], *json, *rec_buf = NULL;
	size_t rec_len = 0;
	FILE *record = open_memstream(&rec_buf, &rec_len);

	(void)state;
	level1(&r->t);
	assert_non_null(memmem(r->t.stack, r->t.len, CANARY, strlen(CANARY)));
	json = pipeline_json(r, record);
	fclose(record);
	ustack_names(json, names, sizeof(names));
	/* innermost first; cmocka's runner, main and libc's start code above the test */
	assert_non_null(strstr(names, "grab level3 level2 level1 test_unwinds_own_stack "));
	assert_non_null(strstr(names, " main "));
	assert_ptr_equal(strstr(names, "grab "), names);
	assert_non_null(strstr(json, "\"ustack_unwind\":\"dwarf\""));
	assert_non_null(strstr(json, "\"ustack_end\":\"complete\""));
	assert_non_null(strstr(json, "\"user\":false"));
	/* the copied bytes stay in memory: nothing of the canary in either output */
	assert_null(strstr(json, CANARY));
	assert_true(rec_len > sizeof(r->sc));
	assert_null(memmem(rec_buf, rec_len, CANARY, strlen(CANARY)));
	assert_null(memmem(rec_buf, rec_len, "AFSEC", 5));
	free(json);
	free(rec_buf);
	free(r);
}

static void test_short_copy_is_marked(void **state)
{
	struct rec *r = rec_new(512);
	char names[2048], *json;

	(void)state;
	level1(&r->t);
	json = pipeline_json(r, NULL);
	ustack_names(json, names, sizeof(names));
	assert_ptr_equal(strstr(names, "grab "), names);
	assert_null(strstr(names, " main "));
	assert_non_null(strstr(json, "\"ustack_unwind\":\"dwarf\""));
	assert_non_null(strstr(json, "\"ustack_end\":\"stack_copy_exhausted\""));
	assert_non_null(strstr(json, "\"user\":true"));
	free(json);
	free(r);
}

/* An instruction in anonymous memory (JIT code): that frame, nothing invented above it. */
static void test_unknown_region_ends_the_stack(void **state)
{
	struct symbolizer *s = symbolizer__new();
	struct rec *r = rec_new(4096);
	void *anon = malloc(64);
	struct unwound uw;
	Dwfl *dwfl;

	(void)state;
	level1(&r->t);
	r->t.regs[AF_UREG_IP] = (uintptr_t)anon;
	dwfl = symbolizer__user_dwfl(s, getpid(), r->t.regs[AF_UREG_IP]);
	assert_non_null(dwfl);
	assert_int_equal(unwind__stack(dwfl, gettid(), &r->t, &uw), 0);
	assert_int_equal(uw.n, 1);
	assert_int_equal(uw.pc[0], (uintptr_t)anon);
	assert_true(uw.exact[0]);
	assert_int_equal(uw.end, STACK_END_UNKNOWN_REGION);
	/* the same Dwfl again (its thread state is attached once): a full stack this time */
	level1(&r->t);
	assert_int_equal(unwind__stack(dwfl, gettid(), &r->t, &uw), 0);
	assert_true(uw.n > 5);
	assert_true(uw.exact[0]);
	assert_false(uw.exact[1]);
	assert_int_equal(uw.end, STACK_END_COMPLETE);
	/* no registers (a kernel thread): nothing to unwind */
	r->t.flags = 0;
	assert_int_equal(unwind__stack(dwfl, gettid(), &r->t, &uw), -ENODATA);
	assert_int_equal(uw.n, 0);
	free(anon);
	free(r);
	symbolizer__free(s);
}

/* The header's size must cover exactly the payload and the tail its cap describes. */
static void test_decode_checks_tail(void **state)
{
	struct rec *r = rec_new(1024);
	size_t size = r->sc.h.size;
	struct event ev;
	char why[160];

	(void)state;
	r->t.len = 1024;
	assert_int_equal(decode__record(r, size, 0, &ev, why, sizeof(why)), 0);
	assert_ptr_equal(decode__utail(&r->sc.h), &r->t);
	r->t.len = 1025; /* more copied than room */
	assert_int_equal(decode__record(r, size, 0, &ev, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "user stack tail"));
	r->t.len = 8;
	r->t.cap = 2048; /* room the record does not have */
	assert_int_equal(decode__record(r, size, 0, &ev, why, sizeof(why)), -EINVAL);
	r->t.cap = 1024;
	assert_int_equal(decode__record(r, size - 8, 0, &ev, why, sizeof(why)), -EINVAL);
	r->sc.h.size = sizeof(r->sc) + 8; /* a tail shorter than its own header */
	assert_int_equal(decode__record(r, size, 0, &ev, why, sizeof(why)), -EINVAL);
	r->sc.h.size = size;
	r->sc.h.flags = 0; /* bytes past the payload without the flag */
	assert_int_equal(decode__record(r, size, 0, &ev, why, sizeof(why)), -EINVAL);
	r->sc.h.size = sizeof(r->sc);
	assert_int_equal(decode__record(r, sizeof(r->sc), 0, &ev, why, sizeof(why)), 0);
	assert_null(decode__utail(&r->sc.h));
	free(r);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(stack_unwind__name(STACK_UNWIND_DWARF), "dwarf");
	assert_string_equal(stack_unwind__name(STACK_UNWIND_FP), "fp");
	assert_null(stack_unwind__name(STACK_UNWIND_NONE));
	assert_null(stack_unwind__name((enum stack_unwind)99));
	assert_string_equal(stack_end__name(STACK_END_COMPLETE), "complete");
	assert_string_equal(stack_end__name(STACK_END_UNKNOWN_REGION), "unknown_region");
	assert_string_equal(stack_end__name(STACK_END_COPY_EXHAUSTED), "stack_copy_exhausted");
	assert_string_equal(stack_end__name(STACK_END_FP_CHAIN), "fp_chain_end");
	assert_null(stack_end__name(STACK_END_UNKNOWN));
	assert_null(stack_end__name((enum stack_end)-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unwinds_own_stack),
		cmocka_unit_test(test_short_copy_is_marked),
		cmocka_unit_test(test_unknown_region_ends_the_stack),
		cmocka_unit_test(test_decode_checks_tail),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
