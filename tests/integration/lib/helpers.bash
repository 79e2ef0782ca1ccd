# SPDX-License-Identifier: GPL-2.0
# Shared by the integration .bats files: run the tracer, start and stop it in the background,
# assert on its JSON Lines output (docs/events.md) with jq, and clean up what a test created.

bats_require_minimum_version 1.5.0

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
AF=${AF:-$ROOT/build/allocfail}
PROGS=${PROGS:-$ROOT/build/tests/progs}
# A hung test must fail, not hang: every tracer run is bounded (and run.sh bounds each test).
AF_TIMEOUT=${AF_TIMEOUT:-30}

# Argument names of the decoded syscalls, in one place (the names of the man pages). -g: bats
# sources this file inside a function.
declare -gA ARG=(
	[mmap.addr]=addr [mmap.len]=length [mmap.prot]=prot [mmap.flags]=flags
	[mmap.fd]=fd [mmap.off]=offset
	[mlock.addr]=addr [mlock.len]=len
	[mlockall.flags]=flags
	[mremap.old]=old_address [mremap.old_len]=old_size [mremap.new_len]=new_size
	[mremap.flags]=flags
	[brk.addr]=addr
	[madvise.addr]=addr [madvise.len]=length [madvise.advice]=advice
	[clone.flags]=flags
)

# The per-test state every suite starts from; a suite with its own setup() calls it first.
af_setup() {
	OUT=$BATS_TEST_TMPDIR/events.jsonl
	ERR=$BATS_TEST_TMPDIR/stderr
	PIDFILE=$BATS_TEST_TMPDIR/pid
	export AF_PIDFILE=$PIDFILE
	CLEANUP_PIDS=()
	CLEANUP_CGROUPS=()
	TRACER_PID=
	MEMCG= MEMCG_V= MEMCG_ENABLED=
}

setup() {
	af_setup
}

