#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The tracer survives what it diagnoses (issue 6): a memory hog fills the memory cgroup the
# tracer itself runs in, the cgroup's OOM killer takes the hog, and the tracer, its memory
# locked, keeps reporting: a failure made after the hog died is caught.

load lib/helpers

@test "survive: a hog exhausts the tracer's own memory cgroup; the tracer reports on" {
	local ready=$BATS_TEST_TMPDIR/ready hog lck adj
	memcg_make survive $((192 << 20))
	# the tracer joins the cgroup, then execs: TRACER_PID is the tracer
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$MEMCG" \
		"$AF" trace --json -o "$OUT" --ready-file "$ready" 2>"$ERR" 3>&- &
	TRACER_PID=$!
	wait_file "$ready" 20 || [[ -e $ready ]] || fail "the tracer did not start: $(cat "$ERR")"
	lck=$(awk '/^VmLck:/ { print $2 }' "/proc/$TRACER_PID/status")
	[[ $lck -gt 0 ]] || fail "the tracer's memory is not locked (VmLck $lck kB)"
	adj=$(cat "/proc/$TRACER_PID/oom_score_adj")

	# the hog, in the same cgroup, touches far more than the limit: the cgroup's OOM killer
	# must choose between it and the tracer
	run timeout -k 5 60 "$PROGS/oom_hog" "$MEMCG" 1024
	[[ $status -eq 137 ]] || fail "the hog was not OOM-killed (status $status): $output"
	read -r hog _ <"$PIDFILE" || fail "oom_hog did not write $PIDFILE"
	kill -0 "$TRACER_PID" || fail "the tracer died with the hog (oom_score_adj $adj)"

	# a failure after the hog's death, outside the cgroup: still reported
	run timeout -k 5 20 "$PROGS/rlimit_as"
	[[ $status -eq 0 ]] || fail "rlimit_as: $output"
	read -r pid _ <"$PIDFILE" || fail "rlimit_as did not write $PIDFILE"
	sleep 0.5
	stop_tracer
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer status $TRACER_STATUS: $(cat "$ERR")"
	jq -s -e --argjson h "$hog" 'any(.[]; .type == "oom_kill" and
		.oom_kill.victim.pid == $h)' "$OUT" >/dev/null ||
		fail "no oom_kill of the hog ($hog): $(jq -c 'select(.type == "oom_kill")' "$OUT")"
	jq -s -e --argjson p "$pid" 'any(.[]; .type == "syscall" and .pid == $p and
		.syscall.name == "mmap" and .cause.code == "rlimit_as")' "$OUT" >/dev/null ||
		fail "rlimit_as's failure after the hog died was not reported"
	jq -s -e 'any(.[]; .type == "summary" and .lost == 0)' "$OUT" >/dev/null ||
		fail "lost events: $(jq -c 'select(.type == "summary")' "$OUT")"
}
