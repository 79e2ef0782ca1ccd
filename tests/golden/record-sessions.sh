#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Records real sessions of the integration programs into DIR (root, BPF, a memory cgroup
# controller): the golden records tests/golden/run.sh reads back. Run it again only to add
# sessions; the committed records and their expected output are the contract of `report`.
# Usage: tests/golden/record-sessions.sh DIR
set -eu
dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
AF=$root/build/allocfail
PROGS=$root/build/tests/progs
mkdir -p "$dir"
cg=
pipe_max=$(cat /proc/sys/fs/pipe-max-size)
cleanup() {
	echo "$pipe_max" >/proc/sys/fs/pipe-max-size
	[[ -n $cg && -d $cg ]] && rmdir "$cg" 2>/dev/null
	return 0
}
trap cleanup EXIT

rec() {
	local name=$1
	shift
	"$AF" record -q -o "$dir/$name.afrec" "$@" || true
}

# a memory cgroup on whichever hierarchy holds the controller
memcg() {
	local limit=$1 m
	m=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	if [[ -d /sys/fs/cgroup/memory ]]; then
		cg=/sys/fs/cgroup/memory/allocfail-golden.$$
		mkdir "$cg"
		echo "$limit" >"$cg/memory.limit_in_bytes"
	else
		grep -qw memory "$m/cgroup.subtree_control" || echo +memory >"$m/cgroup.subtree_control"
		cg=$m/allocfail-golden.$$
		mkdir "$cg"
		echo "$limit" >"$cg/memory.max"
	fi
}

rec rlimit_as -- "$PROGS/rlimit_as"
rec max_map_count -- "$PROGS/max_map_count"
rec rlimit_data_brk -- "$PROGS/rlimit_data_brk"
rec mlock_holes -- "$PROGS/mlock_holes"
rec deep5 -- "$PROGS/deep5"
rec storm -- "$PROGS/mmap_storm" 5000
rec storm_bytes --weight bytes -- "$PROGS/mmap_storm" 3000
memcg $((64 * 1024 * 1024))
echo $((256 * 1024 * 1024)) >/proc/sys/fs/pipe-max-size
rec pipe_resize -- "$PROGS/pipe_resize" "$cg" 62
echo "$pipe_max" >/proc/sys/fs/pipe-max-size
rmdir "$cg"
memcg $((32 * 1024 * 1024))
rec oom_hog -- "$PROGS/oom_hog" "$cg" 128
sleep 0.5
rmdir "$cg" 2>/dev/null || true
cg=
ls -la "$dir"
