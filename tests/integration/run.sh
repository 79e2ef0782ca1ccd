#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The integration suite: real BPF, real failures, on this machine, as root. Builds what it needs,
# runs the .bats files (all, or those given) with a time limit per test and for the whole run,
# and closes with "N passed, N failed, N skipped". Exit status: 0 only if nothing failed.
#   tests/integration/run.sh [FILE.bats...] [-f REGEX]
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
suite_limit=${AF_SUITE_TIMEOUT:-600}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-90}

# give_up WHY: the suite could not run at all; that is one failure, not a pass.
give_up() {
	echo "integration: $1" >&2
	echo "0 passed, 1 failed"
	exit 1
}

[[ $(id -u) -eq 0 ]] || give_up "needs root (real BPF): run it with sudo"
for tool in bats jq bpftool setpriv timeout make; do
	command -v "$tool" >/dev/null || give_up "$tool is missing (scripts/install-deps.sh)"
done

progs=()
for src in "$here"/progs/*.c; do
	name=${src##*/}
	progs+=("build/tests/progs/${name%.c}")
done
make -C "$root" --no-print-directory all "${progs[@]}" 2>&1 | grep -v 'is up to date' >&2
((PIPESTATUS[0] == 0)) || give_up "the build failed"

files=()
args=()
for a in "$@"; do
	if [[ $a == *.bats ]]; then
		[[ -f $a ]] || a=$here/$a # a bare name: one of ours
		files+=("$a")
	else
		args+=("$a")
	fi
done
if [[ ${#files[@]} -eq 0 ]]; then
	# AF_SUITE_EXCLUDE: files a row of the kernel matrix leaves to the others (time), said
	for f in "$here"/*.bats; do
		if [[ " ${AF_SUITE_EXCLUDE:-} " == *" ${f##*/} "* ]]; then
			echo "# not run on this row (AF_SUITE_EXCLUDE): ${f##*/}"
			continue
		fi
		files+=("$f")
	done
fi

# one suite at a time on a machine: the tests change global settings (sysctls, cgroups)
exec 9>/tmp/allocfail-integration.lock
flock -n 9 || { echo "integration: waiting for another run to finish" >&2; flock 9; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout -k 10 "$suite_limit" bats --tap "${args[@]}" "${files[@]}" | tee "$log"
rc=${PIPESTATUS[0]}

skipped=$(grep -cE '^ok [0-9]+ .* # skip' "$log")
passed=$(($(grep -cE '^ok [0-9]+' "$log") - skipped))
failed=$(grep -cE '^not ok [0-9]+' "$log")
planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
# tests that never reported (the run was cut short) count as failures, and so does a bats that
# failed without saying which test
missing=$((${planned:-0} - passed - skipped - failed))
((missing > 0)) && failed=$((failed + missing))
((rc != 0 && failed == 0)) && failed=1
((rc == 124 || rc == 137)) && echo "integration: the suite hit its ${suite_limit} s limit" >&2

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
