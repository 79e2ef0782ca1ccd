#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/soak.sh [--minutes N] [--binaries N] [--storm N] [--results FILE] [-- TRACER-OPTIONS]
#
# Issue 13's soak: the whole-machine tracer for N minutes (default 10) while N distinct binaries
# (default 200, each its own build-id) and a Debian python3 fail mmaps in a loop, new processes
# all the time, with a storm of --storm failing mmaps (default 300,000, one process) every
# minute. Samples the tracer's VmRSS, VmHWM and VmLck every 10 s and its CPU time; at the end
# checks that each storm was counted exactly (its records and "count" lines add up to the
# failures it made) and reads the summary's lost, full-map and skipped counters. Prints a
# markdown report (and appends it to --results). Needs root and `make all` (`make soak` builds
# and runs it). A measurement, not a test: it never fails on a number, only on a broken run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRACER=$ROOT/build/allocfail
STORM=$ROOT/build/tests/progs/mmap_storm
BIN=$ROOT/build/bench/churn
MINUTES=10
NBIN=200
NSTORM=300000
RESULTS=
TRACER_OPTS=()

while (($#)); do
	case $1 in
	--minutes) MINUTES=$2; shift 2 ;;
	--binaries) NBIN=$2; shift 2 ;;
	--storm) NSTORM=$2; shift 2 ;;
	--results) RESULTS=$2; shift 2 ;;
	--) shift; TRACER_OPTS=("$@"); break ;;
	*) echo "soak.sh: unknown option $1 (see the head of $0)" >&2; exit 2 ;;
	esac
done
[[ $MINUTES =~ ^[1-9][0-9]*$ && $NBIN =~ ^[1-9][0-9]*$ && $NSTORM =~ ^[1-9][0-9]*$ ]] ||
	{ echo "soak.sh: --minutes, --binaries and --storm take whole numbers" >&2; exit 2; }
[[ $(id -u) == 0 ]] || { echo "soak.sh: needs root" >&2; exit 2; }
[[ -x $TRACER && -x $STORM ]] || { echo "soak.sh: run make all and the progs first" >&2; exit 2; }

WORK=$(mktemp -d /tmp/allocfail-soak.XXXXXX)
OUT=$WORK/events.jsonl
PIDS=()
TRACER_PID=
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	[[ -n $TRACER_PID ]] && kill -INT "$TRACER_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# distinct binaries: the same source with another CHURN_ID is other code, another build-id
mkdir -p "$BIN"
for ((i = 0; i < NBIN; i++)); do
	[[ -x $BIN/churn_$i ]] ||
		gcc -O1 -g -DCHURN_ID=$i -Wl,--build-id "$ROOT/bench/churn.c" -o "$BIN/churn_$i"
done

"$TRACER" --json -o "$OUT" --ready-file "$WORK/ready" "${TRACER_OPTS[@]}" 2>"$WORK/stderr" &
TRACER_PID=$!
for ((i = 0; i < 300; i++)); do
	[[ -e $WORK/ready ]] && break
	kill -0 "$TRACER_PID" 2>/dev/null || { cat "$WORK/stderr" >&2; exit 1; }
	sleep 0.1
done
[[ -e $WORK/ready ]] || { echo "soak.sh: the tracer did not attach in 30 s" >&2; exit 1; }

# the churn: every binary in turn, a new process each time
(
	while :; do
		for ((i = 0; i < NBIN; i++)); do "$BIN/churn_$i" 3 || true; done
	done
) &
PIDS+=($!)
# a Debian python3 failing mmaps, a new interpreter every few seconds
(
	while :; do
		/usr/bin/python3 -c '
import mmap, resource, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
end = time.time() + 5
while time.time() < end:
    try:
        mmap.mmap(-1, 2 << 30)
    except (OSError, OverflowError):
        pass
    time.sleep(0.001)
' || true
	done
) &
PIDS+=($!)

hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$TRACER_PID/stat"; }
kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$TRACER_PID/status"; }
start=$(date +%s.%N)
t0=$(ticks)
echo "| t (s) | VmRSS (MiB) | VmHWM (MiB) | VmLck (MiB) | tracer CPU (%) |" >"$WORK/samples"
echo "|---|---|---|---|---|" >>"$WORK/samples"
: >"$WORK/storms"
prev_t=$start prev_ticks=$t0
next_storm=0
for ((s = 0; s <= MINUTES * 6; s++)); do
	if ((s == next_storm && s < MINUTES * 6)); then
		(
			cd "$WORK"
			AF_PIDFILE=$WORK/storm.$s.pid "$STORM" "$NSTORM" >"$WORK/storm.$s.out" || true
			read -r pid _ <"$WORK/storm.$s.pid"
			echo "$s $pid $(tr -d '\n' <"$WORK/storm.$s.out")" >>"$WORK/storms"
		) &
		next_storm=$((next_storm + 6))
	fi
	now=$(date +%s.%N)
	tk=$(ticks)
	cpu=$(awk -v d="$((tk - prev_ticks))" -v hz="$hz" -v a="$prev_t" -v b="$now" \
		'BEGIN { w = b - a; printf "%.1f", (w > 0 ? 100 * d / hz / w : 0) }')
	printf '| %d | %.1f | %.1f | %.1f | %s |\n' $((s * 10)) "$(($(kb VmRSS) * 10 / 1024))e-1" \
		"$(($(kb VmHWM) * 10 / 1024))e-1" "$(($(kb VmLck) * 10 / 1024))e-1" "$cpu" \
		>>"$WORK/samples"
	prev_t=$now prev_ticks=$tk
	((s < MINUTES * 6)) && sleep 10
done
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait "${PIDS[@]}" 2>/dev/null || true
PIDS=()
end=$(date +%s.%N)
t1=$(ticks)
kill -INT "$TRACER_PID"
wait "$TRACER_PID" || echo "soak.sh: the tracer exited $?" >&2
TRACER_PID=

# each storm: its records and count lines add up to what it made
storm_rows=
while read -r s pid made; do
	a=${made#a=} a=${a%% *} b=${made##*b=}
	got=$(jq -s --argjson pid "$pid" '[.[] | select(.pid == $pid and
		(.type == "syscall" or .type == "count")) | .count] | add // 0' "$OUT")
	storm_rows+="| $((s * 10)) | $pid | $((a + b)) | $got | $([[ $got == $((a + b)) ]] && echo exact || echo MISSED) |"$'\n'
done < <(sort -n "$WORK/storms")
sum=$(tail -n 2 "$OUT" | head -n 1)

{
	echo "### Soak, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$ROOT" rev-parse --short HEAD)"
	echo
	echo "\`bench/soak.sh --minutes $MINUTES --binaries $NBIN --storm $NSTORM${TRACER_OPTS[*]:+ -- ${TRACER_OPTS[*]}}\`" \
		"on $(uname -r), $(nproc) CPUs; tracer: \`allocfail --json -o FILE${TRACER_OPTS[*]:+ ${TRACER_OPTS[*]}}\`, whole machine."
	echo
	awk -F'|' 'NR > 2 { r = $3 + 0; if (r > max) max = r; rss[NR] = r; t[NR] = $2 + 0; n = NR }
		END { for (i = 3; i <= n; i++) if (t[n] - t[i] <= 300) { first = rss[i]; break }
		      printf "- max VmRSS %.1f MiB; VmRSS over the last five minutes: %.1f -> %.1f MiB\n",
			max, first, rss[n] }' "$WORK/samples"
	awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$start" -v e="$end" \
		'BEGIN { printf "- tracer CPU: %.1f s in %.0f s (%.1f%% of one CPU)\n", (b - a) / hz, e - s,
			100 * (b - a) / hz / (e - s) }'
	jq -r '"- summary: events \(.events), sites \(.sites), lost \(.lost), sites_full \(.sites_full), site_records_lost \(.site_records_lost), skipped \(.skipped)"' <<<"$sum"
	echo
	echo "| storm at (s) | pid | failures made | counted | |"
	echo "|---|---|---|---|---|"
	printf '%s' "$storm_rows"
	echo
	cat "$WORK/samples"
	echo
} | tee "$WORK/report.md"
[[ -n $RESULTS ]] && cat "$WORK/report.md" >>"$RESULTS"
exit 0
