#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# record and report (docs/record-format.md): a recorded session of real failures reads back as
# what the live session printed, in JSON line for line, in text with the recorded machine's
# diagnosis, and in the flamegraph exports byte for byte; without root and without the traced
# binaries; a symlink is not written through; a cut or damaged record is refused in one line.

load lib/helpers

setup() {
	af_setup
	REC=$BATS_TEST_TMPDIR/session.afrec
	LIVE=$BATS_TEST_TMPDIR/live
}

# record_session [OPTIONS...]: record -o $REC OPTIONS -- a shell running rlimit_as, then
# rlimit_data_brk (two failures of two causes), exiting 7; the live output in $LIVE, stderr in
# $ERR. Sets REC_STATUS.
record_session() {
	local prog attempt

	for prog in rlimit_as rlimit_data_brk; do
		[[ -x $PROGS/$prog ]] || fail "$PROGS/$prog is not built"
	done
	# done again, at most twice, if the kernel skipped runs (as trace_prog: helpers.bash)
	for attempt in 1 2 3; do
		rm -f "$REC" "$LIVE" "$ERR"
		REC_STATUS=0
		timeout -k 5 "$AF_TIMEOUT" "$AF" record -o "$REC" "$@" -- \
			sh -c '"$1"/rlimit_as && "$1"/rlimit_data_brk; exit 7' sh "$PROGS" \
			>"$LIVE" 2>"$ERR" || REC_STATUS=$?
		grep -qE "the kernel (has )?skipped" "$ERR" || return 0
		skip_note record "$(grep -oE 'skipped [0-9]+' "$ERR" | tail -n 1 | cut -d' ' -f2)" \
			"$attempt"
	done
	fail "the kernel skipped runs of the failure programs in all 3 sessions: $(cat "$ERR")"
}

# report_ok ARGS...: allocfail report ARGS succeeds, stdout in $output, with nothing on stderr.
report_ok() {
	run --separate-stderr timeout -k 5 10 "$AF" report "$@"
	[[ $status -eq 0 ]] || fail "report $* failed ($status): $stderr"
	[[ -z $stderr ]] || fail "report $* said: $stderr"
}

