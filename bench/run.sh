#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/run.sh [--runs N] [--quick] [--no-bpftrace] [--no-nice] [--no-pin] [--results FILE]
#
# Runs three workloads (failing-mmap storm, cheap-syscall loop, page-fault loop) untraced, under
# allocfail (default options: DWARF user stacks, in-kernel aggregation; --ustack=fp;
# --no-aggregate; --no-ustack --no-kstack), under an empty program on allocfail's sys_exit hook
# (floor.bpf.c: the floor under any program there), under bpftrace doing the same in-kernel
# filter and under bpftrace's never-true sys_exit filter (its floor), and prints medians, ratios
# against untraced (of the whole loop and of its fastest batch), failures seen vs made, tracer
# RSS and attach time. Writes the table and the machine to bench/RESULTS.md. Needs root and a
# built build/allocfail (`make bench` builds both). Issue 6 items 3 and 4.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRACER=$ROOT/build/allocfail
BIN=$ROOT/build/bench
BT_PROG=$ROOT/bench/failures.bt
BT_FLOOR=$ROOT/bench/floor.bt
RESULTS=$ROOT/bench/RESULTS.md
WORKLOADS=(storm syscall_loop fault_loop)
CONFIGS=(untraced allocfail allocfail-fp allocfail-noagg allocfail-nostack floor bpftrace bpftrace-floor)
RUNS=5
QUICK=0
USE_BPFTRACE=1
# Iterations: the storm is issue 6's 200,000 failing mmaps; the others last a few seconds here.
declare -A COUNT=([storm]=200000 [syscall_loop]=2000000 [fault_loop]=4)
declare -A QUICK_COUNT=([storm]=50000 [syscall_loop]=300000 [fault_loop]=1)
# Issue 6 item 3: wall-time ratio allowed per workload, RSS and attach limits.
declare -A BUDGET=([storm]=1.3 [syscall_loop]=1.03 [fault_loop]=1.02)
BUDGET_RSS_KB=65536
BUDGET_ATTACH_MS=1000
ATTACH_TIMEOUT_S=30
STOP_TIMEOUT_S=120
# Workloads and tracers alike at nice -20: on a shared machine they then take a core from other
# users' jobs instead of queueing behind them, and still compete with each other as they would.
PRIO=(nice -n -20)
# The workload on the last CPU, every run: a run that migrates, or starts on the CPU the tracer's
# consumer wakes on, measured the scheduler more than the tracer (untraced runs spread 10-24%).
PIN=(taskset -c "$(($(nproc) - 1))")

WORK=
TPID=
BPFTRACE_ERR=

die() {
	echo "bench: $*" >&2
	exit 2
}

cleanup() {
	# only the tracer this script started, by its pid
	if [ -n "$TPID" ] && kill -0 "$TPID" 2>/dev/null; then
		kill -KILL "$TPID" 2>/dev/null || true
		wait "$TPID" 2>/dev/null || true
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
}

usage() {
	sed -n '3,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit "$1"
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--runs) RUNS=${2:?--runs needs a number}; RUNS_SET=1; shift ;;
		--quick) QUICK=1 ;;
		--no-bpftrace) USE_BPFTRACE=0 ;;
		--no-nice) PRIO=() ;;
		--no-pin) PIN=() ;;
		--results) RESULTS=${2:?--results needs a file}; shift ;;
		-h|--help) usage 0 ;;
		*) echo "bench: unknown argument '$1'" >&2; usage 2 ;;
		esac
		shift
	done
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not '$RUNS'"
	if [ "$QUICK" = 1 ]; then
		[ -n "${RUNS_SET:-}" ] || RUNS=1
		for w in "${WORKLOADS[@]}"; do COUNT[$w]=${QUICK_COUNT[$w]}; done
	fi
	if [ "$USE_BPFTRACE" = 0 ]; then
		CONFIGS=(untraced allocfail allocfail-fp allocfail-noagg allocfail-nostack floor)
	fi
}

check_env() {
	[ "$(id -u)" = 0 ] || die "needs root (the tracers load BPF programs)"
	[ -x "$TRACER" ] || die "$TRACER is missing: run make first"
	local avail
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	# the page-fault loop maps 256 MiB at a time; leave the machine room to breathe
	[ "$avail" -gt 1048576 ] || die "less than 1 GiB available; not starting"
}

