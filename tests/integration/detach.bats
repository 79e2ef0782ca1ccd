#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Clean detach: after SIGINT or SIGTERM the tracer exits 0 with its summary written, and none of
# the BPF programs or links it held is still loaded.

load lib/helpers

# bpf_ids PID KIND: the ids of the BPF objects PID holds by fd (KIND prog or link).
bpf_ids() {
	local fd want

	[[ $2 == prog ]] && want=anon_inode:bpf-prog || want=anon_inode:bpf_link
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd") == "$want" ]] &&
			awk -v k="$2_id:" '$1 == k { print $2 }' "/proc/$1/fdinfo/${fd##*/}"
	done | sort -un
}

# still_loaded KIND IDS: those of IDS bpftool still lists.
still_loaded() {
	bpftool "$1" show --json | jq -r '.[].id' | sort -un | comm -12 - <(printf '%s\n' $2)
}

detach_case() {
	local progs links names i left
	start_tracer
	progs=$(bpf_ids "$TRACER_PID" prog)
	links=$(bpf_ids "$TRACER_PID" link)
	[[ -n $progs ]] || fail "the tracer holds no BPF program"
	names=$(bpftool prog show --json | jq -r --argjson ids "[$(echo $progs | tr ' ' ,)]" \
		'.[] | select(.id as $i | $ids | index($i)) | .name')
	grep -qx sys_exit_btf <<<"$names" || fail "no sys_exit_btf among its programs: $names"
	stop_tracer "$1"
	[[ $TRACER_STATUS -eq 0 ]] || fail "exit status $TRACER_STATUS after SIG$1: $(cat "$ERR")"
	jq -e 'select(.type == "summary")' <(tail -n 2 "$OUT" | head -n 1) >/dev/null ||
		fail "no summary line after SIG$1"
	jq -e 'select(.type == "diagnosis")' <(tail -n 1 "$OUT") >/dev/null ||
		fail "no diagnosis line after SIG$1"
	# programs are freed after an RCU grace period: give them a moment
	for ((i = 0; i < 40; i++)); do
		left="$(still_loaded prog "$progs")$(still_loaded link "$links")"
		[[ -z $left ]] && return 0
		sleep 0.05
	done
	fail "still loaded after exit: programs/links $left"
}

@test "SIGINT detaches every program" {
	detach_case INT
}

@test "SIGTERM detaches every program" {
	detach_case TERM
}
