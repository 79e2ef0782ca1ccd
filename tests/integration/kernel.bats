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
}

# The pipe case, under whatever hooks AF_RUN_OPTS lets the tracer choose.
pipe_chain_case() {
	local cg=/sys/fs/cgroup/memory/allocfail-test.$$.pipe
	[[ -d /sys/fs/cgroup/memory ]] || skip "no v1 memory hierarchy"
	cgroup_make "$cg"
	echo $((64 * MIB)) >"$cg/memory.limit_in_bytes"
	PIPE_MAX_OLD=$(cat /proc/sys/fs/pipe-max-size)
	echo $((256 * MIB)) >/proc/sys/fs/pipe-max-size
	trace_prog pipe_resize "$cg" 62
	restore_pipe_max
	[[ $status -eq 0 ]] || fail "pipe_resize: $output"
	assert_summary "$(nevents)"

	EVENT=$(events | jq -c 'select(.type == "page_alloc")' | head -n 1)
	[[ -n $EVENT ]] || fail "no page_alloc event: $(events | jq -c .type)"
	assert_contract
	jq_check '.page_alloc.order == 10' "order 10"
	jq_check '.page_alloc.gfp | test("GFP_KERNEL_ACCOUNT") and test("__GFP_COMP")' "gfp names"
	jq_check '.page_alloc.gfp_raw | test("^0x")' "raw gfp"
	jq_check '.page_alloc.migratetype == "MIGRATE_UNMOVABLE"' "migratetype"
	jq_check '.page_alloc.frag.reclaim.memcg_reclaim == true' "the memcg reclaim trail was seen"
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

	# the charge failure itself, inferred on this kernel (fexit is refused), starts the chain
	EVENT=$(events | jq -c 'select(.type == "memcg_charge")' | head -n 1)
	[[ -n $EVENT ]] || fail "no memcg_charge event"
	jq_check ".chain_id == $chain and .caused_by == null" "the charge failure starts the chain"
	jq_check '.memcg_charge.memcg | endswith("allocfail-test.'$$'.pipe")' "the memcg's path"
	jq_check '.memcg_charge.nr_pages == 1024' "1024 pages asked"
}

@test "page_alloc: an order-10 accounted allocation fails in a full memcg, chained to fcntl's ENOMEM" {
	pipe_chain_case
}

@test "fallback: the same chain through classic tracepoints only" {
	AF_RUN_OPTS="--max-hook tracepoint" pipe_chain_case
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

@test "check --json: each source uses the best hook this kernel offers" {
	run "$AF" check --json
	[[ $status -eq 0 ]] || fail "check: $output"
	local src best used
	for src in syscall page_alloc kmalloc kmem_cache oom_kill memcg fork exit; do
		# the first usable candidate is the one in use
		best=$(jq -r --arg s "$src" '.sources[] | select(.source == $s) |
			[.candidates[] | select(.usable)][0].hook' <<<"$output")
		used=$(jq -r --arg s "$src" '.sources[] | select(.source == $s) | .hook' <<<"$output")
		[[ -n $used && $used != null ]] || fail "$src: no hook in use"
		[[ $used == "$best" ]] || fail "$src uses $used, but $best is usable"
	done
	# on this kernel: fentry is refused, so OOM and memcg fall back to tracepoint-based hooks
	if ! jq -e '.sources[] | select(.source == "oom_kill") | .candidates[0].usable' \
		<<<"$output" >/dev/null; then
		jq -e '.sources[] | select(.source == "oom_kill") | .hook == "tp_btf"' \
			<<<"$output" >/dev/null || fail "oom_kill should use tp_btf without fentry"
	fi
}