build_workloads() {
	mkdir -p "$BIN"
	make -s -C "$ROOT" bench-floor >/dev/null || die "cannot build the floor program"
	for w in "${WORKLOADS[@]}"; do
		gcc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$ROOT/bench" \
			-o "$BIN/$w" "$ROOT/bench/$w.c" "$ROOT/bench/report.c" ||
			die "cannot build $w"
	done
}

# Install Debian's bpftrace if missing, then check it can load a program here. On failure the
# bpftrace rows are skipped and the reason goes in RESULTS.md.
prepare_bpftrace() {
	[ "$USE_BPFTRACE" = 1 ] || return 0
	if ! command -v bpftrace >/dev/null; then
		echo "bench: installing bpftrace from Debian" >&2
		if ! apt-get install -y bpftrace >"$WORK/apt.log" 2>&1; then
			apt-get update >>"$WORK/apt.log" 2>&1 || true
			apt-get install -y bpftrace >>"$WORK/apt.log" 2>&1 || true
		fi
	fi
	if ! command -v bpftrace >/dev/null; then
		BPFTRACE_ERR="apt-get install bpftrace failed: $(tail -n 1 "$WORK/apt.log")"
	elif ! timeout 60 bpftrace -e "$(cat "$BT_PROG") interval:s:1 { exit(); }" \
		>"$WORK/bt-probe.out" 2>"$WORK/bt-probe.err" ||
		! grep -q '^ready' "$WORK/bt-probe.out"; then
		BPFTRACE_ERR="bpftrace cannot run here: $(grep -v RLIMIT_MEMLOCK \
			"$WORK/bt-probe.err" | head -n 3 | tr '\n' ' ')"
	fi
	if [ -n "$BPFTRACE_ERR" ]; then
		echo "bench: $BPFTRACE_ERR; skipping the bpftrace rows" >&2
		CONFIGS=(untraced allocfail allocfail-fp allocfail-noagg allocfail-nostack floor)
	fi
}

now_ms() {
	local t=${EPOCHREALTIME/./}

	echo $((t / 1000))
}

# Start the tracer of config $1 writing to $WORK/trace.out; return once it is attached and
# set TPID and ATTACH_MS.
start_tracer() {
	local cfg=$1 t0 deadline ready=$WORK/ready

	rm -f "$ready" "$WORK/trace.out" "$WORK/trace.err"
	t0=$(now_ms)
	case $cfg in
	allocfail)
		"${PRIO[@]}" "$TRACER" --ready-file "$ready" -o "$WORK/trace.out" \
			2>"$WORK/trace.err" &
		;;
	allocfail-fp)
		"${PRIO[@]}" "$TRACER" --ustack=fp --ready-file "$ready" -o "$WORK/trace.out" \
			2>"$WORK/trace.err" &
		;;
	allocfail-noagg)
		"${PRIO[@]}" "$TRACER" --no-aggregate --ready-file "$ready" -o "$WORK/trace.out" \
			2>"$WORK/trace.err" &
		;;
	allocfail-nostack)
		"${PRIO[@]}" "$TRACER" --no-ustack --no-kstack --ready-file "$ready" \
			-o "$WORK/trace.out" 2>"$WORK/trace.err" &
		;;
	floor)
		"${PRIO[@]}" "$BIN/floor" "$BIN/floor.bpf.o" "$ready" >"$WORK/trace.out" \
			2>"$WORK/trace.err" &
		;;
	bpftrace)
		"${PRIO[@]}" bpftrace "$BT_PROG" >"$WORK/trace.out" 2>"$WORK/trace.err" &
		;;
	bpftrace-floor)
		"${PRIO[@]}" bpftrace "$BT_FLOOR" >"$WORK/trace.out" 2>"$WORK/trace.err" &
		;;
	esac
	TPID=$!
	deadline=$((t0 + ATTACH_TIMEOUT_S * 1000))
	while :; do
		if [[ $cfg == bpftrace* ]]; then
			grep -q '^ready' "$WORK/trace.out" 2>/dev/null && break
		else
			[ -e "$ready" ] && break
		fi
		if ! kill -0 "$TPID" 2>/dev/null; then
			cat "$WORK/trace.err" >&2
			die "$cfg exited early"
		fi
		[ "$(now_ms)" -lt "$deadline" ] ||
			die "$cfg not attached after ${ATTACH_TIMEOUT_S}s"
		sleep 0.005
	done
	ATTACH_MS=$(($(now_ms) - t0))
}