# report_refuses FILE WHY: report FILE exits 2 with one line naming FILE, nothing on stdout, and
# the line contains WHY (a regex).
report_refuses() {
	run --separate-stderr timeout -k 5 10 "$AF" report "$1"
	[[ $status -eq 2 ]] || fail "report of $1: status $status, expected 2 ($stderr)"
	[[ ${#stderr_lines[@]} -eq 1 ]] || fail "expected one line on stderr: $stderr"
	[[ ${stderr_lines[0]} =~ ^allocfail:\ cannot\ report\ $1:\ $2 ]] ||
		fail "unexpected refusal of $1: ${stderr_lines[0]}"
	[[ -z $output ]] || fail "stdout not empty: $output"
}

# flip_bit FILE OFFSET BIT: FILE's byte at OFFSET with bit BIT inverted.
flip_bit() {
	local byte

	byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((byte ^ (1 << $3))))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "record: the command's status, mode 0600, one line on stderr, the live output" {
	record_session -j
	[[ $REC_STATUS -eq 7 ]] || fail "status $REC_STATUS, expected the command's 7: $(cat "$ERR")"
	[[ $(stat -c %a "$REC") == 600 ]] || fail "mode $(stat -c %a "$REC"), expected 600"
	# and the line that says tracing has begun (signals.bats)
	[[ $(grep -cv "^allocfail: tracing " "$ERR") -eq 1 ]] ||
		fail "expected one line on stderr: $(cat "$ERR")"
	grep -qx "allocfail: 2 events recorded to $REC" "$ERR" ||
		fail "unexpected stderr: $(cat "$ERR")"
	# the live output went to stdout as with run -j: two events, summary, diagnosis
	OUT=$LIVE
	assert_summary 2
	[[ $(events | jq -r .cause.code | sort | tr '\n' ' ') == "rlimit_as rlimit_data " ]] ||
		fail "unexpected events: $(events)"
	# an existing file of another mode is made 0600 too
	chmod 644 "$REC"
	record_session -q
	[[ $REC_STATUS -eq 7 && $(stat -c %a "$REC") == 600 ]] ||
		fail "status $REC_STATUS, mode $(stat -c %a "$REC") over an existing 0644 file"
	[[ ! -s $LIVE ]] || fail "-q still printed: $(cat "$LIVE")"
}

@test "record: a symbolic link is not written through" {
	local target=$BATS_TEST_TMPDIR/target

	echo precious >"$target"
	ln -s "$target" "$REC"
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" record -o "$REC" -- true
	[[ $status -eq 2 ]] || fail "status $status, expected 2 ($stderr)"
	[[ ${#stderr_lines[@]} -eq 1 && $stderr == *"symbolic link"* ]] ||
		fail "expected one line about the link: $stderr"
	[[ $(cat "$target") == precious && -L $REC ]] || fail "the link's target was written"
}

@test "report --json is the live -j output, line for line" {
	record_session -j
	[[ $REC_STATUS -eq 7 ]] || fail "record failed ($REC_STATUS): $(cat "$ERR")"
	report_ok --json "$REC"
	diff <(cat "$LIVE") <(printf '%s\n' "$output") >&2 ||
		fail "report --json differs from the live output"
	[[ $(printf '%s\n' "$output" | wc -l) -eq 4 ]] || fail "expected 4 lines: $output"
	# and -o writes the same into a file
	report_ok --json -o "$BATS_TEST_TMPDIR/report.jsonl" "$REC"
	cmp "$LIVE" "$BATS_TEST_TMPDIR/report.jsonl" || fail "report -o differs"
}

@test "report: the events, their causes and the recorded machine's diagnosis, in text" {
	local live_settings

	record_session
	[[ $REC_STATUS -eq 7 ]] || fail "record failed ($REC_STATUS): $(cat "$ERR")"
	report_ok "$REC"
	[[ $output =~ syscall\ mmap\ ENOMEM\ pid\ [0-9]+\ tid\ [0-9]+\ comm\ rlimit_as ]] ||
		fail "no mmap event: $output"
	[[ $output == *"cause: rlimit_as: "* && $output == *"cause: rlimit_data: "* ]] ||
		fail "causes missing: $output"
	[[ $output == *"do_big_map+0x"*"rlimit_as.c:"* ]] || fail "no symbolized user stack: $output"
	[[ $output == *"--- diagnosis ---"*"rlimit_as: 1 of 2 events"* ]] ||
		fail "no diagnosis: $output"
	[[ $output == *"settings when the recording ended:"*"vm.max_map_count="* ]] ||
		fail "no recorded settings: $output"
	[[ $output == *"[ ] rlimit_as: ulimit -v "* ]] || fail "no checklist: $output"
	# the text is the live one but for the settings' heading
	diff <(sed 's/^settings now:$/settings when the recording ended:/' "$LIVE") \
		<(printf '%s\n' "$output") >&2 || fail "report differs from the live text"
	live_settings=$(grep -c '^settings now:$' "$LIVE")
	[[ $live_settings -eq 1 ]] || fail "the live text has $live_settings settings headings"
}

@test "report: as nobody, on a copy, with the traced binaries gone" {
	local dir

	dir=$(mktemp -d)
	chmod 755 "$dir"
	cp "$PROGS/rlimit_as" "$PROGS/rlimit_data_brk" "$dir/"
	PROGS=$dir record_session -j
	[[ $REC_STATUS -eq 7 ]] || { rm -rf "$dir"; fail "record failed: $(cat "$ERR")"; }
	[[ $(grep -c "\"obj\":\"$dir/rlimit_as\"" "$LIVE") -ge 1 ]] ||
		{ rm -rf "$dir"; fail "the live stacks do not name the copy"; }
	rm -f "$dir/rlimit_as" "$dir/rlimit_data_brk"
	cp "$AF" "$dir/allocfail"
	cp "$REC" "$dir/copy.afrec"
	chown 65534:65534 "$dir/copy.afrec"
	run --separate-stderr timeout -k 5 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$dir/allocfail" report --json "$dir/copy.afrec"
	rm -rf "$dir"
	[[ $status -eq 0 && -z $stderr ]] || fail "report as nobody failed ($status): $stderr"
	diff <(cat "$LIVE") <(printf '%s\n' "$output") >&2 || fail "report as nobody differs"
}

@test "report: cut or damaged records are refused in one line, exit 2" {
	local size off bad=$BATS_TEST_TMPDIR/bad.afrec

	record_session -q
	[[ $REC_STATUS -eq 7 ]] || fail "record failed ($REC_STATUS): $(cat "$ERR")"
	size=$(stat -c %s "$REC")
	for off in 0 1 8 15 16 40 100 $((size / 2)) $((size - 40)) $((size - 1)); do
		head -c "$off" "$REC" >"$bad"
		report_refuses "$bad" '(empty file|truncated)'
	done
	cat "$REC" "$REC" >"$bad"
	report_refuses "$bad" 'corrupt: data after the trailer'
	for off in 3 9 20 100 $((size / 3)) $((size / 2)) $((size - 30)) $((size - 1)); do
		cp "$REC" "$bad"
		flip_bit "$bad" "$off" $((off % 8))
		cmp -s "$REC" "$bad" && fail "flip_bit changed nothing at $off"
		report_refuses "$bad" '(not an allocfail record|record format version|corrupt|truncated)'
	done
	report_refuses "$BATS_TEST_TMPDIR/none.afrec" 'cannot read it: No such file'
	printf '{"type":"summary"}\n' >"$bad"
	report_refuses "$bad" 'not an allocfail record'
}

@test "report: the exports are the live session's, byte for byte, by count and by bytes" {
	local w x

	for w in count bytes; do
		record_session -q --weight "$w" --folded "$BATS_TEST_TMPDIR/live.folded" \
			--pprof "$BATS_TEST_TMPDIR/live.pb.gz" --svg "$BATS_TEST_TMPDIR/live.svg"
		[[ $REC_STATUS -eq 7 ]] || fail "record failed ($REC_STATUS): $(cat "$ERR")"
		report_ok --weight "$w" --folded "$BATS_TEST_TMPDIR/rep.folded" \
			--pprof "$BATS_TEST_TMPDIR/rep.pb.gz" --svg "$BATS_TEST_TMPDIR/rep.svg" "$REC"
		for x in folded pb.gz svg; do
			[[ -s $BATS_TEST_TMPDIR/live.$x ]] || fail "no live $x export"
			cmp "$BATS_TEST_TMPDIR/live.$x" "$BATS_TEST_TMPDIR/rep.$x" ||
				fail "the $x export (--weight $w) differs"
		done
		grep -q '^rlimit_as;\[syscall\];.*;do_big_map;' "$BATS_TEST_TMPDIR/rep.folded" ||
			fail "unexpected folded export: $(cat "$BATS_TEST_TMPDIR/rep.folded")"
	done
	# by bytes the mmap weighs its 512 MiB request
	grep -q ' 536870912$' "$BATS_TEST_TMPDIR/rep.folded" ||
		fail "no 512 MiB weight: $(cat "$BATS_TEST_TMPDIR/rep.folded")"
}

@test "report: options of a live session are refused" {
	record_session -q
	for opt in "-p 1" "-d 1" "--comm x" "-q"; do
		# shellcheck disable=SC2086
		run --separate-stderr timeout -k 5 10 "$AF" report "$REC" $opt
		[[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 && -z $output ]] ||
			fail "report $opt: status $status, stderr $stderr"
	done
	run --separate-stderr timeout -k 5 10 "$AF" report
	[[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 ]] || fail "report without a file: $stderr"
	run --separate-stderr timeout -k 5 10 "$AF" record -- true
	[[ $status -eq 2 && $stderr == *"record needs -o FILE"* ]] ||
		fail "record without -o: $status $stderr"
}
