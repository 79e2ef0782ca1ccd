#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Signals (issue 13 item 4) and the line that says tracing has begun (item 8): the first SIGINT
# or SIGTERM stops cleanly and the ones after it are ignored, so the summary, the diagnosis and
# a record are complete however the signals come (timeout -s INT to the group, a double Ctrl-C);
# run's command never outlives the tracer; a stop during start-up ends it at once; SIGHUP
# reopens -o.

load lib/helpers

# 20 tracer start-ups per test for the double signals: longer than the default bound under QEMU.
BATS_TEST_TIMEOUT=${AF_SIGNALS_TEST_TIMEOUT:-400}
TRIES=${AF_SIGNALS_TRIES:-20}

# wait_ready FILE: true once the tracer has created its --ready-file FILE (20 s at most).
wait_ready() {
	local i

	for ((i = 0; i < 400; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.05
	done
	return 1
}

# fail_once: rlimit_as, one mmap refused with ENOMEM (the event under test).
fail_once() {
	"$PROGS/rlimit_as" >/dev/null 3>&- || fail "rlimit_as failed to fail"
}

# complete WHAT: $OUT holds the one event of rlimit_as, the summary and its diagnosis.
complete() {
	local why

	why=$(assert_summary 1 2>&1) || fail "$1: $why; stderr: $(cat "$ERR")"
}

# double_stop GAP: 20 times, a tracer on rlimit_as that saw its failure gets two SIGINTs GAP
# apart ("" back to back); its output is complete every time, exit status 0.
double_stop() {
	local i

	for ((i = 1; i <= TRIES; i++)); do
		start_tracer --comm rlimit_as -q
		fail_once
		kill -INT "$TRACER_PID"
		[[ -n $1 ]] && sleep "$1"
		kill -INT "$TRACER_PID" 2>/dev/null || true
		wait_gone "$TRACER_PID" 10 || fail "try $i: the tracer did not exit"
		TRACER_STATUS=0
		wait "$TRACER_PID" || TRACER_STATUS=$?
		TRACER_PID=
		[[ $TRACER_STATUS -eq 0 ]] || fail "try $i: exit status $TRACER_STATUS: $(cat "$ERR")"
		complete "try $i"
		# the second one is ignored, and said so, unless it merged with the first
		[[ ! -s $ERR ]] || grep -qx "allocfail: stopping already, finishing the outputs: further signals are ignored" "$ERR" ||
			fail "try $i: unexpected stderr: $(cat "$ERR")"
	done
}

@test "two SIGINTs back to back: summary and diagnosis every time" {
	double_stop ""
}

@test "two SIGINTs 10 ms apart: summary and diagnosis every time" {
	double_stop 0.01
}

@test "timeout -s INT signals the whole group: run's output is complete" {
	local ready=$BATS_TEST_TMPDIR/ready status=0 i

	rm -f "$OUT"
	# timeout's own alarm, sent early: SIGINT to the tracer, then to its process group (the
	# tracer, the shell, its sleep) as when the time runs out
	timeout -s INT 120 "$AF" run --json -o "$OUT" --ready-file "$ready" -- \
		sh -c '"$1"/rlimit_as >/dev/null; exec sleep 100' sh "$PROGS" 2>"$ERR" 3>&- &
	local to=$!
	CLEANUP_PIDS+=("$to")
	wait_ready "$ready" || fail "the tracer did not start: $(cat "$ERR")"
	sleep 0.3 # rlimit_as runs
	kill -ALRM "$to"
	wait_gone "$to" 15 || fail "timeout did not end"
	wait "$to" || status=$?
	# timeout's own status once its time ran out; the tracer's output says the rest
	[[ $status -eq 124 ]] || fail "status $status, expected timeout's 124: $(cat "$ERR")"
	complete "timeout -s INT"
}

@test "record: two SIGINTs keep every event, report reads them" {
	local ready=$BATS_TEST_TMPDIR/ready rec=$BATS_TEST_TMPDIR/s.afrec status=0 i

	"$AF" record -o "$rec" -j --comm rlimit_as --ready-file "$ready" >"$OUT" 2>"$ERR" 3>&- &
	TRACER_PID=$!
	wait_ready "$ready" || fail "record did not start: $(cat "$ERR")"
	fail_once
	kill -INT "$TRACER_PID"
	kill -INT "$TRACER_PID" 2>/dev/null || true
	wait_gone "$TRACER_PID" 10 || fail "record did not exit"
	wait "$TRACER_PID" || status=$?
	TRACER_PID=
	[[ $status -eq 0 ]] || fail "record: status $status: $(cat "$ERR")"
	grep -qx "allocfail: 1 event recorded to $rec" "$ERR" || fail "stderr: $(cat "$ERR")"
	complete "record's live output"
	run --separate-stderr timeout -k 5 20 "$AF" report --json "$rec"
	[[ $status -eq 0 && -z $stderr ]] || fail "report: status $status: $stderr"
	printf '%s\n' "$output" >"$OUT"
	complete "report of the record"
}

# command_pid: the pid of run's command, as the start line in $ERR names it, if it runs.
command_pid() {
	local pid

	pid=$(sed -n 's/^allocfail: tracing the command .* (pid \([0-9]*\)) and its descendants.*/\1/p' "$ERR")
	[[ -n $pid ]] && kill -0 "$pid" && echo "$pid"
}

# run_stopped SIGNAL COMMAND...: allocfail run -- COMMAND, stopped by SIGNAL once tracing; the
# command is gone afterwards. Sets TRACER_STATUS, CHILD, STOPPED_AT ($SECONDS at the stop).
run_stopped() {
	local ready=$BATS_TEST_TMPDIR/ready sig=$1 i

	shift
	rm -f "$ready"
	"$AF" run --json -o "$OUT" --ready-file "$ready" -- "$@" 2>"$ERR" 3>&- &
	TRACER_PID=$!
	wait_ready "$ready" || fail "run did not start: $(cat "$ERR")"
	CHILD=$(command_pid) || fail "no command running: $(cat "$ERR")"
	CLEANUP_PIDS+=("$CHILD")
	sleep 0.2 # exec'd
	STOPPED_AT=$SECONDS
	kill -"$sig" "$TRACER_PID"
	wait_gone "$TRACER_PID" 10 || fail "run did not exit after SIG$sig"
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
	TRACER_PID=
	wait_gone "$CHILD" 1 || fail "the command $CHILD outlived the tracer"
}

@test "run: SIGINT and SIGTERM reach the command, which never outlives the tracer" {
	run_stopped INT sleep 100
	[[ $TRACER_STATUS -eq 130 ]] || fail "status $TRACER_STATUS, expected 130: $(cat "$ERR")"
	assert_summary 0
	run_stopped TERM sleep 100
	[[ $TRACER_STATUS -eq 143 ]] || fail "status $TRACER_STATUS, expected 143: $(cat "$ERR")"
	assert_summary 0
}

@test "run: a command that ignores the stop is killed 3 s later, the output complete" {
	# sh's trap "" is inherited by sleep as ignored
	run_stopped INT sh -c 'trap "" INT TERM; exec sleep 100'
	((SECONDS - STOPPED_AT < 9)) || fail "took $((SECONDS - STOPPED_AT)) s from the stop"
	[[ $TRACER_STATUS -eq 137 ]] || fail "status $TRACER_STATUS, expected 137: $(cat "$ERR")"
	grep -q "did not exit within 3 s of SIGINT: killing it" "$ERR" || fail "stderr: $(cat "$ERR")"
	assert_summary 0
}

@test "run: the command dies with a SIGKILLed tracer" {
	local ready=$BATS_TEST_TMPDIR/ready i child

	"$AF" run -o "$OUT" --ready-file "$ready" -- sleep 100 2>"$ERR" 3>&- &
	TRACER_PID=$!
	wait_ready "$ready" || fail "run did not start: $(cat "$ERR")"
	child=$(command_pid) || fail "no command running: $(cat "$ERR")"
	CLEANUP_PIDS+=("$child")
	kill -KILL "$TRACER_PID"
	wait_gone "$child" 2 || fail "sleep $child outlived its SIGKILLed tracer"
}

# start_stop DELAY [run]: a tracer (run: of a held command) stopped DELAY s into its start-up
# ends within the bound, before tracing, exit status 130; the held command never ran.
start_stop() {
	local t0 t1 ms status=0 bound=${AF_START_STOP_MS:-300}

	if [[ ${2:-} == run ]]; then
		"$AF" run -o "$OUT" -- touch "$BATS_TEST_TMPDIR/ran" 2>"$ERR" 3>&- &
	else
		"$AF" -o "$OUT" 2>"$ERR" 3>&- &
	fi
	TRACER_PID=$!
	sleep "$1"
	grep -q "^allocfail: tracing " "$ERR" && skip "started within $1 s: nothing to interrupt"
	t0=${EPOCHREALTIME/./}
	kill -INT "$TRACER_PID"
	wait "$TRACER_PID" || status=$?
	t1=${EPOCHREALTIME/./}
	TRACER_PID=
	ms=$(((t1 - t0) / 1000)) # EPOCHREALTIME: µs, no date(1) %N in the VM
	echo "# stopped ${1} s into the start-up${2:+ ($2)}: gone in $ms ms" >&3
	[[ $status -eq 130 ]] || fail "status $status, expected 130: $(cat "$ERR")"
	grep -qx "allocfail: stopped before tracing began" "$ERR" || fail "stderr: $(cat "$ERR")"
	((ms < bound)) || fail "$ms ms from SIGINT to exit, bound $bound ms"
	[[ ! -e $BATS_TEST_TMPDIR/ran ]] || fail "the held command ran"
}

@test "a stop during start-up ends the tracer at once" {
	start_stop 0.2
	start_stop 0.6
	start_stop 0.6 run
	# to the whole group, the held command too: still one line, and it never ran
	run --separate-stderr timeout -s INT 0.6 "$AF" run -o "$OUT" -- touch "$BATS_TEST_TMPDIR/ran"
	[[ $stderr == "allocfail: stopped before tracing began" ]] ||
		skip "not stopped during start-up ($status): $stderr"
	[[ ! -e $BATS_TEST_TMPDIR/ran ]] || fail "the held command ran"
}

@test "SIGHUP reopens -o: the next failure lands in the new file" {
	local old=$BATS_TEST_TMPDIR/old.jsonl i

	start_tracer --comm rlimit_as -q
	fail_once
	for ((i = 0; i < 100; i++)); do
		grep -q '"type":"syscall"' "$OUT" && break
		sleep 0.05
	done
	grep -q '"type":"syscall"' "$OUT" || fail "no event in $OUT: $(cat "$ERR")"
	mv "$OUT" "$old"
	kill -HUP "$TRACER_PID"
	for ((i = 0; i < 100; i++)); do
		[[ -e $OUT ]] && break
		sleep 0.05
	done
	[[ -e $OUT ]] || fail "$OUT not created again after SIGHUP: $(cat "$ERR")"
	[[ $(stat -c %a "$OUT") == 600 ]] || fail "reopened with mode $(stat -c %a "$OUT")"
	fail_once
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "exit status $TRACER_STATUS: $(cat "$ERR")"
	[[ $(jq -c 'select(.type == "syscall")' "$old" | wc -l) -eq 1 ]] ||
		fail "the moved file: $(cat "$old")"
	[[ $(jq -c 'select(.type == "syscall")' "$OUT" | wc -l) -eq 1 ]] ||
		fail "the new file: $(cat "$OUT")"
	jq -se '.[-2].type == "summary" and .[-2].events == 2 and .[-1].type == "diagnosis"' \
		"$OUT" >/dev/null || fail "no summary of both failures in the new file: $(cat "$OUT")"
	[[ ! -s $ERR ]] || fail "stderr: $(cat "$ERR")"
}

@test "a line says what is traced and with which hooks; -q silences it" {
	local cg line

	start_tracer
	stop_tracer INT
	line=$(head -n 1 "$ERR")
	[[ $line =~ ^allocfail:\ tracing\ the\ whole\ machine\;\ hooks:\ syscall\ [a-z_]+\ [a-z_]+ ]] ||
		fail "start line: $(cat "$ERR")"
	[[ $line == *"page_alloc "* ]] || fail "no page_alloc hook: $line"
	start_tracer -p $$ --comm bash
	stop_tracer INT
	[[ $(head -n 1 "$ERR") == "allocfail: tracing pids $$, with command name bash; hooks: syscall "* ]] ||
		fail "start line: $(cat "$ERR")"
	cg=/sys/fs/cgroup/unified
	[[ -f $cg/cgroup.procs ]] || cg=/sys/fs/cgroup
	[[ -f $cg/cgroup.procs ]] || cg=/sys/fs/cgroup/memory
	cg=$cg/allocfail-test.$$.start
	cgroup_make "$cg"
	start_tracer -c "$cg"
	stop_tracer INT
	[[ $(head -n 1 "$ERR") == "allocfail: tracing cgroup $cg; hooks: "* ]] ||
		fail "start line: $(cat "$ERR")"
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run -o "$OUT" -- true
	[[ $status -eq 0 && ${#stderr_lines[@]} -eq 1 &&
		${stderr_lines[0]} =~ ^allocfail:\ tracing\ the\ command\ true\ \(pid\ [0-9]+\)\ and\ its\ descendants\;\ hooks:\ syscall ]] ||
		fail "run: status $status, stderr: $stderr"
	start_tracer -q
	stop_tracer INT
	[[ ! -s $ERR ]] || fail "-q: stderr: $(cat "$ERR")"
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run -q -o "$OUT" -- true
	[[ $status -eq 0 && -z $stderr ]] || fail "run -q: status $status, stderr: $stderr"
}