# SIGINT the tracer, keep its VmHWM until it is gone (it may grow while draining), set RSS_KB.
stop_tracer() {
	local hwm deadline rc=0

	RSS_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$TPID/status")
	kill -INT "$TPID"
	deadline=$(($(now_ms) + STOP_TIMEOUT_S * 1000))
	while kill -0 "$TPID" 2>/dev/null; do
		hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$TPID/status" 2>/dev/null || true)
		[ -n "$hwm" ] && RSS_KB=$hwm
		if [ "$(now_ms)" -gt "$deadline" ]; then
			echo "bench: tracer $TPID still draining after ${STOP_TIMEOUT_S}s;" \
				"killed" >&2
			# a killed process stays visible to kill -0 until waited for
			kill -KILL "$TPID" 2>/dev/null || true
			break
		fi
		sleep 0.01
	done
	wait "$TPID" || rc=$?
	TPID=
	[ "$rc" = 0 ] || echo "bench: tracer exited with status $rc" >&2
}

# Failures the tracer accounted for, as "delivered lost": allocfail's closing summary, or
# bpftrace's in-kernel count (maps lose nothing, so lost is 0).
tracer_counts() {
	case $1 in
	untraced) echo "- -" ;;
	bpftrace) awk '/^@failures:/ { n = $2 } END { print n + 0, 0 }' "$WORK/trace.out" ;;
	floor | bpftrace-floor) echo "- -" ;;
	*)
		awk '/^--- summary ---/ { s = 1 }
		     s && /^events:/ { e = $2 } s && /^lost:/ { l = $2 }
		     END { if (s) print e + 0, l + 0; else print "? ?" }' "$WORK/trace.out"
		;;
	esac
}

field() {
	sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"
}