teardown() {
	local p d

	for p in "${CLEANUP_PIDS[@]}" $TRACER_PID; do
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in "${CLEANUP_PIDS[@]}" $TRACER_PID; do
		wait_gone "$p" 5 || true
	done
	# deepest first: a cgroup with children cannot be removed
	for ((p = ${#CLEANUP_CGROUPS[@]} - 1; p >= 0; p--)); do
		cgroup_remove "${CLEANUP_CGROUPS[p]}"
	done
	memcg_restore
}

fail() {
	echo "FAIL: $*" >&2
	return 1
}

# wait_gone PID SECONDS: true once PID no longer exists.
wait_gone() {
	local i

	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# wait_file FILE SECONDS: true once FILE exists and is not empty.
wait_file() {
	local i

	for ((i = 0; i < $2 * 20; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.05
	done
	return 1
}

# --- the tracer -----------------------------------------------------------------------------

# trace_prog NAME [ARGS...]: allocfail run --json -o $OUT -- NAME ARGS; $status is the tracer's.
trace_prog() {
	local prog=$1

	shift
	[[ -x $PROGS/$prog ]] || fail "$PROGS/$prog is not built"
	local start attempt skipped
	# A kernel that runs syscall programs preemptibly (Debian's 7.3) skips sys_exit for every
	# task of a CPU while one is preempted inside it: the summary counts those runs, but the
	# failure under test may be among them. Such a run is done again, at most twice; a third
	# is not asserted on.
	for attempt in 1 2 3; do
		rm -f "$OUT" "$PIDFILE"
		start=$SECONDS
		# AF_RUN_OPTS: extra tracer options (e.g. --max-hook tracepoint to force a fallback)
		# shellcheck disable=SC2086
		run timeout -k 5 "$AF_TIMEOUT" "$AF" run ${AF_RUN_OPTS:-} --json -o "$OUT" -- \
			"$PROGS/$prog" "$@"
		((SECONDS - start < AF_TIMEOUT)) || fail "allocfail run timed out after $AF_TIMEOUT s"
		[[ -f $OUT ]] || fail "no output file; allocfail said: $output"
		skipped=$(jq -r 'select(.type == "summary") | .skipped' "$OUT" 2>/dev/null)
		[[ $skipped =~ ^[1-9] ]] || return 0
		skip_note "$prog" "$skipped" "$attempt"
	done
	fail "the kernel skipped runs of the failure programs in all $attempt runs of $prog:" \
		"the failure under test may be among them"
}

# skip_note WHAT SKIPPED ATTEMPT: say on the TAP stream that a run is done again for skips.
skip_note() {
	echo "# $1: the kernel skipped $2 runs of the failure programs (run $3 of 3)" >&3
}

# used_hook SOURCE: "KIND TARGET" of the hook a session with AF_RUN_OPTS uses for SOURCE, as it
# logs under -v.
used_hook() {
	local err

	# shellcheck disable=SC2086
	err=$(timeout -k 5 "$AF_TIMEOUT" "$AF" run -v ${AF_RUN_OPTS:-} -- true 2>&1 >/dev/null) ||
		fail "run -v -- true: $err"
	sed -n "s/^allocfail: $1: using //p" <<<"$err"
}

# start_tracer ARGS...: allocfail --json -o $OUT ARGS in the background, back once its probes
# are attached (--ready-file). Sets TRACER_PID.
start_tracer() {
	local ready=$BATS_TEST_TMPDIR/ready

	rm -f "$ready" "$OUT"
	# No timeout(1) in between, so TRACER_PID is the tracer's: every wait on it is bounded and
	# teardown kills it. fd 3 closed: bats would wait for every holder of it.
	"$AF" trace --json -o "$OUT" --ready-file "$ready" "$@" 2>"$ERR" 3>&- &
	TRACER_PID=$!
	local i
	for ((i = 0; i < 400; i++)); do
		[[ -e $ready ]] && return 0
		kill -0 "$TRACER_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "the tracer did not become ready: $(cat "$ERR")"
}

# stop_tracer [SIGNAL]: signal the background tracer, wait (bounded) for it; sets TRACER_STATUS.
stop_tracer() {
	kill -"${1:-INT}" "$TRACER_PID"
	wait_gone "$TRACER_PID" 10 || fail "the tracer did not exit within 10 s of SIG${1:-INT}"
	TRACER_STATUS=0
	wait "$TRACER_PID" || TRACER_STATUS=$?
	TRACER_PID=
}

# --- the JSON output ----------------------------------------------------------------------

# Event lines, the records: every line but the summary, the diagnosis and the sites' "count"
# lines (a kernel-side failure that repeats in a test, e.g. a fallback charge, is counted in its
# site). Kept beside $OUT while $OUT stays the same file: jq costs a quarter of a second per
# start under QEMU, and tests ask often.
events() {
	local sig cache=$OUT.events

	sig=$(stat -c '%i %s %y' "$OUT") || return 1
	if [[ ! -f $cache || $(head -n 1 "$cache") != "$sig" ]]; then
		{
			echo "$sig"
			jq -c 'select(.type != "summary" and .type != "diagnosis" and
				.type != "count")' "$OUT"
		} >"$cache.tmp" || return 1
		mv "$cache.tmp" "$cache"
	fi
	tail -n +2 "$cache"
}

# nevents: the event lines (records), for a test that knows how many to expect.
nevents() {
	events | wc -l
}

# jq_check FILTER DESCRIPTION: FILTER must be true for $EVENT (the event under test).
jq_check() {
	jq -e "$1" <<<"$EVENT" >/dev/null || fail "$2: $1 is false for event: $EVENT"
}

# assert_summary N [TYPE...]: the output holds the N failures the test's programs are known to
# make, each an event line of its own (no "count" line), and any number of failures of the
# kernel-side TYPEs (how many is the kernel's affair: page tables, slab objects). Per type, the
# failures of event and count lines add up to that type in the summary's by_type, the
# pipeline's own count, and those to its events, none lost; the summary is the line before
# last, the last the diagnosis of those failures.
assert_summary() {
	local why extra=

	(($# > 1)) && extra=$(printf '"%s",' "${@:2}")
	why=$(jq -rs --argjson want "$1" --argjson extra "[${extra%,}]" '
		.[-2] as $sum | .[-1] as $diag |
		def kind: if .type == "count" then .event_type else .type end;
		def own: kind | IN($extra[]) | not;
		map(select(.type != "summary" and .type != "diagnosis")) as $lines |
		([$lines[] | select(.type != "count" and own)] | length) as $n |
		([$sum.by_type // {} | to_entries[] | select(.key | IN($extra[]) | not) |
			.value] | add // 0) as $own |
		([$lines[].count] | add // 0) as $f |
		[$lines[] | kind] as $kinds |
		if ($sum.type != "summary") then
			"the line before last is not a summary: \($sum | tojson)"
		elif $n != $want then
			"\($n) event lines of the failures made, expected \($want)"
		elif $own != $want then
			"the summary counts \($own) failures of their types, expected \($want)"
		elif ([$kinds[] | select(. as $k | $sum.by_type | has($k) | not)] | length) > 0
		then "lines of a type the summary does not list: \($kinds | unique)"
		elif ([$sum.by_type | to_entries[] | .key as $t |
			.value == ([$lines[] | select(kind == $t) | .count] | add // 0)] |
			all | not)
		then "the lines of a type do not add up to its by_type count"
		elif ($sum.events != $f or ([$sum.by_type[]] | add) != $f or $sum.lost != 0) then
			"summary disagrees (events \($f), lost 0 expected): \($sum | tojson)"
		elif ($diag.type == "diagnosis" and
			(if $f == 0 then $diag.causes == [] else $diag.events == $f and
			 ([$diag.causes[].count] | add) + $diag.causes_other == $f end)) | not then
			"the last line is not a diagnosis of \($f) failures: \($diag | tojson)"
		else empty end' "$OUT") || fail "the output is not JSON Lines: $(cat "$OUT")"
	[[ -z $why ]] || fail "$why; lines: $(jq -c 'select(.type != "diagnosis")' "$OUT")"
}

# assert_contract: $EVENT has every field of the JSON contract (issue 2, docs/events.md). One
# jq run for every check.
assert_contract() {
	local bad

	bad=$(jq -r '[
		if (.ts_ns | type == "number" and . > 0) and (.time | test(
			"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"))
		then empty else "timestamps" end,
		if (.pid, .tid, .uid, .count, .cgroup_id | type == "number") and
			(.comm | type == "string") and (.cgroup | type == "string")
		then empty else "identity" end,
		if .count == 1 then empty else "count" end,
		if (.kstack, .ustack | type == "array") and ([.kstack[], .ustack[] |
			has("addr", "sym", "off", "obj", "file", "line")] | all)
		then empty else "stack frames" end,
		if has("cause") and (.cause == null or (.cause | type == "object" and
			has("code", "summary", "evidence", "advice")))
		then empty else "cause shape" end,
		if .type != "syscall" or (.syscall | (.name | type == "string") and
			(.nr | type == "number") and (.abi | type == "string") and
			(.args | type == "object") and (.ret | type == "number") and
			.errno == "ENOMEM" and (.silent | type == "boolean"))
		then empty else "syscall object" end
		] | join(", ")' <<<"$EVENT") || fail "not JSON: $EVENT"
	[[ -z $bad ]] || fail "contract broken ($bad) in event: $EVENT"
}

# assert_syscall_event NAME NR [TYPE...]: the only syscall event is NAME (native nr NR) failing
# in the traced program, whose pid the program wrote to $PIDFILE; events of the kernel-side TYPEs
# may come with it, no other. Sets EVENT to the syscall event.
assert_syscall_event() {
	local name=$1 nr=$2 pid comm sys

	shift 2
	# the program makes this one failing syscall; kernel-side failures may come with it
	assert_summary 1 "$@"
	sys=$(events | jq -c 'select(.type == "syscall")')
	[[ $(grep -c . <<<"$sys") -eq 1 ]] || fail "expected exactly one syscall event: $(events)"
	[[ $(events | jq -r .type | grep -vxF -f <(printf '%s\n' syscall "$@") | wc -l) -eq 0 ]] ||
		fail "unexpected events: $(events)"
	while read -r EVENT; do
		assert_contract
	done < <(events)
	EVENT=$sys
	read -r pid _ <"$PIDFILE" || fail "the program did not write $PIDFILE"
	comm=$(basename "$PROG_RUN")
	jq_check ".syscall.name == \"$name\" and .syscall.nr == $nr and
		.syscall.abi == \"x86_64\" and
		.pid == $pid and .tid == $pid and .uid == $(id -u) and .comm == \"${comm:0:15}\" and
		([.kstack[].sym] | index(\"do_syscall_64\") != null)" \
		"syscall name, number and ABI; pid, tid, uid; comm; kernel stack, symbolized"
}

# assert_enomem: ret is -ENOMEM, not a silent failure.
assert_enomem() {
	jq_check '.syscall.ret == -12 and .syscall.silent == false' "ret -ENOMEM"
}

# assert_arg SYSCALL.KEY JQ-VALUE: a decoded argument (names from ARG above).
assert_arg() {
	local name=${ARG[$1]}

	[[ -n $name ]] || fail "no argument name for $1"
	jq_check ".syscall.args.$name == $2" "argument $1"
}

# assert_ustack FUNC...: the user stack names these functions innermost first, the first being
# the innermost frame (inline frames of our raw_syscall6 helper aside).
assert_ustack() {
	local want got

	want=$(printf '"%s",' "$@")
	want="[${want%,}]"
	got=$(jq -c '[.ustack[] | select(.inlined != true and .sym != "raw_syscall6") | .sym]' \
		<<<"$EVENT")
	jq -e -n --argjson s "$got" --argjson w "$want" '($s[0] == $w[0]) and
		(reduce $w[] as $f ({i: 0, ok: true};
			if .ok then ($s[.i:] | index($f)) as $j |
				if $j == null then .ok = false else .i += $j + 1 end
			else . end) | .ok)' >/dev/null ||
		fail "user stack: want $want innermost first, got $got; event: $EVENT"
}

# assert_cause CODE: the cause module's verdict.
assert_cause() {
	local got

	got=$(jq -c '.cause.code' <<<"$EVENT")
	[[ $got == "\"$1\"" ]] || fail "cause: want $1, got $got; event: $EVENT"
}

# run_case PROG [ARGS]: trace_prog, then the program itself must have exited 0 (it failed
# the expected way) and so must the tracer (run passes the status through).
run_case() {
	PROG_RUN=$1
	trace_prog "$@"
	[[ $status -eq 0 ]] || fail "exit status $status (the program's own verdict): $output"
}

# --- cgroups --------------------------------------------------------------------------------

# cgroup_make PATH: create a cgroup directory; teardown removes it.
cgroup_make() {
	mkdir "$1" || fail "mkdir $1"
	CLEANUP_CGROUPS+=("$1")
}

# cgroup_remove PATH: kill what is left inside, then rmdir (retried: exiting tasks linger).
cgroup_remove() {
	local i p

	[[ -d $1 ]] || return 0
	for ((i = 0; i < 50; i++)); do
		for p in $(cat "$1/cgroup.procs" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null || true
		done
		rmdir "$1" 2>/dev/null && return 0
		# a memcg with its OOM killer off (v1) or an unkillable task may hold a task
		# waiting for memory
		[[ -f $1/memory.limit_in_bytes ]] && echo -1 >"$1/memory.limit_in_bytes" 2>/dev/null
		[[ -f $1/memory.max ]] && echo max >"$1/memory.max" 2>/dev/null
		sleep 0.1
	done
	echo "warning: could not remove $1" >&2
}

# --- memory cgroups, v1 or v2 ------------------------------------------------------------------

# mount_of TYPE [OPTION]: the first mount point of a file system type (with that mount option).
mount_of() {
	awk -v t="$1" -v o="${2:-}" '$3 == t && (o == "" || ("," $4 ",") ~ ("," o ",")) {
		print $2; exit }' /proc/mounts
}

# fs_type PATH: the type of the filesystem PATH is on (the longest mount point above it).
fs_type() {
	local path
	path=$(readlink -f "$1") || return 1
	awk -v p="$path" '{ m = $2; gsub(/\\040/, " ", m) }
		(p == m || index(p, m == "/" ? "/" : m "/") == 1) && length(m) >= best {
			best = length(m); type = $3 }
		END { print type }' /proc/self/mounts
}

# memcg_hierarchy: "2 DIR" when cgroup2 at DIR holds the memory controller, else "1 DIR" for a
# v1 memory hierarchy at DIR (the controller is bound to one hierarchy at a time); false if the
# kernel offers neither.
memcg_hierarchy() {
	local cg2 v1

	cg2=$(mount_of cgroup2)
	if [[ -n $cg2 ]] && grep -qw memory "$cg2/cgroup.controllers" 2>/dev/null; then
		echo "2 $cg2"
	elif v1=$(mount_of cgroup memory) && [[ -n $v1 ]]; then
		echo "1 $v1"
	else
		return 1
	fi
}

# memcg_make NAME LIMIT_BYTES: a memory cgroup allocfail-test.$$.NAME with a hard limit
# (v2: memory.max, v1: memory.limit_in_bytes) on whichever hierarchy holds the controller;
# skips the test when none does. Sets MEMCG (its directory) and MEMCG_V (1 or 2); teardown
# removes it and gives back what was enabled for it.
memcg_make() {
	local h sub

	h=$(memcg_hierarchy) || skip "no memory cgroup controller (v1 or v2) on this kernel"
	read -r MEMCG_V MEMCG <<<"$h"
	MEMCG=$MEMCG/allocfail-test.$$.$1
	if [[ $MEMCG_V == 2 ]]; then
		# v2 gives a child the controllers its parent enables in cgroup.subtree_control
		sub=${MEMCG%/*}/cgroup.subtree_control
		if ! grep -qw memory "$sub"; then
			echo +memory >"$sub" || fail "cannot enable +memory in $sub"
			MEMCG_ENABLED=$sub
		fi
		cgroup_make "$MEMCG"
		echo "$2" >"$MEMCG/memory.max" || fail "cannot write $MEMCG/memory.max"
		# no swap either, or a v2 hog is swapped out instead of killed where swap exists
		[[ -f $MEMCG/memory.swap.max ]] && echo 0 >"$MEMCG/memory.swap.max"
	else
		cgroup_make "$MEMCG"
		echo "$2" >"$MEMCG/memory.limit_in_bytes" ||
			fail "cannot write $MEMCG/memory.limit_in_bytes"
	fi
	return 0
}

# memcg_no_oom_kill: $MEMCG's OOM killer finds nothing to kill. v1: memory.oom_control off (it
# is the OOM of the memcg over its limit, so an ancestor's is what counts); v2 has no such
# switch, so the program makes itself unkillable: ADJ, its oom_score_adj for run_case.
memcg_no_oom_kill() {
	ADJ=
	if [[ $MEMCG_V == 1 ]]; then
		echo 1 >"$MEMCG/memory.oom_control"
	else
		ADJ=-1000
		(echo -1000 >/proc/self/oom_score_adj) 2>/dev/null ||
			skip "v2: making the program unkillable needs CAP_SYS_RESOURCE"
	fi
}

# memcg_restore: undo what memcg_make enabled in a parent (after the cgroups are gone).
memcg_restore() {
	[[ -n ${MEMCG_ENABLED:-} ]] && echo -memory >"$MEMCG_ENABLED" 2>/dev/null
	MEMCG_ENABLED=
	return 0
}

# memcg_stat KEY: v1 memory.oom_control's or v2 memory.events' counter KEY ("oom_kill").
memcg_stat() {
	local file=memory.events

	[[ $MEMCG_V == 1 ]] && file=memory.oom_control
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { exit !found }' "$MEMCG/$file"
}

# in_cgroup DIR CMD...: run CMD inside the cgroup DIR (the shell joins, then execs it).
in_cgroup() {
	local dir=$1

	shift
	timeout -k 5 20 sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$@"
}
