#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Options and behaviours README.md, docs/events.md and `allocfail --help` document, each run for
# real: the real BPF programs catching real failures. --duration, --no-kstack, --no-ustack,
# --no-mlock, --oom-score-adj, --max-hook at each rung, repeated and combined filters, CAP_BPF +
# CAP_PERFMON without root, no BTF, lost events and site records, slab event fields, tracefs
# mounted on demand.

load lib/helpers

MIB=1048576

# the shared teardown, kept under another name: ours adds to it
eval "helpers_teardown() $(declare -f teardown | tail -n +2)"

teardown() {
	restore_pipe_max
	[[ -n ${SCRATCH:-} ]] && rm -rf "$SCRATCH"
	helpers_teardown
}

restore_pipe_max() {
	[[ -n ${PIPE_MAX_OLD:-} ]] && echo "$PIPE_MAX_OLD" >/proc/sys/fs/pipe-max-size
	PIPE_MAX_OLD=
}

# pipe_case: pipe_resize in a full memory cgroup under `run AF_RUN_OPTS` (trace_prog): a memcg
# charge fails, so the order-10 page allocation, the kmalloc of the pipe's buffer array above it
# and fcntl (kernel.bats). Every one of these types must be among the events.
pipe_case() {
	local t types

	memcg_make pipe $((64 * MIB))
	PIPE_MAX_OLD=$(cat /proc/sys/fs/pipe-max-size)
	echo $((256 * MIB)) >/proc/sys/fs/pipe-max-size
	PROG_RUN=pipe_resize
	trace_prog pipe_resize "$MEMCG" 62
	restore_pipe_max
	[[ $status -eq 0 ]] || fail "pipe_resize under run ${AF_RUN_OPTS:-}: status $status: $output"
	types=" $(events | jq -r .type | sort -u | tr '\n' ' ')"
	for t in syscall page_alloc slab memcg_charge; do
		[[ $types == *" $t "* ]] || fail "no $t event (run ${AF_RUN_OPTS:-}): $(events)"
	done
}

# each_event FILTER WHAT: FILTER is true for every event line (records, not count lines).
each_event() {
	local bad

	bad=$(events | jq -c "select(($1) | not)" | head -n 3)
	[[ -z $bad ]] || fail "$2: $1 is false for: $bad"
}

# scratch: a directory anyone can reach and write ($SCRATCH), for a process that is not root;
# teardown removes it.
scratch() {
	SCRATCH=$(mktemp -d)
	chmod 1777 "$SCRATCH"
}

# cap_eff CAP_NUMBER: true if this shell has the capability in its effective set.
cap_eff() {
	local caps

	caps=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
	(((0x$caps >> $1) & 1))
}

# --- --duration -------------------------------------------------------------------------------

@test "--duration 2: the session ends by itself about on time, with its summary" {
	local t0 t1 pid
	start_tracer -d 2 --comm address_space
	# bash's clock in microseconds: busybox's date (the VMs) has no %N
	t0=${EPOCHREALTIME/./}
	AF_PIDFILE=$BATS_TEST_TMPDIR/as timeout -k 5 20 "$PROGS/address_space" ||
		fail "address_space failed to fail"
	read -r pid _ <"$BATS_TEST_TMPDIR/as"
	# nobody signals it: it must stop within its 2 s and the time its end takes
	wait_gone "$TRACER_PID" 30 || fail "the tracer still runs 30 s into a 2 s session"
	t1=${EPOCHREALTIME/./}
	wait "$TRACER_PID" || fail "the tracer exited $?: $(cat "$ERR")"
	TRACER_PID=
	# the clock starts after the ready file (the probes attached), so no less than 2 s from it
	(((t1 - t0) / 1000 >= 1900)) || fail "stopped $(((t1 - t0) / 1000)) ms after ready"
	(((t1 - t0) / 1000 <= 15000)) || fail "stopped $(((t1 - t0) / 1000)) ms after ready"
	jq -s -e --argjson pid "$pid" '.[-2].type == "summary" and .[-2].duration_s >= 2 and
		.[-2].duration_s < 8 and .[-2].events == 1 and .[-2].lost == 0 and
		.[-1].type == "diagnosis" and length == 3 and .[0].type == "syscall" and
		.[0].pid == $pid' "$OUT" >/dev/null || fail "output: $(cat "$OUT")"
}