# One measurement: workload $1 under config $2, run $3; appends a row to $WORK/raw.tsv.
run_one() {
	local w=$1 cfg=$2 run=$3 out counts wall cpu best

	ATTACH_MS=- RSS_KB=-
	[ "$cfg" = untraced ] || start_tracer "$cfg"
	out=$("${PRIO[@]}" "${PIN[@]}" "$BIN/$w" "${COUNT[$w]}") || echo "bench: $w exited non-zero: $out" >&2
	[ "$cfg" = untraced ] || stop_tracer
	counts=$(tracer_counts "$cfg")
	wall=$(field wall_ns "$out")
	cpu=$(($(field user_us "$out") + $(field sys_us "$out")))
	# fastest batch, ps per call or fault; "-" from a workload that timed no batch (or predates it)
	best=-
	[[ $out =~ (^|[[:space:]])best_ps=([^[:space:]]*) ]] && best=${BASH_REMATCH[2]}
	[[ $best =~ ^[1-9][0-9]*$ ]] || best=-
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$cfg" "$run" \
		$((wall / 1000)) "$cpu" "$(field made "$out")" "${counts% *}" "${counts#* }" \
		"$RSS_KB" "$ATTACH_MS" "$best" >>"$WORK/raw.tsv"
	printf '  %-13s %-18s run %d: %7.1f ms, best batch %s ns/op\n' "$w" "$cfg" "$run" \
		"$(awk -v u=$((wall / 1000)) 'BEGIN { print u / 1000 }')" "$(ms "$best")" >&2
	rm -f "$WORK/trace.out"
}

# The numbers of column $3 of raw.tsv for workload $1, config $2, sorted.
values() {
	awk -F'\t' -v w="$1" -v c="$2" -v k="$3" \
		'$1 == w && $2 == c && $k ~ /^[0-9]+$/ { print $k }' "$WORK/raw.tsv" | sort -n
}

# The largest of those ("-" when there is no number).
maximum() {
	values "$@" | awk 'END { print NR ? $1 : "-" }'
}

# Median of those ("-" when there is no number).
median() {
	values "$@" | awk '{ a[NR] = $1 }
		END { if (!NR) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
		      else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# (max - min) / median of column $3 for workload $1, config $2, in percent: how much the runs of a
# cell disagree, to set a ratio against ("-" with fewer than two runs).
spread() {
	values "$@" | awk '{ a[NR] = $1 } END { if (NR < 2) { print "-"; exit }
		      m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		      printf "%.0f", m ? 100 * (a[NR] - a[1]) / m : 0 }'
}

ratio() {
	if [ "$1" = - ] || [ "$2" = - ] || [ "$2" = 0 ]; then echo -; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'
}

# Budget verdict of one allocfail row: "met" or what was missed, flagged when the untraced runs
# ($6, spread in percent) disagree by more than the wall budget's margin. The wall ratio judges;
# the best-batch ratio ($7) is named when it falls on the other side of the budget.
verdict() {
	local w=$1 r=$2 rss=$3 attach=$4 lost=$5 noise=$6 best=$7 miss=() note='' wall_over best_over

	[ "$r" != - ] && awk -v r="$r" -v b="${BUDGET[$w]}" 'BEGIN { exit !(r > b) }' &&
		miss+=("wall ${r}x > ${BUDGET[$w]}x")
	[ "$rss" != - ] && [ "${rss%.*}" -gt "$BUDGET_RSS_KB" ] && miss+=("RSS > 64 MiB")
	[ "$attach" != - ] && [ "${attach%.*}" -gt "$BUDGET_ATTACH_MS" ] && miss+=("attach > 1 s")
	[ "$w" = storm ] && [ "$lost" != - ] && [ "$lost" != 0 ] && miss+=("lost failures")
	[ "$noise" != - ] &&
		awk -v n="$noise" -v b="${BUDGET[$w]}" 'BEGIN { exit !(n > 100 * (b - 1)) }' &&
		note=" (wall noisy: untraced runs spread ${noise}%)"
	if [ "$r" != - ] && [ "$best" != - ]; then
		wall_over=$(awk -v r="$r" -v b="${BUDGET[$w]}" 'BEGIN { print (r > b) }')
		best_over=$(awk -v r="$best" -v b="${BUDGET[$w]}" 'BEGIN { print (r > b) }')
		if [ "$wall_over" = 1 ] && [ "$best_over" = 0 ]; then
			note+="; best batch ${best}x within"
		elif [ "$wall_over" = 0 ] && [ "$best_over" = 1 ]; then
			note+="; best batch ${best}x > ${BUDGET[$w]}x"
		fi
	fi
	if [ ${#miss[@]} = 0 ]; then
		echo "met$note"
	else
		local IFS=';' missed
		missed="${miss[*]}"
		echo "NOT MET: ${missed//;/, }$note"
	fi
}

# One markdown table row of its arguments.
row() {
	printf '| %s ' "$@"
	echo '|'
}

table() {
	local w cfg wall cpu best base_wall base_cpu base_best base_spread made dl lost rss attach
	local budget

	echo "| workload | tracer | wall ms | wall spread | wall ratio | best-batch ns/op |" \
		"best-batch ratio | CPU ms | CPU ratio | failures made | delivered | lost |" \
		"tracer RSS MiB, max | attach ms | issue 6 budget |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
	for w in "${WORKLOADS[@]}"; do
		base_wall=$(median "$w" untraced 4)
		base_cpu=$(median "$w" untraced 5)
		base_best=$(median "$w" untraced 11)
		base_spread=$(spread "$w" untraced 4)
		for cfg in "${CONFIGS[@]}"; do
			wall=$(median "$w" "$cfg" 4)
			best=$(median "$w" "$cfg" 11)
			cpu=$(median "$w" "$cfg" 5)
			made=$(median "$w" "$cfg" 6)
			dl=$(median "$w" "$cfg" 7)
			lost=$(median "$w" "$cfg" 8)
			rss=$(maximum "$w" "$cfg" 9)
			attach=$(median "$w" "$cfg" 10)
			case $cfg in
			untraced) budget="baseline" ;;
			bpftrace) budget="peer, no budget" ;;
			floor) budget="floor: an empty program on allocfail's hook" ;;
			bpftrace-floor) budget="floor of bpftrace's hook (tracepoint)" ;;
			*) budget=$(verdict "$w" "$(ratio "$wall" "$base_wall")" "$rss" "$attach" \
				"$lost" "$base_spread" "$(ratio "$best" "$base_best")") ;;
			esac
			row "$w" "$cfg" "$(ms "$wall")" "$(pct "$(spread "$w" "$cfg" 4)")" \
				"$(ratio "$wall" "$base_wall")" "$(ms "$best")" \
				"$(ratio "$best" "$base_best")" "$(ms "$cpu")" \
				"$(ratio "$cpu" "$base_cpu")" "$made" "$dl" "$lost" \
				"$(mib "$rss")" "$attach" "$budget"
		done
	done
}

