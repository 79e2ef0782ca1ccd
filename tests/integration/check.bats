#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# `allocfail check`: every failure source with its hook on this kernel.

load lib/helpers

# The failure sources, in check's order.
SOURCES="syscall page_alloc zone compaction reclaim kmalloc kmem_cache oom_kill memcg fork exit"

# check_json: `allocfail check --json` into CHECK; its text into TEXT.
check_both() {
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" check --json
	[[ $status -eq 0 ]] || fail "check --json: status $status: $stderr"
	CHECK=$output
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" check
	[[ $status -eq 0 ]] || fail "check: status $status: $stderr"
	TEXT=$output
}

@test "check --json: this kernel, every source with its hook, the first usable rung" {
	check_both
	jq -e --arg k "$(uname -r)" --arg s "$SOURCES" '.kernel == $k and
		([.sources[].source] == ($s | split(" "))) and
		(.sources | all((.what | type == "string" and length > 0) and
			([.candidates[] | select(.usable)][0] | [.hook, .target]) ==
				[.hook, .target]
			and (.candidates | all(if .usable then .why == null
				else (.why | type == "string" and length > 0) end))))' \
		<<<"$CHECK" >/dev/null || fail "check --json: $CHECK"
	jq -e '.sources[] | select(.source == "syscall") | .hook == "tp_btf" and
		.target == "sys_exit"' <<<"$CHECK" >/dev/null ||
		fail "syscall source hook is not tp_btf sys_exit: $CHECK"
}

@test "check: the text says what the JSON says, the used rung marked" {
	local want
	check_both
	want="kernel $(uname -r): hooks per failure source (* = used), best first"
	[[ ${TEXT%%$'\n'*} == "$want" ]] || fail "first line: ${TEXT%%$'\n'*}"
	# "SOURCE HOOK WHAT", then "  [*] HOOK TARGET ok|WHY" per candidate
	want=$(jq -r '.sources[] | .hook as $h | .target as $t | "\(.source) \(.hook) \(.what)",
		(.candidates[] | "\(if .hook == $h and .target == $t then "*" else "-" end) " +
			"\(.hook) \(.target) \(.why // "ok")")' <<<"$CHECK")
	diff <(printf '%s\n' "$want") <(sed -e 1d -e 's/^    \* /* /' -e 's/^      /- /' \
		-e 's/  */ /g' <<<"$TEXT") >&2 || fail "the text differs from the JSON: $TEXT"
}