# --- stacks -----------------------------------------------------------------------------------

@test "--no-kstack: no kernel stack in any event, user stacks still there" {
	AF_RUN_OPTS=--no-kstack pipe_case
	each_event '.kstack == []' "no kernel stack"
	each_event '.stack_truncated.kernel == false' "nothing said truncated"
	EVENT=$(events | jq -c 'select(.type == "syscall")' | head -n 1)
	assert_ustack resize_pipe provoke_pipe_resize main
}

@test "--no-ustack and --ustack none: no user stack in any event, kernel stacks still there" {
	local opt
	for opt in --no-ustack "--ustack none"; do
		AF_RUN_OPTS=$opt pipe_case
		each_event '.ustack == [] and .ustack_unwind == null and .ustack_end == null' \
			"no user stack with $opt"
		EVENT=$(events | jq -c 'select(.type == "syscall")' | head -n 1)
		jq_check '[.kstack[].sym] | index("do_syscall_64") != null' \
			"the kernel stack with $opt"
		# not left to the next run's cleanup
		cgroup_remove "$MEMCG"
		CLEANUP_CGROUPS=()
		memcg_restore
	done
}

# --- the tracer's own memory and OOM score ----------------------------------------------------

# vm_locked_kb PID: VmLck of the process, in kB.
vm_locked_kb() {
	awk '$1 == "VmLck:" { print $2 }' "/proc/$1/status"
}

@test "--no-mlock: the tracer's memory is not locked; without it, it is" {
	local kb i
	start_tracer --no-mlock --comm allocfail-none
	sleep 1 # it locks (or not) just after the ready file
	kb=$(vm_locked_kb "$TRACER_PID")
	[[ $kb == 0 ]] || fail "--no-mlock: VmLck $kb kB"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "exit status $TRACER_STATUS: $(cat "$ERR")"

	start_tracer --comm allocfail-none
	for ((i = 0; i < 100; i++)); do
		kb=$(vm_locked_kb "$TRACER_PID")
		((kb > 0)) && break
		sleep 0.1
	done
	# mlockall(MCL_CURRENT | MCL_FUTURE): every mapping, some megabytes
	((kb > 1024)) || fail "by default: VmLck $kb kB; stderr: $(cat "$ERR")"
	grep -q "cannot lock" "$ERR" && fail "it warned: $(cat "$ERR")"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "exit status $TRACER_STATUS: $(cat "$ERR")"
}

# tracer_adj ARGS...: the tracer (start_tracer ARGS)'s /proc/PID/oom_score_adj into ADJ, then
# stopped; its stderr stays in $ERR.
tracer_adj() {
	start_tracer "$@"
	ADJ=$(cat "/proc/$TRACER_PID/oom_score_adj")
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "exit status $TRACER_STATUS: $(cat "$ERR")"
}

@test "--oom-score-adj: -1000 by default, N when given" {
	# CAP_SYS_RESOURCE (24) lowers it; this development host's root has not got it
	cap_eff 24 || skip "no CAP_SYS_RESOURCE here (root's bounding set lacks it): the default \
cannot apply; the test without it checks what happens then"
	tracer_adj --comm allocfail-none
	[[ $ADJ == -1000 ]] || fail "default: oom_score_adj $ADJ, expected -1000"
	tracer_adj --oom-score-adj -500 --comm allocfail-none
	[[ $ADJ == -500 ]] || fail "--oom-score-adj -500: $ADJ"
	tracer_adj --oom-score-adj 300 --comm allocfail-none
	[[ $ADJ == 300 ]] || fail "--oom-score-adj 300: $ADJ"
}