ms() {
	[ "$1" = - ] && { echo -; return; }
	awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'
}

pct() {
	[ "$1" = - ] && { echo -; return; }
	echo "$1%"
}

mib() {
	[ "$1" = - ] && { echo -; return; }
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

machine() {
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- kernel: $(uname -r)"
	echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
		"$(nproc) cores; memory $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' \
		/proc/meminfo)"
	echo "- allocfail: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		"(build/allocfail of $(date -u -r "$TRACER" '+%Y-%m-%d %H:%M UTC'))"
	if [ "$USE_BPFTRACE" = 1 ] && [ -z "$BPFTRACE_ERR" ]; then
		echo "- bpftrace: $(bpftrace --version 2>/dev/null) (Debian package" \
			"$(dpkg-query -W -f '${Version}' bpftrace 2>/dev/null || echo '?'))"
	fi
	echo "- runs: $RUNS per cell$([ "$QUICK" = 1 ] && echo ' (--quick)'), interleaved;" \
		"storm ${COUNT[storm]} mmaps, syscall_loop ${COUNT[syscall_loop]} getppid," \
		"fault_loop ${COUNT[fault_loop]} x 256 MiB;" \
		"$([ ${#PRIO[@]} = 0 ] && echo 'nice 0' || echo 'all at nice -20')$([ ${#PIN[@]} = 0 ] ||
			echo "; the workload pinned to CPU ${PIN[2]}")"
	echo "- load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg);" \
		"busiest other processes at the start (lifetime %CPU): $BUSY_BEFORE"
}

write_results() {
	{
		echo "<!-- SPDX-License-Identifier: GPL-2.0 -->"
		echo "# Benchmark results"
		echo
		echo "Written by \`bench/run.sh\` (see [README.md](README.md) for what each column"
		echo "means). Medians; ratios are traced / untraced medians. Best batch: each run's"
		echo "fastest batch of calls (faults), its time per call; the median of that over the runs."
		echo
		machine
		echo
		table
		if [ -n "$BPFTRACE_ERR" ]; then
			echo
			echo "bpftrace rows missing: $BPFTRACE_ERR"
		fi
		echo
		echo "Issue 6 budget: wall ratio storm <= 1.3x, syscall_loop <= 1.03x," \
			"fault_loop <= 1.02x; tracer RSS <= 64 MiB; attach <= 1 s; and (item 1)" \
			"no lost failures in the storm."
		echo
		echo "The tracers trace the whole machine, so delivered + lost also counts failures"
		echo "of other processes that ran meanwhile (this machine is shared: see the load"
		echo "average). Wall spread is (max - min) / median of a cell's runs."
		echo "bpftrace counts in a map and cannot lose; its delivered column is that count."
		echo
		echo "<details><summary>Every run (wall and CPU in µs; best batch in ps per call" \
			"or fault)</summary>"
		echo
		echo '```'
		printf '%s\t' workload tracer run wall_us cpu_us made delivered lost rss_kb
		printf 'attach_ms\tbest_ps\n'
		cat "$WORK/raw.tsv"
		echo '```'
		echo
		echo "</details>"
	} >"$RESULTS"
}

main() {
	parse_args "$@"
	check_env
	trap cleanup EXIT
	WORK=$(mktemp -d /tmp/allocfail-bench.XXXXXX)
	build_workloads
	prepare_bpftrace
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	BUSY_BEFORE=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$2 != "ps" && $2 != "run.sh" &&
		++n <= 3 { printf "%s%s %s%%", (n > 1 ? ", " : ""), $2, $1 }')
	: >"$WORK/raw.tsv"
	# interleaved, so a burst of load elsewhere on the machine spreads over every cell
	for ((run = 1; run <= RUNS; run++)); do
		for w in "${WORKLOADS[@]}"; do
			for cfg in "${CONFIGS[@]}"; do
				run_one "$w" "$cfg" "$run"
			done
		done
	done
	write_results
	table
	echo "bench: wrote $RESULTS" >&2
}

main "$@"
