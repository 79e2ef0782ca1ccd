#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Symbols that survive the process (issue 5): a process that fails and exits at once, and one
# older than the tracer, are symbolized from the mappings the kernel reported, not from a
# /proc/PID/maps that is gone by the time the event is read. (The OOM-killed trigger's stack is
# checked in causes.bats.)

load lib/helpers

# assert_fast_exit_event PID: the one event is fast_exit's mmap, its user stack named.
assert_fast_exit_event() {
	EVENT=$(events | jq -c 'select(.type == "syscall")')
	[[ -n $EVENT ]] || fail "no syscall event: $(events)"
	jq_check ".pid == $1 and .syscall.name == \"mmap\"" "fast_exit's mmap"
	assert_ustack fast_exit_map fast_exit_middle fast_exit_outer main
	jq_check '[.ustack[] | select(.sym == "fast_exit_map")][0] |
		(.file | endswith("progs/fast_exit.c")) and .line > 0' "file:line of the innermost"
}

@test "run: a process that fails and exits at once is symbolized" {
	run_case fast_exit
	assert_syscall_event mmap 9
	assert_enomem
	read -r pid _ <"$PIDFILE"
	assert_fast_exit_event "$pid"
}

@test "whole machine (--comm): a process that fails and exits at once is symbolized" {
	local pid
	start_tracer --comm fast_exit
	AF_PIDFILE=$PIDFILE timeout -k 5 20 "$PROGS/fast_exit" || fail "fast_exit failed to fail"
	read -r pid _ <"$PIDFILE"
	# it is gone before the tracer is told to stop, let alone reads the event
	kill -0 "$pid" 2>/dev/null && fail "fast_exit $pid still runs"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_summary 1
	assert_fast_exit_event "$pid"
}

# Older than the tracer: its mappings come from /proc, read when the tracer starts.
@test "-p: a process older than the tracer that fails and exits at once is symbolized" {
	local target
	"$PROGS/wait_then_fail" 3>&- &
	target=$!
	CLEANUP_PIDS+=("$target")
	wait_file "$PIDFILE" 10 || fail "wait_then_fail did not start"
	start_tracer -p "$target"
	kill -USR1 "$target"
	wait_gone "$target" 10 || fail "wait_then_fail did not finish"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_summary 1
	EVENT=$(events)
	assert_ustack do_late_map fail_when_told main
}

