#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Outputs that fail and files that are not ours (issue 13 items 3 and 6): a full filesystem stops
# one output, said once with its own error, counted in the summary, and tracing and the other
# outputs go on; a record cut short by it keeps its whole chunks and reads back, saying so. No
# output is written through a symbolic link, into a FIFO or a file of another user; new ones
# are 0600. report refuses what is not a record in one line, without reading it all.

load lib/helpers

NPROCS=50

setup() {
	af_setup
	MNT= STICKY=
}

teardown() {
	if [[ -n $MNT ]]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
		rmdir "$MNT" 2>/dev/null || true
	fi
	[[ -z $STICKY ]] || rm -rf "$STICKY"
	for p in "${CLEANUP_PIDS[@]}" $TRACER_PID; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# full_tmpfs: a 1 MiB tmpfs at $MNT with 32 KiB left: room for a few events, not for 50.
full_tmpfs() {
	MNT=$BATS_TEST_TMPDIR/full
	mkdir "$MNT"
	if ! mount -t tmpfs -o size=1m tmpfs "$MNT" 2>/dev/null; then
		rmdir "$MNT"
		MNT=
		skip "cannot mount a tmpfs here"
	fi
	dd if=/dev/zero of="$MNT/fill" bs=4k count=248 2>/dev/null || true
}

# failing_procs: a shell running $NPROCS rlimit_as, each a failing process of its own.
FAILING=(sh -c 'for i in $(seq "$2"); do "$1"/rlimit_as; done; true' sh)

@test "live -o JSON on a full filesystem: said once, tracing and the other outputs go on" {
	local folded=$BATS_TEST_TMPDIR/out.folded total

	[[ -x $PROGS/rlimit_as ]] || fail "$PROGS/rlimit_as is not built"
	full_tmpfs
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run --json -o "$MNT/out.json" \
		--folded "$folded" -- "${FAILING[@]}" "$PROGS" "$NPROCS"
	[[ $status -eq 1 ]] || fail "status $status, expected 1 (a write failed): $stderr"
	[[ $(grep -c "cannot write $MNT/out.json: No space left on device" <<<"$stderr") -eq 1 ]] ||
		fail "expected the failure once, with ENOSPC's text: $stderr"
	[[ $stderr =~ ([0-9]+)\ of\ $NPROCS\ events\ not\ written\ to\ $MNT/out.json ]] ||
		fail "expected the count of events not written: $stderr"
	((BASH_REMATCH[1] > 0)) || fail "no event counted as not written: $stderr"
	# every failing process reached the other output
	total=$(awk '{ s += $NF } END { print s + 0 }' "$folded")
	[[ $total -eq $NPROCS ]] || fail "the folded export counts $total of $NPROCS failures"
	# the JSON kept is whole lines, each an event
	[[ -s $MNT/out.json ]] || fail "nothing was written before the disk filled"
	[[ $(tail -c 1 "$MNT/out.json" | od -An -c | tr -d ' ') == '\n' ]] ||
		fail "the JSON output ends mid-line"
	jq -e -s 'length > 0 and all(.type == "syscall")' "$MNT/out.json" >/dev/null ||
		fail "the JSON output kept is not whole events"
}

@test "record on a full filesystem: the live summary counts it, the record reads back cut short" {
	local rec kept

	[[ -x $PROGS/rlimit_as ]] || fail "$PROGS/rlimit_as is not built"
	full_tmpfs
	rec=$MNT/session.afrec
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" record -o "$rec" -- \
		"${FAILING[@]}" "$PROGS" "$NPROCS"
	[[ $status -eq 1 ]] || fail "status $status, expected 1 (a write failed): $stderr"
	[[ $(grep -c "cannot write $rec: No space left on device" <<<"$stderr") -eq 1 ]] ||
		fail "expected the failure once, with ENOSPC's text: $stderr"
	# tracing went on: the live summary counts every process, and the failed record
	[[ $output == *"events: $NPROCS (syscall $NPROCS)"* ]] ||
		fail "the live summary does not count $NPROCS events: $output"
	[[ $output =~ WARNING:\ the\ record\ output\ failed\ \(No\ space\ left\ on\ device\):\ ([0-9]+)\ events ]] ||
		fail "the summary does not count the failed record: $output"
	[[ $stderr =~ ([0-9]+)\ events?\ recorded\ to\ $rec\ before\ its\ write\ failed ]] ||
		fail "expected what the record kept: $stderr"
	kept=${BASH_REMATCH[1]}
	((kept > 0 && kept < NPROCS)) || fail "the record kept $kept events"
	[[ -f $rec ]] || fail "the record was deleted"
	run --separate-stderr timeout -k 5 10 "$AF" report --json "$rec"
	[[ $status -eq 0 ]] || fail "report of the cut record: status $status: $stderr"
	[[ ${#stderr_lines[@]} -eq 1 && ${stderr_lines[0]} == *"$rec was cut short: its $kept events"* ]] ||
		fail "expected one line saying it was cut short: $stderr"
	[[ $(jq -s "map(select(.type == \"syscall\")) | length" <<<"$output") -eq $kept ]] ||
		fail "report printed other than $kept events: $output"
	jq -e -s "map(select(.type == \"summary\")) | length == 1 and .[0].events == $kept" \
		<<<"$output" >/dev/null || fail "the cut record's summary is not its events' count"
}

# refused ARGS...: allocfail ARGS exits 2 within 10 s with one line on stderr, in $stderr.
refused() {
	run --separate-stderr timeout -k 5 10 "$AF" "$@"
	[[ $status -eq 2 ]] || fail "$*: status $status, expected 2 ($stderr)"
	[[ ${#stderr_lines[@]} -eq 1 ]] || fail "$*: expected one line on stderr: $stderr"
}

# Every option that names an output file, with the file as its last word.
OUTPUT_OPTS=("run -o" "run --folded" "run --svg" "run --pprof" "record -o")

@test "outputs: a symbolic link another user planted in a sticky directory is not followed" {
	local dir victim=$BATS_TEST_TMPDIR/victim opt

	command -v setpriv >/dev/null || skip "setpriv is missing"
	# a sticky directory nobody can reach, as /tmp is (the test's own is root's, 0700)
	dir=$(mktemp -d /tmp/allocfail-sticky.XXXXXX)
	STICKY=$dir
	chmod 1777 "$dir"
	echo precious >"$victim"
	chmod 600 "$victim"
	setpriv --reuid nobody --regid nogroup --clear-groups ln -s "$victim" "$dir/out" ||
		setpriv --reuid 65534 --regid 65534 --clear-groups ln -s "$victim" "$dir/out"
	[[ -L $dir/out && $(stat -c %u "$dir/out") -ne 0 ]] || fail "nobody's link was not planted"
	for opt in "${OUTPUT_OPTS[@]}"; do
		# shellcheck disable=SC2086 # the option's words
		refused $opt "$dir/out" -- true
		[[ $stderr == *"cannot write $dir/out: it is a symbolic link"* ]] ||
			fail "$opt: not refused as a link: $stderr"
	done
	refused run --ready-file "$dir/out" -- true
	[[ $stderr == *"$dir/out: it is a symbolic link"* ]] ||
		fail "--ready-file: not refused as a link: $stderr"
	[[ $(cat "$victim") == precious && $(stat -c %a "$victim") == 600 ]] ||
		fail "the link's target was written"
}

@test "outputs: a FIFO is refused at once, with or without a reader" {
	local fifo=$BATS_TEST_TMPDIR/fifo opt reader

	mkfifo "$fifo"
	for opt in "${OUTPUT_OPTS[@]}"; do
		# shellcheck disable=SC2086
		refused $opt "$fifo" -- true
		[[ $stderr == *"cannot write $fifo: it is not a regular file"* ]] ||
			fail "$opt: not refused as a FIFO: $stderr"
	done
	# with a reader the open succeeds: still refused
	sleep 30 <"$fifo" &
	reader=$!
	CLEANUP_PIDS+=("$reader")
	refused run -o "$fifo" -- true
	kill "$reader" && wait "$reader" 2>/dev/null || true
	[[ $stderr == *"it is not a regular file"* ]] || fail "a read FIFO was written: $stderr"
}

@test "outputs: a file owned by another user is refused and left as it was" {
	local dir opt f

	for dir in "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/sticky"; do
		mkdir -p -m 1777 "$BATS_TEST_TMPDIR/sticky"
		f=$dir/theirs
		echo theirs >"$f"
		chown 65534:65534 "$f"
		chmod 644 "$f"
		for opt in "${OUTPUT_OPTS[@]}"; do
			# shellcheck disable=SC2086
			refused $opt "$f" -- true
			[[ $stderr == *"cannot write $f: it is owned by another user (uid 65534)"* ]] ||
				fail "$opt in $dir: $stderr"
		done
		[[ $(cat "$f") == theirs && $(stat -c %u:%a "$f") == 65534:644 ]] ||
			fail "the file in $dir was changed: $(stat -c %u:%a "$f")"
	done
}

@test "outputs: new files are 0600 whatever the umask" {
	local d=$BATS_TEST_TMPDIR f

	[[ -x $PROGS/rlimit_as ]] || fail "$PROGS/rlimit_as is not built"
	umask 022
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run -o "$d/out.txt" \
		--folded "$d/out.folded" --svg "$d/out.svg" --pprof "$d/out.pb.gz" \
		--ready-file "$d/ready" -- "$PROGS/rlimit_as"
	[[ $status -eq 0 ]] || fail "run failed ($status): $stderr"
	for f in out.txt out.folded out.svg out.pb.gz ready; do
		[[ $(stat -c %a "$d/$f") == 600 ]] || fail "$f is $(stat -c %a "$d/$f")"
	done
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" record -o "$d/s.afrec" -- true
	[[ $(stat -c %a "$d/s.afrec") == 600 ]] || fail "the record is $(stat -c %a "$d/s.afrec")"
}

# report_refuses_bounded FILE WHY: one line naming WHY, exit 2, within 10 s and 64 MiB of RSS
# (/usr/bin/time when there is one) or of address space (ulimit -v).
report_refuses_bounded() {
	local rss

	if [[ -x /usr/bin/time ]]; then
		run --separate-stderr timeout -k 5 10 /usr/bin/time -f 'maxrss %M' -o "$BATS_TEST_TMPDIR/rss" \
			"$AF" report "$1"
		rss=$(sed -n 's/^maxrss //p' "$BATS_TEST_TMPDIR/rss")
		((rss < 65536)) || fail "report $1 grew to $rss KiB"
	else
		run --separate-stderr bash -c 'ulimit -v 262144; exec timeout -k 5 10 "$@"' sh \
			"$AF" report "$1"
	fi
	[[ $status -eq 2 ]] || fail "report $1: status $status, expected 2 ($stderr)"
	[[ ${#stderr_lines[@]} -eq 1 && ${stderr_lines[0]} == "allocfail: cannot report $1: "*"$2"* ]] ||
		fail "report $1: expected one line about $2: $stderr"
	[[ -z $output ]] || fail "report $1 printed: $output"
}

@test "report: what is not a record is refused in one line, without reading it all" {
	local big=$BATS_TEST_TMPDIR/big.log fake=$BATS_TEST_TMPDIR/fake.afrec

	report_refuses_bounded /dev/zero "not an allocfail record"
	truncate -s $((2 << 30)) "$big"
	report_refuses_bounded "$big" "not an allocfail record"
	# a record's magic, then 2 GiB: refused for its size before it is read
	printf '\211AFREC\r\n' >"$fake"
	truncate -s $((2 << 30)) "$fake"
	report_refuses_bounded "$fake" "larger than a record can be"
	# the same through a pipe: read up to the bound, no further
	run --separate-stderr bash -c 'head -c $((1200 << 20)) /dev/zero | "$1" report /dev/stdin' sh "$AF"
	[[ $status -eq 2 && $stderr == *"not an allocfail record"* ]] ||
		fail "a pipe of zeros: status $status: $stderr"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run --separate-stderr timeout -k 5 10 "$AF" report "$BATS_TEST_TMPDIR/fifo"
	[[ $status -eq 2 && $stderr == *"empty file"* ]] ||
		fail "a FIFO without a writer: status $status: $stderr"
}

@test "a closed pipe on stdout: EPIPE said once, the exports still written, exit 1" {
	local rec=$BATS_TEST_TMPDIR/s.afrec folded=$BATS_TEST_TMPDIR/f.folded

	[[ -x $PROGS/rlimit_as ]] || fail "$PROGS/rlimit_as is not built"
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" record -q -o "$rec" -- "$PROGS/rlimit_as"
	[[ $status -eq 0 ]] || fail "record failed ($status): $stderr"
	# the reader gone before anything is written: the first write meets EPIPE, not SIGPIPE
	run --separate-stderr bash -c '{ sleep 1; exec "$1" report --json "$2" --folded "$3"; } | true
		echo "status ${PIPESTATUS[0]}" >&2' sh "$AF" "$rec" "$folded"
	[[ $stderr == *"status 1"* ]] || fail "expected exit status 1, not a signal: $stderr"
	[[ $(grep -c "cannot write standard output: Broken pipe" <<<"$stderr") -eq 1 ]] ||
		fail "expected EPIPE said once: $stderr"
	[[ -s $folded ]] || fail "the folded export was not written"
}
