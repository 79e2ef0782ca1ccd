#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# `allocfail run -- CMD`: follows CMD's descendants, passes its exit status through.

load lib/helpers

@test "run: a failure in a grandchild is caught" {
	local t=$BATS_TEST_TMPDIR outer inner pid ppid
	PROG_RUN=address_space
	# the trailing `true`s stop sh from exec'ing its last command: three processes deep
	run timeout -k 5 "$AF_TIMEOUT" "$AF" run --json -o "$OUT" -- sh -c \
		"echo \$\$ >$t/outer; sh -c 'echo \$\$ >$t/inner; $PROGS/address_space; true'; true"
	[[ $status -eq 0 ]] || fail "status $status: $output"
	read -r outer <"$t/outer"
	read -r inner <"$t/inner"
	read -r pid ppid <"$PIDFILE"
	[[ $ppid == "$inner" && $inner != "$outer" ]] ||
		fail "not a grandchild: outer $outer, inner $inner, program $pid (parent $ppid)"
	assert_syscall_event mmap 9
	assert_enomem
	assert_ustack do_beyond_task_size provoke_address_space main
}

@test "run: the command's exit status passes through" {
	run timeout -k 5 "$AF_TIMEOUT" "$AF" run --json -o "$OUT" -- sh -c 'exit 7'
	[[ $status -eq 7 ]] || fail "status $status, expected 7: $output"
	assert_summary 0
}

@test "run: a command killed by SIGKILL gives 137" {
	run timeout -k 5 "$AF_TIMEOUT" "$AF" run --json -o "$OUT" -- sh -c 'kill -KILL $$'
	[[ $status -eq 137 ]] || fail "status $status, expected 137: $output"
	assert_summary 0
}