@test "--oom-score-adj without CAP_SYS_RESOURCE: raising works, lowering warns if asked, the session runs" {
	local real=$AF setpriv
	scratch
	# by its path: busybox's sh (the VMs) would run its own setpriv applet, which has no
	# --bounding-set
	setpriv=$(command -v setpriv)
	# the tracer started at oom_score_adj 100 (which the kernel lets it lower only with the
	# capability), without CAP_SYS_RESOURCE in any set; exec keeps the pid start_tracer waits on
	printf '#!/bin/sh\necho 100 >/proc/self/oom_score_adj || exit 3\n%s\n' \
		"exec '$setpriv' --bounding-set=-sys_resource -- '$real' \"\$@\"" >"$SCRATCH/af"
	chmod 755 "$SCRATCH/af"
	AF=$SCRATCH/af
	# the default (-1000): not allowed, so it stays; said under -v only
	tracer_adj --comm allocfail-none
	[[ $ADJ == 100 ]] || fail "default without the capability: $ADJ, expected 100 (kept)"
	grep -q oom_score_adj "$ERR" && fail "the default's refusal said without -v: $(cat "$ERR")"
	tracer_adj -v --comm allocfail-none
	grep -q "^allocfail: cannot lower oom_score_adj to -1000: Permission denied$" "$ERR" ||
		fail "-v does not say why: $(cat "$ERR")"
	# asked for a lower value: a warning, and the session runs on
	tracer_adj --oom-score-adj -500 --comm allocfail-none
	[[ $ADJ == 100 ]] || fail "--oom-score-adj -500 without the capability: $ADJ"
	grep -q "^allocfail: warning: cannot set oom_score_adj -500: Permission denied$" "$ERR" ||
		fail "no warning: $(cat "$ERR")"
	# raising needs nothing
	tracer_adj --oom-score-adj 300 --comm allocfail-none
	[[ $ADJ == 300 ]] || fail "--oom-score-adj 300: $ADJ"
	grep -q oom_score_adj "$ERR" && fail "stderr: $(cat "$ERR")"
	return 0
}

@test "--oom-score-adj out of range: refused, one line, status 2" {
	run --separate-stderr timeout -k 5 10 "$AF" --oom-score-adj -1001 -d 1
	[[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 && -z $output ]] ||
		fail "status $status, stdout '$output', stderr: $stderr"
	[[ $stderr == *"--oom-score-adj '-1001'"* ]] || fail "stderr: $stderr"
}

# --- --max-hook -------------------------------------------------------------------------------

# check_json: `allocfail check --json` (it loads the real programs, so it knows what the
# verifier refuses) into CHECK, once per file.
check_json() {
	local cache=$BATS_FILE_TMPDIR/check.json

	if [[ ! -s $cache ]]; then
		timeout -k 5 "$AF_TIMEOUT" "$AF" check --json >"$cache.tmp" 2>"$cache.err" ||
			fail "check --json: $(cat "$cache.err")"
		mv "$cache.tmp" "$cache"
	fi
	CHECK=$(cat "$cache")
}

