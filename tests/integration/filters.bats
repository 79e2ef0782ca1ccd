#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# In-kernel filters: -p, -c (v1 and v2 directories, with descendants), --comm. Each test runs a
# failing program inside the filter and one outside; only the inside ones may be reported.

load lib/helpers

# run_outside NAME: a failing program outside every filter; its pid into $BATS_TEST_TMPDIR/NAME.
run_prog() {
	AF_PIDFILE=$BATS_TEST_TMPDIR/$1 timeout -k 5 20 "$PROGS/$1" || fail "$1 failed to fail"
}

# pid_of NAME: the pid a program run by run_prog or in_cgroup wrote.
pid_of() {
	local pid
	read -r pid _ <"$BATS_TEST_TMPDIR/$1" || fail "no pid file for $1"
	echo "$pid"
}

# assert_pids PID...: the events come from exactly these processes, one each.
assert_pids() {
	local want got
	want=$(printf '%s\n' "$@" | sort -n | tr '\n' ' ')
	got=$(events | jq -r .pid | sort -n | tr '\n' ' ')
	[[ $got == "$want" ]] || fail "events from pids [$got], expected [$want]: $(events)"
	while read -r EVENT; do
		assert_contract
	done < <(events)
}

@test "-p: a failure in the traced process is reported, one outside is not" {
	local target
	"$PROGS/wait_then_fail" 3>&- &
	target=$!
	CLEANUP_PIDS+=("$target")
	wait_file "$PIDFILE" 10 || fail "wait_then_fail did not start"
	start_tracer -p "$target"
	run_prog address_space
	kill -USR1 "$target"
	wait_gone "$target" 10 || fail "wait_then_fail did not finish"
	wait "$target" || fail "wait_then_fail exited $?"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_summary 1
	assert_pids "$target"
	EVENT=$(events)
	jq_check '.comm == "wait_then_fail" and .syscall.name == "mmap"' "the -p process's event"
}

# cgroup_filter_case ROOT: a cgroup with a child under ROOT; a program in each, one outside.
cgroup_filter_case() {
	local cg=$1/allocfail-test.$$.filter
	cgroup_make "$cg"
	cgroup_make "$cg/child"
	start_tracer -c "$cg"
	run_prog address_space
	AF_PIDFILE=$BATS_TEST_TMPDIR/in in_cgroup "$cg" "$PROGS/address_space" ||
		fail "address_space in $cg failed to fail"
	AF_PIDFILE=$BATS_TEST_TMPDIR/sub in_cgroup "$cg/child" "$PROGS/mlock_holes" ||
		fail "mlock_holes in $cg/child failed to fail"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_summary 2
	assert_pids "$(pid_of in)" "$(pid_of sub)"
}

@test "-c with a v1 memory cgroup: its processes and its descendants' only" {
	[[ -d /sys/fs/cgroup/memory ]] || skip "no v1 memory hierarchy"
	cgroup_filter_case /sys/fs/cgroup/memory
}

@test "-c with a cgroup2 directory: its processes and its descendants' only" {
	local root=/sys/fs/cgroup/unified
	[[ -f $root/cgroup.procs ]] || root=/sys/fs/cgroup
	grep -q " $root cgroup2 " /proc/mounts || skip "no cgroup2 hierarchy"
	cgroup_filter_case "$root"
}

@test "--comm: only processes of that name" {
	start_tracer --comm mremap_in_place
	run_prog address_space
	run_prog mremap_in_place
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_summary 1
	assert_pids "$(pid_of mremap_in_place)"
}
