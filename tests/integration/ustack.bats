#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# User stacks of code built without frame pointers (issue 5): DWARF unwinding from the copied
# registers and stack (the default), against the frame-pointer walk; the copied bytes never
# reach an output or a record file.

load lib/helpers

# The canary deep5 keeps on its stack (assembled there at run time).
CANARY=AFSEC-a17c0ffee5e7ec5

# user_syms: the non-inline function names of $EVENT's user stack, one per line, without a
# symbol version ("__libc_start_main@@GLIBC_2.34").
user_syms() {
	jq -r '.ustack[] | select(.inlined != true) | .sym // "?" | sub("@.*"; "")' <<<"$EVENT"
}

# in_order FUNC...: the user stack names these functions innermost first, others between.
in_order() {
	local want got
	want=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	got=$(user_syms | jq -R . | jq -sc .)
	jq -e -n --argjson s "$got" --argjson w "$want" 'reduce $w[] as $f ({i: 0, ok: true};
		if .ok then ($s[.i:] | index($f)) as $j |
			if $j == null then .ok = false else .i += $j + 1 end
		else . end) | .ok' >/dev/null
}

@test "ustack dwarf (default): all five functions of an -O2 -fomit-frame-pointer program" {
	PROG_RUN=deep5
	trace_prog deep5
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	assert_enomem
	# the innermost frame is glibc's mmap wrapper, which keeps no frame pointer
	jq_check '.ustack[0].obj | test("libc")' "innermost frame in libc"
	in_order level5 level4 level3 level2 level1 main ||
		fail "user stack: want level5 ... level1 main, got $(user_syms | tr '\n' ' ')"
	jq_check '.ustack_unwind == "dwarf" and .ustack_end == "complete" and
		.stack_truncated.user == false' "unwound by DWARF to the outermost frame"
}

@test "ustack fp: the frame-pointer walk of the same program stops in glibc" {
	PROG_RUN=deep5
	AF_RUN_OPTS="--ustack=fp" trace_prog deep5
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	jq_check '.ustack_unwind == "fp" and .ustack_end == "fp_chain_end"' "frame pointers"
	jq_check '.ustack[0].obj | test("libc")' "the innermost frame, glibc's mmap"
	# glibc's wrapper has no frame pointer and neither have the levels: the walk cannot reach
	# their callers (perf shows the same). Fewer than the five levels is the difference.
	[[ $(user_syms | grep -c '^level') -lt 5 ]] ||
		fail "fp found all five levels, DWARF is not what made the difference: $(user_syms)"
}

@test "ustack fp: a program built with frame pointers, its own frames named to main" {
	PROG_RUN=rlimit_as
	AF_RUN_OPTS="--ustack=fp" trace_prog rlimit_as
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	jq_check '.ustack_unwind == "fp" and .ustack_end == "fp_chain_end"' "frame pointers"
	# the syscall is issued from do_big_map's own frame (prog.h): the walk starts there
	in_order do_big_map provoke_rlimit_as main ||
		fail "want do_big_map provoke_rlimit_as main, got $(user_syms | tr '\n' ' ')"
	jq_check '[.ustack[] | select(.inlined != true)][0].sym == "do_big_map"' \
		"do_big_map innermost"
}

@test "ustack none: no user stack, said so" {
	PROG_RUN=deep5
	AF_RUN_OPTS="--ustack=none" trace_prog deep5
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	jq_check '.ustack == [] and .ustack_unwind == null and .ustack_end == null' "no user stack"
}

@test "ustack: a small --ustack-size ends the stack honestly" {
	PROG_RUN=deep5
	AF_RUN_OPTS="--ustack-size 512" trace_prog deep5
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	# main's frame holds more than 512 bytes below __libc_start_call_main's
	jq_check '.ustack_unwind == "dwarf" and .ustack_end == "stack_copy_exhausted" and
		.stack_truncated.user == true' "end marked"
	in_order level5 level4 level3 level2 level1 ||
		fail "the levels should fit in 512 bytes: $(user_syms | tr '\n' ' ')"
}

