#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Symbols that survive the process (issue 5): a process that fails and exits at once, and one
# older than the tracer, are symbolized from the mappings the kernel reported, not from a
# /proc/PID/maps that is gone by the time the event is read. The tracer is stopped (SIGSTOP)
# from before the failure until the process has exited, so it cannot win the race by reading
# fast.

load lib/helpers

MIB=1048576

# exited PID SECONDS: true once PID has exited (a zombie too: its mappings are gone).
exited() {
	local i state

	for ((i = 0; i < $2 * 20; i++)); do
		state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
		[[ -z $state || $state == Z || $state == X ]] && return 0
		sleep 0.05
	done
	return 1
}

# fail_stopped PID: with the tracer stopped, let the program (PID, waiting on $GO) fail and
# exit; the tracer continues once its /proc/PID/maps is gone.
fail_stopped() {
	kill -STOP "$TRACER_PID"
	echo go >"$GO"
	if ! exited "$1" 10; then
		kill -CONT "$TRACER_PID"
		fail "$1 did not exit"
	fi
	[[ ! -s /proc/$1/maps ]] || { kill -CONT "$TRACER_PID"; fail "$1 still has mappings"; }
	kill -CONT "$TRACER_PID"
}

# run_held READY PROG ARGS...: `allocfail run` PROG (which waits on $GO), let it fail and exit
# with the tracer stopped, and wait for the tracer: PROG's pid in HELD_PID, the tracer's status
# in TRACER_STATUS.
run_held() {
	local ready=$1 prog=$2
	shift 2
	GO=$BATS_TEST_TMPDIR/go
	mkfifo "$GO"
	rm -f "$OUT" "$PIDFILE"
	AF_GO=$GO "$AF" run --json -o "$OUT" --ready-file "$ready" -- "$PROGS/$prog" "$@" \
		2>"$ERR" 3>&- &
	TRACER_PID=$!
	wait_file "$PIDFILE" 20 || fail "$prog did not start: $(cat "$ERR")"
	read -r HELD_PID _ <"$PIDFILE"
	fail_stopped "$HELD_PID"
	wait_gone "$TRACER_PID" 20 || fail "the tracer did not finish"
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
	TRACER_PID=
}

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
	run_held "$BATS_TEST_TMPDIR/ready" fast_exit
	[[ $TRACER_STATUS -eq 0 ]] || fail "status $TRACER_STATUS: $(cat "$ERR")"
	PROG_RUN=fast_exit
	assert_syscall_event mmap 9
	assert_enomem
	assert_fast_exit_event "$HELD_PID"
}

@test "whole machine (--comm): a process that fails and exits at once is symbolized" {
	local prog pid
	GO=$BATS_TEST_TMPDIR/go
	mkfifo "$GO"
	start_tracer --comm fast_exit
	AF_GO=$GO "$PROGS/fast_exit" 3>&- &
	prog=$!
	CLEANUP_PIDS+=("$prog")
	wait_file "$PIDFILE" 10 || fail "fast_exit did not start"
	read -r pid _ <"$PIDFILE"
	fail_stopped "$pid"
	wait "$prog" || fail "fast_exit failed to fail"
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
	kill -STOP "$TRACER_PID"
	kill -USR1 "$target"
	wait "$target" || { kill -CONT "$TRACER_PID"; fail "wait_then_fail failed to fail"; }
	kill -CONT "$TRACER_PID"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_summary 1
	EVENT=$(events)
	assert_ustack do_late_map fail_when_told main
}

# The trigger of a memcg OOM kill is its victim here: SIGKILLed before the tracer reads the event.
@test "run: the OOM-killed trigger's user stack is symbolized though it is gone" {
	local pid
	memcg_make oomsym $((32 * MIB))
	run_held "$BATS_TEST_TMPDIR/ready" oom_hog "$MEMCG" 128
	pid=$HELD_PID
	[[ $TRACER_STATUS -eq 137 ]] ||
		fail "status $TRACER_STATUS, expected 137 (SIGKILL by the OOM killer): $(cat "$ERR")"
	EVENT=$(events | jq -c 'select(.type == "oom_kill")' | head -n 1)
	[[ -n $EVENT ]] || fail "no oom_kill event: $(events)"
	jq_check ".pid == $pid and .oom_kill.victim.pid == $pid" "oom_hog triggered and was killed"
	assert_ustack touch_all main
}