# max_hook_case KIND: under --max-hook KIND each source uses the best hook check found usable
# that is no better than KIND, as the session's -v says: a program the kernel refuses though its
# hook probed fine moves its source one rung down (check loads only the rung it uses, so it
# cannot know), said under -v. The session catches the pipe chain's failures (syscall,
# page_alloc, slab, memcg_charge). A source left with no hook by a refusal skips the test, named.
max_hook_case() {
	local kind=$1 src cands hook target want got lost=

	check_json
	AF_RUN_OPTS="-v --max-hook $kind" pipe_case
	for src in $(jq -r '.sources[].source' <<<"$CHECK"); do
		cands=$(jq -r --arg s "$src" --arg k "$kind" '
			{fentry: 0, kprobe: 1, tp_btf: 2, raw_tp: 3, tracepoint: 4} as $rank |
			.sources[] | select(.source == $s) | .candidates[] |
			select(.usable and $rank[.hook] >= $rank[$k]) | "\(.hook) \(.target)"' \
			<<<"$CHECK")
		want=
		while read -r hook target; do
			[[ -n $hook ]] || continue
			grep -qF "allocfail: warning: $src: the kernel refused the $hook program on $target" \
				<<<"$output" || { want="$hook $target"; break; }
		done <<<"$cands"
		got=$(sed -n "s/^allocfail: $src: using //p" <<<"$output")
		[[ $got == "$want" ]] ||
			fail "--max-hook $kind: $src uses '$got', expected '${want:-none}'; check:" \
				"$(jq -c --arg s "$src" '.sources[] | select(.source == $s)' <<<"$CHECK");" \
				"the session: $(grep -F "$src" <<<"$output")"
		[[ -z $want && -n $cands ]] && lost+="$(grep -F "warning: $src: the kernel refused" \
			<<<"$output" | head -n 1) "
	done
	[[ -z $lost ]] || skip "$(uname -r), --max-hook $kind: a source lost its last hook: $lost"
}

@test "--max-hook fentry: fentry/fexit where offered, and the failures are caught" {
	local n why
	check_json
	n=$(jq '[.sources[].candidates[] | select(.hook == "fentry" and .usable)] | length' \
		<<<"$CHECK")
	why=$(jq -r '[.sources[].candidates[] | select(.hook == "fentry") | .why][0]' <<<"$CHECK")
	((n > 0)) || skip "this kernel offers no fentry/fexit hook ($why)"
	max_hook_case fentry
}

@test "--max-hook tp_btf: no hook better than tp_btf, and the failures are caught" {
	max_hook_case tp_btf
}

@test "--max-hook raw_tp: no hook better than raw_tp, and the failures are caught" {
	max_hook_case raw_tp
}

@test "--max-hook tracepoint: classic tracepoints only, and the failures are caught" {
	max_hook_case tracepoint
}

# --- filters ----------------------------------------------------------------------------------

# waiter LABEL [NAME]: wait_then_fail in the background (as NAME: a copy, for another comm),
# waiting for SIGUSR1 to fail an mmap; its pid into WAITERS[LABEL].
declare -gA WAITERS
waiter() {
	local bin=$PROGS/wait_then_fail pidf=$BATS_TEST_TMPDIR/$1.pid

	if [[ -n ${2:-} ]]; then
		cp "$bin" "$BATS_TEST_TMPDIR/$2"
		bin=$BATS_TEST_TMPDIR/$2
	fi
	AF_PIDFILE=$pidf "$bin" 3>&- &
	WAITERS[$1]=$!
	CLEANUP_PIDS+=($!)
	wait_file "$pidf" 10 || fail "waiter $1 did not start"
}

# release LABEL...: each waiter fails its mmap and exits 0.
release() {
	local l

	for l in "$@"; do
		kill -USR1 "${WAITERS[$l]}"
		wait_gone "${WAITERS[$l]}" 10 || fail "waiter $l did not finish"
		wait "${WAITERS[$l]}" || fail "waiter $l exited $?"
	done
}

# assert_only_pids PID...: the session's events come from exactly these processes, one each.
assert_only_pids() {
	local want got

	want=$(printf '%s\n' "$@" | sort -n | tr '\n' ' ')
	got=$(events | jq -r .pid | sort -n | tr '\n' ' ')
	[[ $got == "$want" ]] || fail "events from pids [$got], expected [$want]: $(events)"
	jq -s -e 'map(select(.type == "summary"))[0].lost == 0' "$OUT" >/dev/null ||
		fail "events were lost: $(tail -n 2 "$OUT")"
}

@test "-p twice: both processes are traced, a third is not" {
	waiter a
	waiter b
	waiter c
	start_tracer -p "${WAITERS[a]}" -p "${WAITERS[b]}"
	release a b c
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_only_pids "${WAITERS[a]}" "${WAITERS[b]}"
}

@test "-p with --comm: an event must match both" {
	# a: listed and named so; b: listed, another name; c: named so, not listed
	waiter a
	waiter b other_waiter
	waiter c
	start_tracer -p "${WAITERS[a]}" -p "${WAITERS[b]}" --comm wait_then_fail
	release a b c
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	assert_only_pids "${WAITERS[a]}"
	EVENT=$(events)
	jq_check '.comm == "wait_then_fail" and .syscall.name == "mmap"' "the event of a"
}

@test "-c with --comm: an event must match both" {
	local root=/sys/fs/cgroup/unified cg pid
	[[ -f $root/cgroup.procs ]] || root=/sys/fs/cgroup
	grep -q " $root cgroup2 " /proc/mounts || skip "no cgroup2 hierarchy"
	cg=$root/allocfail-test.$$.comm
	cgroup_make "$cg"
	start_tracer -c "$cg" --comm mremap_in_place
	# in the cgroup: the name and another; outside: the name
	AF_PIDFILE=$BATS_TEST_TMPDIR/in in_cgroup "$cg" "$PROGS/mremap_in_place" ||
		fail "mremap_in_place in $cg failed to fail"
	AF_PIDFILE=$BATS_TEST_TMPDIR/other in_cgroup "$cg" "$PROGS/address_space" ||
		fail "address_space in $cg failed to fail"
	AF_PIDFILE=$BATS_TEST_TMPDIR/out timeout -k 5 20 "$PROGS/mremap_in_place" ||
		fail "mremap_in_place outside failed to fail"
	stop_tracer INT
	[[ $TRACER_STATUS -eq 0 ]] || fail "tracer exit status $TRACER_STATUS: $(cat "$ERR")"
	read -r pid _ <"$BATS_TEST_TMPDIR/in"
	assert_only_pids "$pid"
	EVENT=$(events)
	jq_check '.syscall.name == "mremap"' "the event in the cgroup"
}

# --- privileges and the environment -----------------------------------------------------------

# as_nobody CAPS ARGS...: allocfail ARGS as user nobody with only the capabilities CAPS (setpriv
# names: "+bpf,+perfmon") through the ambient set; the tracer and address_space are copied to
# $SCRATCH, which nobody can reach. $status, $output and $stderr as `run --separate-stderr`.
as_nobody() {
	local caps=$1

	shift
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps="$caps" --ambient-caps="$caps" -- \
		env AF_PIDFILE="$SCRATCH/pid" "$SCRATCH/allocfail" "$@"
}

# CAP_BPF and CAP_PERFMON load and attach the programs (tp_btf, raw_tp) and open the perf
# events that follow mappings. Kernel symbols need CAP_SYSLOG too (kallsyms shows no addresses
# without it unless kernel.perf_event_paranoid <= 1); a tracepoint rung, tracefs access;
# mlockall, CAP_IPC_LOCK or the memlock limit (--no-mlock here); the -1000 OOM score,
# CAP_SYS_RESOURCE. libbpf 1.1 cannot list kernel module BTF without CAP_SYS_ADMIN: no CO-RE
# relocation may send it there (a type the kernel's BTF lacks), or the whole load fails.
@test "CAP_BPF and CAP_PERFMON without root: a failure is caught as user nobody" {
	local pid note=
	scratch
	cp "$AF" "$PROGS/address_space" "$SCRATCH/"
	as_nobody +bpf,+perfmon run --no-mlock --json -o "$SCRATCH/out.jsonl" -- \
		"$SCRATCH/address_space"
	[[ $status -eq 0 ]] || fail "status $status: $stderr"
	[[ $stderr != *"needs root"* ]] || fail "refused: $stderr"
	OUT=$SCRATCH/out.jsonl
	read -r pid _ <"$SCRATCH/pid" || fail "address_space wrote no pid"
	[[ $(nevents) -eq 1 ]] || fail "expected one event: $(cat "$OUT"); stderr: $stderr"
	EVENT=$(events)
	assert_contract
	jq_check ".type == \"syscall\" and .pid == $pid and .uid == 65534 and
		.syscall.name == \"mmap\" and .syscall.errno == \"ENOMEM\" and
		(.kstack | length) > 0" "nobody's mmap, with its kernel stack"
	assert_cause address_space
	# the program's frames: from the mappings the perf events reported, unless the kernel
	# refused those events, which the tracer must then say
	if [[ $stderr == *"warning: cannot follow mappings (perf_event_open: "* ]]; then
		note="$(uname -r), perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid):"
		note+=" $(grep -o 'cannot follow mappings[^)]*)' <<<"$stderr") as nobody with"
		note+=" CAP_PERFMON, so the user frames of a process that has exited are unresolved"
	else
		assert_ustack do_beyond_task_size provoke_address_space main ||
			fail "the tracer's stderr: $stderr"
	fi

	# with CAP_SYSLOG the kernel frames are named too
	as_nobody +bpf,+perfmon,+syslog run --no-mlock --json -o "$SCRATCH/out.jsonl" -- \
		"$SCRATCH/address_space"
	[[ $status -eq 0 ]] || fail "with CAP_SYSLOG: status $status: $stderr"
	EVENT=$(events)
	jq_check '.uid == 65534 and ([.kstack[].sym] | index("do_syscall_64") != null)' \
		"kernel frames named with CAP_SYSLOG"

	# and without CAP_PERFMON it is refused, as documented
	as_nobody +bpf run --no-mlock -- "$SCRATCH/address_space"
	[[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 && $stderr == *"CAP_PERFMON"* ]] ||
		fail "CAP_BPF alone: status $status: $stderr"
	[[ -z $note ]] || skip "$note"
}

@test "no BTF: one line, exit status 2" {
	# /sys/kernel/btf hidden under an empty tmpfs, in a mount namespace of its own
	run --separate-stderr timeout -k 5 30 unshare -m sh -c \
		'mount -t tmpfs none /sys/kernel/btf || exit 99; exec "$0" -d 1' "$AF"
	[[ $status -ne 99 ]] || fail "cannot hide /sys/kernel/btf: $stderr"
	[[ $status -eq 2 ]] || fail "status $status, expected 2: $stderr"
	[[ ${#stderr_lines[@]} -eq 1 && -z $output ]] ||
		fail "expected one line on stderr and nothing on stdout: '$output' / $stderr"
	[[ $stderr == *"no BTF"*"/sys/kernel/btf/vmlinux"* ]] || fail "stderr: $stderr"
}

@test "tracefs not mounted: --max-hook tracepoint mounts it and catches the failure" {
	local mounts
	scratch
	# in a mount namespace of its own: tracefs and debugfs (whose tracing/ would mount tracefs
	# again when looked at) unmounted, then the session; what is mounted before and after
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" unshare -m sh -c '
		umount /sys/kernel/debug/tracing 2>/dev/null
		umount /sys/kernel/debug 2>/dev/null
		umount /sys/kernel/tracing 2>/dev/null
		grep tracefs /proc/self/mounts >"$1/before"
		"$0" run -v --max-hook tracepoint --json -o "$2" -- "$3"
		rc=$?
		grep tracefs /proc/self/mounts >"$1/after"
		exit $rc' "$AF" "$SCRATCH" "$OUT" "$PROGS/address_space"
	[[ ! -s $SCRATCH/before ]] || fail "tracefs still mounted: $(cat "$SCRATCH/before")"
	[[ $status -eq 0 ]] || fail "status $status: $stderr"
	mounts=$(cat "$SCRATCH/after")
	[[ $mounts == *" /sys/kernel/tracing tracefs "* ]] || fail "tracefs not mounted: $mounts"
	grep -q "^allocfail: syscall: using tracepoint raw_syscalls/sys_exit$" <<<"$stderr" ||
		fail "the syscall source: $(grep using <<<"$stderr")"
	PROG_RUN=address_space
	assert_syscall_event mmap 9
	assert_ustack do_beyond_task_size provoke_address_space main
}

# --- losses -----------------------------------------------------------------------------------

# exact_run PROG ARGS...: `allocfail run $AF_RUN_OPTS --json -o $OUT -- PROG ARGS`, done again
# (at most twice) while the kernel skipped runs of the failure programs; skips the test when it
# skipped some each time: the counts below are exact or wrong. Its summary into SUM, its
# stderr into ERRS, the program's stdout into STDOUT.
exact_run() {
	local prog=$1 attempt skipped

	shift
	for attempt in 1 2 3; do
		rm -f "$OUT"
		# shellcheck disable=SC2086
		run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run ${AF_RUN_OPTS:-} \
			--json -o "$OUT" -- "$PROGS/$prog" "$@"
		[[ $status -eq 0 ]] || fail "$prog: status $status: $output $stderr"
		SUM=$(jq -c 'select(.type == "summary")' "$OUT")
		[[ -n $SUM ]] || fail "no summary: $(tail -n 3 "$OUT")"
		skipped=$(jq .skipped <<<"$SUM")
		ERRS=$stderr STDOUT=$output
		((skipped == 0)) && return 0
		echo "# $prog: the kernel skipped $skipped runs (run $attempt)" >&3
	done
	skip "the kernel skipped runs of the failure programs in each of 3 sessions ($skipped in \
the last: it runs syscall programs preemptibly), so no count here is exact"
}

@test "lost events: a --no-aggregate storm overflows the ring buffer; stderr and the summary say how many, per type" {
	local n=40000 lost events text
	AF_RUN_OPTS=--no-aggregate exact_run mmap_storm $n
	[[ $STDOUT == *"a=30000 b=10000"* ]] || fail "the storm said: $STDOUT"
	jq -e --argjson n $n '.lost > 0 and .lost_by_type.syscall == .lost and
		([.lost_by_type[]] | add) == .lost and .events + .lost == $n and
		.by_type.syscall == .events and .sites == 0' <<<"$SUM" >/dev/null ||
		fail "summary: $SUM"
	lost=$(jq .lost <<<"$SUM")
	events=$(jq .events <<<"$SUM")
	[[ $(nevents) -eq $events ]] || fail "$(nevents) event lines, the summary says $events"
	[[ $(grep -c "^allocfail: WARNING: $lost events lost (ring buffer full); counts in the summary$" \
		<<<"$ERRS") -eq 1 ]] || fail "stderr does not say $lost lost once: $ERRS"
	jq -s -e --argjson l "$lost" '.[-1].type == "diagnosis" and .[-1].lost == $l' "$OUT" \
		>/dev/null || fail "the diagnosis does not name the loss: $(tail -n 1 "$OUT")"

	# the text summary names them per type
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run --no-aggregate \
		-o "$BATS_TEST_TMPDIR/text" -- "$PROGS/mmap_storm" $n
	[[ $status -eq 0 ]] || fail "text: status $status: $stderr"
	text=$(cat "$BATS_TEST_TMPDIR/text")
	[[ $text =~ $'\n'"lost: "([0-9]+)$'\n'"WARNING: "([0-9]+)" events lost (syscall "([0-9]+)"): the ring buffer was full" ]] ||
		fail "text summary: $(sed -n '/^--- summary/,$p' <<<"$text")"
	((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] == BASH_REMATCH[2] &&
		BASH_REMATCH[2] == BASH_REMATCH[3])) || fail "text summary: ${BASH_REMATCH[0]}"
	[[ $stderr == *"WARNING: ${BASH_REMATCH[1]} events lost (ring buffer full)"* ]] ||
		fail "text: stderr: $stderr"
}

@test "site_records_lost: records of new sites that find the ring buffer full are counted in their sites, none lost" {
	local n=2048 srl
	# 64 KiB of stack copied per record: the ring buffer holds about 128 of them
	AF_RUN_OPTS="--ustack-size 65536" exact_run site_flood $n
	[[ $STDOUT == *"made=$n"* ]] || fail "site_flood said: $STDOUT"
	srl=$(jq .site_records_lost <<<"$SUM")
	((srl > 0)) || skip "the tracer kept up with $n new sites here: the ring buffer never filled"
	# every failure a site of its own: those whose record was lost are its count
	jq -e --argjson n $n '.lost == 0 and .events == $n and .sites == $n and
		.aggregated == .site_records_lost and .sites_full == 0' <<<"$SUM" >/dev/null ||
		fail "summary: $SUM"
	[[ $(nevents) -eq $((n - srl)) ]] || fail "$(nevents) records, expected $((n - srl))"
	# a site none of whose records came through: a count line with no detail to explain it
	jq -s -e --argjson srl "$srl" '[.[] | select(.type == "count")] |
		length == $srl and all(.count == 1 and .total == 1 and .detail == false and
			.cause == null and .event_type == "syscall" and .syscall == "mmap")' "$OUT" \
		>/dev/null || fail "count lines: $(jq -c 'select(.type == "count")' "$OUT" | head)"
	# sites are unique: no site has both a record and a count line
	jq -s -e '[.[] | select(.site != null) | .site] | length == (unique | length)' "$OUT" \
		>/dev/null || fail "a site both sent and counted"
	[[ $ERRS != *"events lost"* ]] || fail "a loss reported: $ERRS"
}

# --- slab events ------------------------------------------------------------------------------

# kmalloc: the pipe's buffer array (2.5 MiB, order 10) charged to the full memory cgroup; a
# kmem_cache_alloc failure (an object of a cache) needs a charge that fails rather than OOM-kill
# or force (order <= 3 and a blocking GFP go to the OOM killer), so none is provoked here.
@test "slab: a kmalloc that returns NULL in a full memcg, with its fields" {
	local sys
	pipe_case
	EVENT=$(events | jq -c 'select(.type == "slab")' | head -n 1)
	assert_contract
	jq_check '.slab.kmalloc == true and .slab.cache == null' "a kmalloc, no cache"
	jq_check '.slab.bytes_req == 2621440 and .bytes == 2621440' \
		"2.5 MiB asked for (ring of 16384 pipe_buffers of 40 bytes)"
	jq_check '.slab.bytes_alloc >= .slab.bytes_req and .slab.bytes_alloc <= 4194304' \
		"what the allocator would have given: up to the order-10 block"
	jq_check '.slab.gfp | split("|") | (index("GFP_KERNEL_ACCOUNT") != null) and
		(index("__GFP_NOWARN") != null)' "GFP flags, named"
	jq_check '.slab.node == -1' "any node"
	jq_check '.slab.call_site | test("^0x[0-9a-f]+$")' "call site, an address"
	jq_check '[.kstack[].sym] | index("pipe_resize_ring") != null' "the kernel stack"
	jq_check '.chain_id != null and .caused_by != null' "chained to the page allocation"
	assert_cause memcg_limit
	sys=$(events | jq -c 'select(.type == "syscall")')
	jq -e --argjson s "$EVENT" '.chain_id == $s.chain_id and .caused_by >= $s.id' \
		<<<"$sys" >/dev/null || fail "fcntl is not above the kmalloc: $sys"
	assert_ustack resize_pipe provoke_pipe_resize main
}

@test "slab: a kmalloc with __GFP_ACCOUNT is accounted" {
	pipe_case
	EVENT=$(events | jq -c 'select(.type == "slab")' | head -n 1)
	jq_check '.slab.gfp | test("GFP_KERNEL_ACCOUNT|__GFP_ACCOUNT")' "a charged kmalloc"
	jq_check '.slab.accounted' "accounted: __GFP_ACCOUNT charges it to the memory cgroup"
}

# slab_cache_case: slab_cache in a 32 MiB memory cgroup that cannot OOM-kill, 28 MiB of it
# filled: mapping page after page, a VMA object's charge fails: a vm_area_struct, or on the
# kernels that keep a VMA's lock apart (6.4 to 6.12 here) its vma_lock, whichever is allocated
# when the cgroup is full. Sets EVENT to the slab event of that cache.
slab_cache_case() {
	memcg_make slab $((32 * MIB))
	memcg_no_oom_kill
	PROG_RUN=slab_cache
	trace_prog slab_cache "$MEMCG" 28 $ADJ
	[[ $status -eq 0 ]] || fail "slab_cache: status $status: $output"
	EVENT=$(events | jq -c 'select(.type == "slab" and
		(.slab.cache == "vm_area_struct" or .slab.cache == "vma_lock"))' | head -n 1)
	[[ -n $EVENT ]] || fail "no slab event of a VMA cache: $(events | jq -c '[.type, .slab]')"
}

@test "slab: kmem_cache_alloc returns NULL for a VMA object in a full memcg, with its fields" {
	local slab sys
	slab_cache_case
	assert_contract
	jq_check '.slab.kmalloc == false' "a cache's object"
	jq_check '.slab.bytes_req == .slab.bytes_alloc and .slab.bytes_req >= 32 and
		.slab.bytes_req <= 512 and .bytes == .slab.bytes_req' "one object's size"
	jq_check '.slab.gfp | split("|") | index("GFP_KERNEL") != null' "GFP_KERNEL, named"
	jq_check '.slab.node == -1' "any node"
	jq_check '.slab.call_site | test("^0x[0-9a-f]+$")' "call site, an address"
	jq_check '[.kstack[].sym] | index("vm_area_alloc") != null' "the kernel stack"
	assert_ustack map_page provoke_slab_cache main
	slab=$EVENT
	# mmap's ENOMEM, caused by it
	sys=$(events | jq -c 'select(.type == "syscall")')
	[[ $(grep -c . <<<"$sys") -eq 1 ]] || fail "expected one syscall event: $sys"
	EVENT=$sys
	jq_check ".syscall.name == \"mmap\" and .syscall.ret == -12 and
		.chain_id == $(jq .chain_id <<<"$slab") and .caused_by == $(jq .id <<<"$slab")" \
		"mmap's ENOMEM, caused by the slab failure"
	assert_ustack map_page provoke_slab_cache main
}

@test "slab: a charged kmem_cache_alloc in a full memcg is accounted, and the memcg is its cause" {
	slab_cache_case
	# both VMA caches are SLAB_ACCOUNT: each object is charged to the memory cgroup
	jq_check '.slab.accounted' "accounted: a SLAB_ACCOUNT cache"
	assert_cause memcg_limit
}
