#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# `allocfail check`: every failure source with its hook on this kernel.

load lib/helpers

@test "check: text lists the syscall source" {
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" check
	[[ $status -eq 0 ]] || fail "status $status: $stderr"
	grep -q '^syscall ' <<<"$output" || fail "no syscall source: $output"
}

@test "check --json: parses, the syscall source uses tp_btf" {
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" check --json
	[[ $status -eq 0 ]] || fail "status $status: $stderr"
	jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
	jq -e '.sources[] | select(.source == "syscall") | .hook == "tp_btf"' <<<"$output" \
		>/dev/null || fail "syscall source hook is not tp_btf: $output"
}
