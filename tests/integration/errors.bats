#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Bad input and an unusable environment: one line on stderr, nothing on stdout, exit status 2.

load lib/helpers

# af_bad ARGS...: allocfail ARGS must refuse: status 2, one line on stderr, empty stdout.
af_bad() {
	run --separate-stderr timeout -k 5 10 "$AF" "$@"
	[[ $status -eq 2 ]] || fail "status $status, expected 2 (stderr: $stderr)"
	[[ ${#stderr_lines[@]} -eq 1 && -n ${stderr_lines[0]} ]] ||
		fail "expected one line on stderr, got ${#stderr_lines[@]}: $stderr"
	[[ -z $output ]] || fail "stdout not empty: $output"
}

@test "not root: refused" {
	local dir
	# a copy nobody can reach and run, wherever the tree is
	dir=$(mktemp -d)
	chmod 755 "$dir"
	cp "$AF" "$dir/allocfail"
	AF=$dir/allocfail
	run --separate-stderr timeout -k 5 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$AF" -d 1
	rm -rf "$dir"
	[[ $status -eq 2 ]] || fail "status $status, expected 2 (stderr: $stderr)"
	[[ ${#stderr_lines[@]} -eq 1 ]] || fail "expected one line on stderr: $stderr"
	[[ ${stderr_lines[0]} == "allocfail: needs root (or CAP_BPF and CAP_PERFMON):"* ]] ||
		fail "not the refusal for want of privileges: $stderr"
	[[ -z $output ]] || fail "stdout not empty: $output"
}

@test "a pid that does not exist" {
	local pid
	# a process that has just been reaped; its pid is not reused this quickly
	pid=$(sh -c 'echo $$')
	[[ ! -e /proc/$pid ]] || skip "pid $pid was reused"
	af_bad -p "$pid"
}

@test "a cgroup path that does not exist" {
	af_bad -c "/sys/fs/cgroup/unified/allocfail-no-such-cgroup.$$"
}

@test "a directory that is not a cgroup" {
	af_bad -c "$BATS_TEST_TMPDIR"
}

@test "conflicting options: run with -p" {
	af_bad run -p $$ -- true
}

@test "run without a command" {
	af_bad run
}

@test "run with -- and no command" {
	af_bad run --
}
