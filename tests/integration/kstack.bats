#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Kernel stacks never show the tracer's own frames (issue 13 item 7), whatever the timing of its
# symbol reads: kallsyms is read on a thread of its own while the BPF programs load, so in some
# sessions the program has no symbol and its frame is a bare address before the tracepoint
# machinery (`?? < bpf_trace_run2 < __bpf_trace_sys_exit`). Twenty sessions, two per test (one
# session takes seconds under QEMU), each checked in the JSON events, the diagnosis and the
# folded stacks.

load lib/helpers

TRACER_FRAMES='bpf_prog_|bpf_trace_run|__bpf_trace_|__traceiter_|trace_call_bpf|perf_trace_'

# kstack_session N: one session of rlimit_as; its kernel stacks start at a kernel function.
kstack_session() {
	local folded=$BATS_TEST_TMPDIR/stacks.folded bad
	# AF_KSTACK_SESSIONS: how many of the twenty run (the QEMU rows run fewer: time)
	(($1 <= ${AF_KSTACK_SESSIONS:-20})) ||
		skip "session $1: this row runs ${AF_KSTACK_SESSIONS} sessions (AF_KSTACK_SESSIONS)"

	rm -f "$folded"
	AF_RUN_OPTS="--folded $folded" trace_prog rlimit_as
	[[ $status -eq 0 ]] || fail "session $1: status $status: $output"
	[[ $(nevents) -ge 1 ]] || fail "session $1: no event: $(cat "$OUT")"
	bad=$(jq -c 'select(.kstack != null) |
		select((.kstack | length) == 0 or .kstack[0].sym == null) | .kstack' "$OUT")
	[[ -z $bad ]] || fail "session $1: a kernel stack without its first symbol: $bad"
	! grep -E "$TRACER_FRAMES" "$OUT" || fail "session $1: the tracer's frames in the events"
	[[ -s $folded ]] || fail "session $1: no folded stacks"
	! grep -E "$TRACER_FRAMES|\?\?" "$folded" ||
		fail "session $1: the tracer's frames in the folded stacks"
}

@test "kernel stacks without the tracer's frames: sessions 1-2" {
	kstack_session 1
	kstack_session 2
}

@test "kernel stacks without the tracer's frames: sessions 3-4" {
	kstack_session 3
	kstack_session 4
}

@test "kernel stacks without the tracer's frames: sessions 5-6" {
	kstack_session 5
	kstack_session 6
}

@test "kernel stacks without the tracer's frames: sessions 7-8" {
	kstack_session 7
	kstack_session 8
}

@test "kernel stacks without the tracer's frames: sessions 9-10" {
	kstack_session 9
	kstack_session 10
}

@test "kernel stacks without the tracer's frames: sessions 11-12" {
	kstack_session 11
	kstack_session 12
}

@test "kernel stacks without the tracer's frames: sessions 13-14" {
	kstack_session 13
	kstack_session 14
}

@test "kernel stacks without the tracer's frames: sessions 15-16" {
	kstack_session 15
	kstack_session 16
}

@test "kernel stacks without the tracer's frames: sessions 17-18" {
	kstack_session 17
	kstack_session 18
}

@test "kernel stacks without the tracer's frames: sessions 19-20" {
	kstack_session 19
	kstack_session 20
}
