#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Kernel-side failures (issue 3): a page allocation that fails under a syscall, chained to the
# ENOMEM the syscall returned; and the hook each source uses on this kernel.

load lib/helpers

MIB=1048576

restore_pipe_max() {
	[[ -n ${PIPE_MAX_OLD:-} ]] && echo "$PIPE_MAX_OLD" >/proc/sys/fs/pipe-max-size
	PIPE_MAX_OLD=
}

teardown() {
	restore_pipe_max
	local p
	for p in "${CLEANUP_PIDS[@]}" $TRACER_PID; do
		kill -KILL "$p" 2>/dev/null || true
	done
	for ((p = ${#CLEANUP_CGROUPS[@]} - 1; p >= 0; p--)); do
		cgroup_remove "${CLEANUP_CGROUPS[p]}"
	done
	memcg_restore
}

# The pipe case, under whatever hooks AF_RUN_OPTS lets the tracer choose.
pipe_chain_case() {
	memcg_make pipe $((64 * MIB))
	PIPE_MAX_OLD=$(cat /proc/sys/fs/pipe-max-size)
	echo $((256 * MIB)) >/proc/sys/fs/pipe-max-size
	trace_prog pipe_resize "$MEMCG" 62
	restore_pipe_max
	[[ $status -eq 0 ]] || fail "pipe_resize: $output"
	# one resize: fcntl's ENOMEM, the page allocation and the charge below it, once each;
	# kmalloc once or twice, as the kernel traces its large path (pipe_storm_case)
	assert_summary 3 slab

	EVENT=$(events | jq -c 'select(.type == "page_alloc")' | head -n 1)
	[[ -n $EVENT ]] || fail "no page_alloc event: $(events | jq -c .type)"
	assert_contract
	jq_check '.page_alloc.order == 10' "order 10"
	jq_check '.page_alloc.gfp | test("GFP_KERNEL_ACCOUNT") and test("__GFP_COMP")' "gfp names"
	jq_check '.page_alloc.gfp_raw | test("^0x")' "raw gfp"
	jq_check '.page_alloc.migratetype == "MIGRATE_UNMOVABLE"' "migratetype"
	# below fexit the charge failure is inferred from the memcg reclaim trail, so it was seen
	MEMCG_HOOK=$(used_hook memcg)
	[[ -n $MEMCG_HOOK ]] || fail "no hook for the memcg source"
	if [[ $MEMCG_HOOK != fentry* ]]; then
		jq_check '.page_alloc.frag.reclaim.memcg_reclaim == true' \
			"the memcg reclaim trail was seen"
	fi
	# the fragmentation numbers must agree with the free lists they came from
	jq_check '.page_alloc.frag as $z | ($z.free_blocks | length) == 11 and
		  ([range(0; 11) as $o | $z.free_blocks[$o] * pow(2; $o)] | add) > 0 and
		  (if ([$z.free_blocks[10:][]] | add) > 0 then $z.fragindex == -1000 else true end) and
		  $z.unusable_index >= 0 and $z.unusable_index <= 1000 and
		  $z.watermarks.min > 0 and $z.watermarks.min <= $z.watermarks.low and
		  ($z.reclaim | type) == "object" and
		  ($z.snapshot == "at_failure" or $z.snapshot == "after")' "zone numbers add up"
	local chain page_id
	chain=$(jq -r .chain_id <<<"$EVENT")
	page_id=$(jq -r .id <<<"$EVENT")
	[[ $chain != null ]] || fail "page_alloc has no chain_id"

	EVENT=$(events | jq -c 'select(.type == "syscall")' | head -n 1)
	jq_check '.syscall.name == "fcntl" and .syscall.errno == "ENOMEM"' "fcntl returned ENOMEM"
	jq_check ".chain_id == $chain" "fcntl's ENOMEM shares the page allocation's chain"
	jq_check ".caused_by != null and .caused_by >= $page_id" "fcntl points at a deeper event"
	assert_ustack resize_pipe provoke_pipe_resize main
	assert_cause memcg_limit

	# the charge failure itself (fexit, or inferred where fexit is refused) starts the chain
	EVENT=$(events | jq -c 'select(.type == "memcg_charge")' | head -n 1)
	[[ -n $EVENT ]] || fail "no memcg_charge event"
	jq_check ".chain_id == $chain and .caused_by == null" "the charge failure starts the chain"
	assert_memcg_charge "$MEMCG" $((64 * MIB))
	jq_check '.memcg_charge.nr_pages == 1024' "1024 pages asked"
}

# assert_memcg_charge DIR LIMIT: $EVENT is a memcg_charge event of the memory cgroup DIR (made
# by memcg_make) whose limit is LIMIT, with that hierarchy's counters; and it says whether it
# was inferred as the hook of the memcg source ($MEMCG_HOOK) implies.
assert_memcg_charge() {
	local rel=${1#"${1%/*}"}
	jq_check ".memcg_charge.memcg | endswith(\"$rel\")" "the memcg's path ($rel)"
	jq_check ".memcg_charge.memcg_state | .version == $MEMCG_V and
		.limit_bytes == $2" "the memcg's version and limit"
	# read by BPF at the failure: the program has exited since, its charges gone. Full, but
	# the refused charge reverted: no more than the limit
	jq_check ".memcg_charge.memcg_state | .at_failure == true and
		.usage_bytes >= $2 - $((8 * MIB)) and .usage_bytes <= $2 and .binding.level == 0 and
		.binding.limit_bytes == $2" "usage and the binding level at the failure"
	# v1: memory.failcnt; v2: memory.events "max", the times a charge hit the limit
	jq_check '.memcg_charge.memcg_state.failcnt >= 1' "the limit was hit (failcnt)"
	if [[ $MEMCG_V == 2 ]]; then
		jq_check '.memcg_charge.memcg_state.oom_kill_disable == 0' "v2 has no oom_control"
	fi
	if [[ $MEMCG_HOOK == fentry* ]]; then
		jq_check '.memcg_charge.inferred == false and .memcg_charge.ret == -12' \
			"fexit saw the charge return -ENOMEM"
	else
		jq_check '.memcg_charge.inferred == true' "inferred without fexit"
	fi
}

@test "page_alloc: an order-10 accounted allocation fails in a full memcg, chained to fcntl's ENOMEM" {
	pipe_chain_case
}

@test "fallback: the same chain through classic tracepoints only" {
	AF_RUN_OPTS="--max-hook tracepoint" pipe_chain_case
}

# A storm of kernel-side failures (issue 6): N resizes of a pipe in the full memcg, each a
# memcg charge, a page allocation and the kmalloc(s) above it failing, then fcntl's ENOMEM. All
# counted exactly, none lost; the syscall's sites lead down their cause_site links to a
# page_alloc site, and every record's caused_by names a record of its cause_site.
pipe_storm_case() {
	local n=500 sum

	memcg_make pipes $((64 * MIB))
	PIPE_MAX_OLD=$(cat /proc/sys/fs/pipe-max-size)
	echo $((256 * MIB)) >/proc/sys/fs/pipe-max-size
	trace_prog pipe_resize "$MEMCG" 62 $n
	restore_pipe_max
	[[ $status -eq 0 && $output == *"failed $n"* ]] || fail "pipe_resize: $status: $output"
	sum=$(jq -c 'select(.type == "summary")' "$OUT")
	# page_alloc and fcntl once a resize; slab once or twice (6.18 traces kmalloc's large path
	# and kmalloc both); the charge where the buddy allocator found the pages (all, here).
	# Every fcntl exit: trace_prog does a session with skipped runs again
	jq -e --argjson n $n '.lost == 0 and .skipped == 0 and .by_type.syscall == $n and
		.by_type.page_alloc == $n
		and .by_type.memcg_charge == $n and .by_type.slab % $n == 0 and .by_type.slab > 0
		and .events == ([.by_type[]] | add) and .sites_full == 0 and .aggregated > 0' \
		<<<"$sum" >/dev/null || fail "summary: $sum"
	# records: a site's first failure, then one a second (twice if two CPUs race)
	jq -s -e --argjson n $n --argjson sum "$sum" '
		[.[] | select(.type != "summary" and .type != "diagnosis")] as $lines |
		[$lines[] | select(.type != "count")] as $recs |
		# site -> [type, cause_site], from records and count lines alike
		(reduce $lines[] as $l ({}; .[$l.site | tostring] =
			[($l.event_type // $l.type), $l.cause_site])) as $sites |
		def down($s): if $s == null then [] else [$sites[$s | tostring][0]] +
			down($sites[$s | tostring][1]) end;
		($recs | length) <= 2 * $sum.sites * ($sum.duration_s + 2) and
		($recs | length) < $n and
		([$lines[] | .count] | add) == $sum.events and ([$recs[] | .count == 1] | all) and
		([$lines[] | select(.type == "syscall" or .event_type == "syscall") | .count] | add)
			== $sum.by_type.syscall and
		([$lines[] | select(.type == "syscall" or .event_type == "syscall") |
			.cause_site != null and
			(down(.cause_site) | index("page_alloc") != null) and
			((.cause | objects | .code) // .cause) == "memcg_limit"] | all) and
		([$recs[] | select(.cause_site) | . as $r |
			[$recs[] | select(.site == $r.cause_site) | .id] |
			index($r.caused_by) != null] | all)' "$OUT" >/dev/null ||
		fail "lines: $(jq -c '{type, event_type, id, caused_by, site, cause_site, count,
			cause: ((.cause | objects | .code) // .cause)}' "$OUT")"
}

@test "storm: 500 failing pipe resizes in a full memcg, every kernel-side failure counted, linked" {
	pipe_storm_case
}

@test "storm: the same through classic tracepoints only" {
	AF_RUN_OPTS="--max-hook tracepoint" pipe_storm_case
}

@test "fallback: rlimit_as through raw_tp and through classic tracepoints" {
	local kind
	for kind in raw_tp tracepoint; do
		AF_RUN_OPTS="--max-hook $kind" run_case rlimit_as
		assert_syscall_event mmap 9
		assert_enomem
		assert_ustack do_big_map provoke_rlimit_as main
		assert_cause rlimit_as
	done
}

# check_json: `allocfail check --json` into $CHECK (it loads the real programs, so it knows
# what the kernel's verifier refuses).
check_json() {
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" check --json
	[[ $status -eq 0 ]] || fail "check: status $status: $stderr"
	CHECK=$output
}

# used_hooks: "SOURCE KIND TARGET" per source, as a real session logs them under -v.
used_hooks() {
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run -v -- true
	[[ $status -eq 0 ]] || fail "run -v -- true: status $status: $stderr"
	sed -n 's/^allocfail: \([a-z_]*\): using \([a-z_]*\) \(.*\)$/\1 \2 \3/p' <<<"$stderr"
}

# The best hook is the first rung the probe (and the real load) found usable: no fixed table per
# kernel. On Debian's QEMU kernels that is fentry/fexit for oom_kill and memcg, on a kernel that
# refuses fentry (this development host) a tracepoint kind; either way check and a real session
# must agree on it.
@test "check --json: each source uses the best hook this kernel offers, as a session does" {
	local src best used kind target session
	check_json
	session=$(used_hooks)
	for src in syscall page_alloc zone compaction reclaim kmalloc kmem_cache oom_kill memcg \
		fork exit; do
		best=$(jq -r --arg s "$src" '.sources[] | select(.source == $s) |
			[.candidates[] | select(.usable)][0] | "\(.hook) \(.target)"' <<<"$CHECK")
		used=$(jq -r --arg s "$src" '.sources[] | select(.source == $s) |
			"\(.hook) \(.target)"' <<<"$CHECK")
		[[ $best != "null null" ]] || fail "$src: no usable hook: $CHECK"
		[[ $used == "$best" ]] || fail "$src: check says $used, but $best is usable"
		grep -qx "$src $best" <<<"$session" || fail "$src: check says $best," \
			"the session used: $(grep "^$src " <<<"$session")"
		# every rung better than the best says why it is not used
		jq -e --arg s "$src" '.sources[] | select(.source == $s) | .candidates |
			(map(.usable) | index(true)) as $b | .[:$b] |
			all(.why | type == "string" and length > 0)' <<<"$CHECK" >/dev/null ||
			fail "$src: an unusable rung without a reason: $CHECK"
	done
	# oom_kill and memcg share their best kind: fentry/fexit where the kernel allows tracing
	# programs on functions, else a tracepoint kind
	kind=$(jq -r '.sources[] | select(.source == "oom_kill") | .candidates[0] |
		if .usable then "fentry" else "tracepoint kinds" end' <<<"$CHECK")
	for src in oom_kill memcg; do
		used=$(jq -r --arg s "$src" '.sources[] | select(.source == $s) | .hook' \
			<<<"$CHECK")
		if [[ $kind == fentry ]]; then
			[[ $used == fentry ]] || fail "$src uses $used where fentry works"
		else
			[[ $used == tp_btf || $used == raw_tp || $used == tracepoint ]] ||
				fail "$src uses $used without fentry"
		fi
	done
}

# A program the verifier refuses though the probe's program attached (Debian's 6.1 and 6.12
# refuse the tp_btf slab programs) moves its source one rung down, said once under -v (on stderr
# without -v only when a function hook is lost), and the session runs. Kernels that refuse
# nothing have nothing to show here.
@test "load fallback: a program the kernel refuses falls back to the next rung, said once" {
	local refused src kind target n loud
	check_json
	refused=$(jq -r '.sources[] | .source as $s | .candidates[] |
		select(.why != null and (.why | startswith("the kernel refused the program"))) |
		"\($s) \(.hook) \(.target)"' <<<"$CHECK")
	[[ -n $refused ]] || skip "this kernel's verifier refuses none of the programs"
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run -v -- true
	[[ $status -eq 0 ]] || fail "run -v: status $status: $stderr"
	loud=0
	while read -r src kind target; do
		n=$(grep -c "warning: $src: the kernel refused the $kind program on $target" \
			<<<"$stderr") || true
		[[ $n -eq 1 ]] || fail "$src $kind: said $n times under -v, expected once: $stderr"
		grep -q "^allocfail: $src: using " <<<"$stderr" ||
			fail "$src: no hook used: $stderr"
		[[ $kind == fentry || $kind == kprobe ]] && loud=$((loud + 1))
	done <<<"$refused"
	run --separate-stderr timeout -k 5 "$AF_TIMEOUT" "$AF" run -- true
	[[ $status -eq 0 ]] || fail "run: status $status: $stderr"
	n=$(grep -c "the kernel refused" <<<"$stderr") || true
	[[ $n -eq $loud ]] || fail "$n refusals on stderr without -v, expected $loud: $stderr"
	# and the real session still catches a failure through the fallback
	run_case rlimit_as
	assert_syscall_event mmap 9
}
