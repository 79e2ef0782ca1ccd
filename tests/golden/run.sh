#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `report` of every golden record (tests/golden/records: real sessions recorded by
# record-sessions.sh, and the fuzzer's seed fixtures) must print exactly what it printed when
# the record was made: JSON Lines, text, and the folded export by count and by bytes. A change
# that means to alter the output regenerates the expected files with --update and says why.
# Usage: tests/golden/run.sh [--update]   (AF: the tracer, default build/allocfail)
set -u
here=$(cd "$(dirname "$0")" && pwd)
AF=${AF:-$here/../../build/allocfail}
update=0
[[ ${1:-} == --update ]] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0

# check NAME.KIND OUTPUT_FILE: compare with (or, with --update, write) the expected file
check() {
	local want=$here/expected/$1
	if ((update)); then
		cp "$2" "$want"
		return
	fi
	if cmp -s "$2" "$want"; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		echo "not ok: report of $1 differs from tests/golden/expected/$1:"
		diff "$want" "$2" | head -n 20
	fi
}

shopt -s nullglob
recs=("$here"/records/*.afrec)
((${#recs[@]})) || { echo "no golden records in $here/records"; exit 1; }
for rec in "${recs[@]}"; do
	name=$(basename "$rec" .afrec)
	"$AF" report --json "$rec" >"$tmp/json" 2>"$tmp/json.err"
	echo "status $?" >>"$tmp/json.err"
	cat "$tmp/json.err" >>"$tmp/json"
	check "$name.json" "$tmp/json"
	"$AF" report "$rec" >"$tmp/txt" 2>&1
	echo "status $?" >>"$tmp/txt"
	check "$name.txt" "$tmp/txt"
	for w in count bytes; do
		"$AF" report --weight "$w" --folded "$tmp/folded" -o /dev/null "$rec" 2>/dev/null ||
			: >"$tmp/folded"
		check "$name.folded-$w" "$tmp/folded"
	done
done
((update)) && { echo "golden: expected output written for ${#recs[@]} records"; exit 0; }
echo "golden: $pass passed, $failed failed"
((failed == 0))
