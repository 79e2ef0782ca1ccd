#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The exports as real consumers read them: pprof-format (npm) decodes the pprof file, speedscope
# (npm) imports the folded file, Chromium renders the SVG. Installs what is missing (Debian's
# chromium and tesseract; npm ci from the committed lock into build/consumers), writes the
# fixture's exports with the unit test binary (AF_EXPORT_DIR), runs the node tests.
# TEST_EXPORTERS=path uses that binary instead of making build/tests/test_exporters.
# Prints "N passed, N failed, N skipped"; exits nonzero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$root/build/consumers
start=$(date +%s)

say() {
	echo "consumers: $* ($(($(date +%s) - start))s)" >&2
}

# Setup that fails is a failed test, counted as one.
die() {
	say "$*"
	echo "0 passed, 1 failed"
	exit 1
}

install_debs() {
	missing=
	for p in chromium tesseract-ocr tesseract-ocr-eng; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing Debian packages:$missing; run as root"
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2 || die "cannot install$missing"
}

# Reinstalled only when the lock changed.
install_node_modules() {
	mkdir -p "$work" || die "cannot create $work"
	if [ -d "$work/node_modules" ] && cmp -s "$here/package-lock.json" "$work/package-lock.json"
	then
		return 0
	fi
	cp "$here/package.json" "$here/package-lock.json" "$work/" || die "cannot copy to $work"
	(cd "$work" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed"
	say "node modules installed"
}

write_exports() {
	gen=${TEST_EXPORTERS:-}
	if [ -z "$gen" ]; then
		gen=$root/build/tests/test_exporters
		make -C "$root" --no-print-directory build/tests/test_exporters >&2 ||
			die "cannot build $gen"
	fi
	rm -rf "$work/out"
	mkdir -p "$work/out" || die "cannot create $work/out"
	AF_EXPORT_DIR="$work/out" "$gen" || die "$gen could not write the exports"
	say "exports written to $work/out"
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	die "node and npm are needed"
fi
install_debs
install_node_modules
write_exports

tap=$work/tap.txt
NODE_PATH="$work/node_modules" AF_EXPORTS="$work/out" \
	node --test --test-reporter=tap "$here"/*.test.js >"$tap" 2>&1
rc=$?
grep -E '^(not )?ok ' "$tap" >&2
[ "$rc" = 0 ] || grep -vE '^(# Subtest|ok |  ---|  duration_ms|  \.\.\.)' "$tap" >&2
say "node tests done"
pass=$(sed -n 's/^# pass //p' "$tap")
fail=$(sed -n 's/^# fail //p' "$tap")
skip=$(sed -n 's/^# skipped //p' "$tap")
if [ -z "$pass" ] || [ -z "$fail" ]; then
	die "no test summary from node (exit $rc), see $tap"
fi
# node failing without a failed test (a crash) still fails the run
[ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1
echo "$pass passed, $fail failed, ${skip:-0} skipped"
[ "$fail" = 0 ]