@test "ustack: a frame in JIT code (anonymous memory) ends the stack, marked" {
	PROG_RUN=jit_stub
	trace_prog jit_stub
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	# the program's function, then the stub's frame (no module: an address only), then nothing
	jq_check '.ustack_unwind == "dwarf" and .ustack_end == "unknown_region" and
		.stack_truncated.user == true' "the stack ends at the JIT frame"
	jq_check '[.ustack[] | select(.inlined != true)] | length == 2 and
		.[0].sym == "called_from_jit" and .[1].obj == null and .[1].sym == null' \
		"called_from_jit, then the stub's address, nothing guessed above"
}

@test "ustack: the copied stack bytes reach neither the JSON nor a record file" {
	local rec=$BATS_TEST_TMPDIR/deep5.afrec got
	PROG_RUN=deep5
	trace_prog deep5
	[[ $status -eq 0 ]] || fail "status $status: $output"
	assert_syscall_event mmap 9
	got="$(user_syms | tr '\n' ' ') $(jq -c '[.ustack_unwind, .ustack_end]' <<<"$EVENT")"
	in_order level3 || fail "level3 (its frame holds the canary) is not in the stack: $got"
	! grep -qa "$CANARY" "$OUT" || fail "the canary is in the JSON output"
	run timeout -k 5 "$AF_TIMEOUT" "$AF" record -q -o "$rec" -- "$PROGS/deep5"
	[[ $status -eq 0 ]] || fail "record: status $status: $output"
	[[ -s $rec ]] || fail "no record file"
	! grep -qa "$CANARY" "$rec" || fail "the canary is in the record file"
	run "$AF" report "$rec"
	[[ $status -eq 0 ]] || fail "report: status $status: $output"
	[[ $output == *level3* ]] || fail "the record lost the unwound frames: $output"
	[[ $output != *"$CANARY"* ]] || fail "the canary is in the report"
}

@test "ustack: a Debian program built without frame pointers shows its frames above libc" {
	local sort=/usr/bin/sort
	"$sort" --version 2>/dev/null | grep -q 'GNU coreutils' || skip "no GNU sort at $sort"
	# GNU sort halves its buffer until malloc succeeds; stdin held open keeps it alive (the
	# tracer symbolizes while it lives)
	run timeout -k 5 "$AF_TIMEOUT" "$AF" run --json -o "$OUT" -- \
		bash -c "ulimit -v 400000; sleep 3 | exec $sort -S 1G"
	[[ $status -eq 0 ]] || fail "status $status: $output"
	EVENT=$(events | jq -c 'select(.comm == "sort" and .type == "syscall" and
		.syscall.name == "mmap")' | head -n 1)
	[[ -n $EVENT ]] || fail "no failed mmap of sort: $(events)"
	jq_check '.ustack_unwind == "dwarf" and .ustack_end == "complete"' "unwound to the end"
	# libc's exported names only (malloc is __libc_malloc with libc's debug info): its static
	# ones need the debug info, which a VM may lack. Between malloc and libc's start code:
	# sort's own frames (stripped: addresses only)
	jq_check '[.ustack[] | select(.inlined != true) |
			{s: (.sym // "" | sub("@.*"; "")), o: .obj}] |
		(map(.s | test("^(__libc_)?malloc$")) | index(true)) as $m |
		(map(.s == "__libc_start_main") | index(true)) as $s |
		$m != null and $s != null and $m < $s and
		(.[$m + 1:$s] | map(select(.o == "/usr/bin/sort")) | length > 0)' \
		"frames of /usr/bin/sort above libc's malloc"
}

@test "ustack: bad --ustack and --ustack-size values are refused with one line" {
	run "$AF" --ustack=lbr -d 1
	[[ $status -eq 2 && ${#lines[@]} -eq 1 && $output == *"--ustack"* ]] ||
		fail "status $status: $output"
	for size in 0 511 65537 16k -8; do
		run "$AF" --ustack-size "$size" -d 1
		[[ $status -eq 2 && ${#lines[@]} -eq 1 && $output == *"--ustack-size"* ]] ||
			fail "--ustack-size $size: status $status: $output"
	done
}
