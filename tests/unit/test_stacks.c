// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel stacks as user/enrich/stacks.c hands them out: symbolized from the running kernel's kallsyms,
 * the tracer's own innermost frames (the BPF program, the tracepoint machinery) left out, and
 * BPF's limits kept as truncation. Skipped where kallsyms hides addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "kallsyms.h"
#include "stacks.h"

static struct af_header h;
static struct stack out;
static struct kallsyms *k;
static uint64_t trace, tp, sys; /* bpf_trace_run2, __bpf_trace_sys_exit, do_syscall_64 */

/* The running kernel's symbols and stacks over them; the test is skipped where kallsyms hides
 * the addresses. */
static struct stacks *stacks_open(void)
{
	uint64_t end;
	struct stacks *st;

	k = kallsyms__open();
	assert_non_null(k);
	if (kallsyms__func(k, "bpf_trace_run2", &trace, &end) ||
	    kallsyms__func(k, "__bpf_trace_sys_exit", &tp, &end) ||
	    kallsyms__func(k, "do_syscall_64", &sys, &end) || !trace || !tp || !sys) {
		kallsyms__free(k);
		skip();
	}
	st = stacks__new(k);
	assert_non_null(st);
	memset(&h, 0, sizeof(h));
	return st;
}

static void test_kernel_trimmed(void **state)
{
	struct stacks *st = stacks_open();

	(void)state;
	h.kstack[0] = trace + 4; /* the tracer's own */
	h.kstack[1] = trace + 8;
	h.kstack[2] = sys + 5;
	h.kstack_len = 3;
	stacks__kernel(st, &h, &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.frames[0].sym, "do_syscall_64");
	assert_int_equal(out.frames[0].off, 5);
	assert_false(out.truncated);
	/* BPF's limit, or its error, is a truncation */
	h.flags = AF_HF_KSTACK_ERR;
	stacks__kernel(st, &h, &out);
	assert_true(out.truncated);
	assert_true(stacks__has(&out, "syscall_64"));
	assert_false(stacks__has(&out, "bpf_trace"));
	stacks__free(st);
	kallsyms__free(k);
}

/* The BPF program's own frame is unnamed when kallsyms was read before it loaded: the frames of
 * the tracing machinery after it still mark the tracer's, and go with it. */
static void test_kernel_trimmed_unnamed_prog(void **state)
{
	struct stacks *st = stacks_open();

	(void)state;
	h.kstack[0] = 0x10; /* no symbol: the program, read too early */
	h.kstack[1] = trace + 8;
	h.kstack[2] = tp + 8;
	h.kstack[3] = sys + 5;
	h.kstack_len = 4;
	stacks__kernel(st, &h, &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.frames[0].sym, "do_syscall_64");
	/* a kernel function first is the failure's own frame: nothing is the tracer's */
	h.kstack[0] = sys + 5;
	h.kstack[1] = trace + 8;
	h.kstack_len = 2;
	stacks__kernel(st, &h, &out);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.frames[0].sym, "do_syscall_64");
	/* unnamed frames with no machinery after them stay: nothing says they are the tracer's */
	h.kstack[0] = 0x10;
	h.kstack[1] = 0x20;
	h.kstack[2] = sys + 5;
	h.kstack_len = 3;
	stacks__kernel(st, &h, &out);
	assert_int_equal(out.n, 3);
	stacks__free(st);
	kallsyms__free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_trimmed),
		cmocka_unit_test(test_kernel_trimmed_unnamed_prog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
