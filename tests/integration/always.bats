#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Always on (issue 13): what a tracer left running for days must keep doing. A process stays
# traced while any of its threads lives, not only while its leader does.

load lib/helpers

# The leader calls pthread_exit first; its worker then fails three mmaps over RLIMIT_AS. `run`
# traces the process by tgid: all three must be reported (the same site: one record, then a
# count of two, or three records).
@test "run: a process whose leader exits first stays traced while its worker fails" {
	trace_prog leader_exit
	[[ $status -eq 0 ]] || fail "leader_exit: status $status: $output"
	local failures
	failures=$(jq -s '[.[] | select((.type == "syscall" and .syscall.name == "mmap") or
		(.type == "count" and .syscall == "mmap")) | .count] | add // 0' "$OUT")
	[[ $failures -eq 3 ]] || fail "$failures mmap failures reported, expected 3: $(cat "$OUT")"
	EVENT=$(events | head -n 1)
	assert_contract
	jq_check '.comm == "leader_exit" and .syscall.name == "mmap" and .pid != .tid' \
		"the worker's failure, after its leader left"
	assert_cause rlimit_as
}
