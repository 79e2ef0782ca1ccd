// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpf/allocfail.h"
#include "args.h"
#include "common.h"
#include "exporters.h"
#include "hooks.h"

const char *argp_program_version = "allocfail 0.1";
static const char doc[] =
	"allocfail: catch every memory allocation failure as it happens, with its stacks.\n"
	"\n"
	"USAGE: allocfail [trace] [OPTION...]\n"
	"       allocfail run [OPTION...] -- COMMAND [ARG...]\n"
	"       allocfail check [--json]\n"
	"       allocfail record -o FILE [-q] [OPTION...] [-- COMMAND [ARG...]]\n"
	"       allocfail report FILE [-j] [-o OUT] [EXPORT OPTION...]\n"
	"\n"
	"EXAMPLES:\n"
	"  allocfail                          trace the whole machine until Ctrl-C\n"
	"  allocfail -p 1234 -p 99            these processes, all their threads\n"
	"  allocfail -c /sys/fs/cgroup/app    one cgroup and its descendants (v1 or v2)\n"
	"  allocfail --comm redis-server      processes by name\n"
	"  allocfail run -- ./server --port 1 start it, trace it and its descendants\n"
	"  allocfail --json -d 30 -o ev.jsonl JSON Lines for 30 seconds into a file\n"
	"  allocfail check                    the hook each failure source uses here, and why\n"
	"  allocfail record -o s.afrec -- ./x run ./x, keep its events in s.afrec\n"
	"  allocfail report s.afrec           print them anywhere: no root, no BPF\n"
	"\v"
	"Filters combine: an event is reported when it matches every filter given.\n"
	"Once tracing starts, a line on stderr says what is traced and with which\n"
	"hooks (-q: none). SIGINT or SIGTERM stops cleanly (run: passed on to the\n"
	"command, killed if still running 3 s later); more while stopping are\n"
	"ignored. SIGHUP reopens -o.\n"
	"For record, -o names the record file (mode 0600); its live output goes to\n"
	"stdout only (-q: none). report takes -j, -o and the exports' options.\n"
	"Exit status: 0 on success, 2 on bad input or an unusable environment (report:\n"
	"a missing, truncated or corrupt record); `run` and `record -- COMMAND` exit\n"
	"with the command's status (128+signal if it was killed).";

enum { OPT_COMM = 0x100, OPT_READY, OPT_NO_KSTACK, OPT_NO_USTACK, OPT_FOLDED, OPT_PPROF, OPT_SVG,
       OPT_WEIGHT, OPT_MAX_HOOK, OPT_OOM_ADJ, OPT_USTACK, OPT_USTACK_SIZE, OPT_DETAIL_RATE,
       OPT_NO_AGGREGATE, OPT_MAX_SITES, OPT_NO_MLOCK };

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace this process, all its threads (repeatable)", 0 },
	{ "cgroup", 'c', "PATH", 0, "Trace this cgroup and its descendants (v1 or v2 directory)", 0 },
	{ "comm", OPT_COMM, "NAME", 0, "Trace processes whose command name is NAME", 0 },
	{ "json", 'j', NULL, 0, "JSON Lines output (docs/events.md)", 1 },
	{ "output", 'o', "FILE", 0,
	  "Write events to FILE instead of stdout (record: the record file, required)", 1 },
	{ "quiet", 'q', NULL, 0,
	  "No line on stderr when tracing starts (record: no live output either, only the record "
	  "file)", 1 },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds", 1 },
	{ "ready-file", OPT_READY, "FILE", 0, "Create FILE once every probe is attached", 1 },
	{ "no-kstack", OPT_NO_KSTACK, NULL, 0, "Do not capture kernel stacks", 1 },
	{ "ustack", OPT_USTACK, "dwarf|fp|none", 0,
	  "User stacks unwound with DWARF CFI from a stack copy (default), by frame pointers, or "
	  "not taken", 1 },
	{ "ustack-size", OPT_USTACK_SIZE, "BYTES", 0,
	  "Bytes of user stack copied per failure for dwarf (default 16384, 512 to 65536)", 1 },
	{ "no-ustack", OPT_NO_USTACK, NULL, 0, "Do not capture user stacks (--ustack=none)", 1 },
	{ "folded", OPT_FOLDED, "FILE", 0, "Also write folded stacks (flamegraph.pl, speedscope)", 1 },
	{ "pprof", OPT_PPROF, "FILE", 0, "Also write a gzipped pprof profile", 1 },
	{ "svg", OPT_SVG, "FILE", 0, "Also write an interactive flamegraph SVG", 1 },
	{ "weight", OPT_WEIGHT, "count|bytes", 0, "Flamegraph weight (default count)", 1 },
	{ "max-hook", OPT_MAX_HOOK, "KIND", 0,
	  "Use no hook better than KIND (fentry, kprobe, tp_btf, raw_tp, tracepoint): to test or "
	  "work around the fallbacks", 2 },
	{ "oom-score-adj", OPT_OOM_ADJ, "N", 0,
	  "The tracer's own oom_score_adj (default -1000: the OOM killer never takes it; it must "
	  "outlive what it diagnoses)", 2 },
	{ "detail-rate", OPT_DETAIL_RATE, "R", 0,
	  "Full records per failure site per second after its first (default 1; 0: the first "
	  "only); the other failures of a site are counted in the kernel and reported as counts",
	  2 },
	{ "no-aggregate", OPT_NO_AGGREGATE, NULL, 0,
	  "A full record for every failure (a storm then fills the ring buffer: losses counted)",
	  2 },
	{ "max-sites", OPT_MAX_SITES, "N", 0,
	  "Distinct failure sites counted in the kernel (default 16384; beyond, full records)", 2 },
	{ "no-mlock", OPT_NO_MLOCK, NULL, 0, "Do not lock the tracer's memory", 2 },
	{ "verbose", 'v', NULL, 0, "Log hook choices and libbpf messages (repeat for more)", 2 },
	{},
};

static void __attribute__((noreturn)) bad(const char *fmt, const char *val)
{
	fprintf(stderr, "allocfail: ");
	fprintf(stderr, fmt, val);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

static uint32_t parse_pid(const char *s)
{
	char *end, path[64];
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		bad("invalid pid '%s'", s);
	snprintf(path, sizeof(path), "/proc/%ld", v);
	if (access(path, F_OK))
		bad("no process with pid %s", s);
	return v;
}

static double parse_duration(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e9)
		bad("invalid duration '%s' (seconds, > 0)", s);
	return v;
}

/* What report accepts: it prints a record, it traces nothing. */
static bool report_option(int key)
{
	return key == 'j' || key == 'o' || key == 'v' || key == OPT_FOLDED || key == OPT_PPROF ||
	       key == OPT_SVG || key == OPT_WEIGHT || key == ARGP_KEY_ARG ||
	       key > 0xffff; /* argp's own keys: ARGP_KEY_END, ... */
}

static const char *option_name(int key)
{
	for (const struct argp_option *o = options; o->name; o++)
		if (o->key == key)
			return o->name;
	return "?";
}

static bool is_command(const char *s)
{
	return !strcmp(s, "run") || !strcmp(s, "check") || !strcmp(s, "record") ||
	       !strcmp(s, "report") || !strcmp(s, "trace");
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct config *cfg = state->input;

	if (cfg->cmd == CMD_REPORT && !report_option(key))
		bad("--%s does not apply to report: it takes -j, -o, --folded, --pprof, --svg, "
		    "--weight", option_name(key));
	switch (key) {
	case 'p':
		if (cfg->npids == CONFIG_MAX_PIDS)
			bad("too many -p options (at most 64)%s", "");
		cfg->pids[cfg->npids++] = parse_pid(arg);
		break;
	case 'c':
		cfg->cgroup = arg;
		break;
	case OPT_COMM:
		if (!*arg || strlen(arg) > 15)
			bad("--comm '%s': a command name has 1 to 15 characters", arg);
		cfg->comm = arg;
		break;
	case 'j':
		cfg->json = true;
		break;
	case 'o':
		/* record's live output has one place, stdout: -o is the record itself */
		if (cfg->cmd == CMD_RECORD)
			cfg->record = arg;
		else
			cfg->output = arg;
		break;
	case 'q':
		cfg->no_start_line = true;
		cfg->quiet = cfg->cmd == CMD_RECORD;
		break;
	case 'd':
		cfg->duration_s = parse_duration(arg);
		break;
	case OPT_READY:
		cfg->ready_file = arg;
		break;
	case OPT_NO_KSTACK:
		cfg->no_kstack = true;
		break;
	case OPT_NO_USTACK:
		cfg->ustack = USTACK_NONE;
		break;
	case OPT_USTACK:
		if (!strcmp(arg, "dwarf"))
			cfg->ustack = USTACK_DWARF;
		else if (!strcmp(arg, "fp"))
			cfg->ustack = USTACK_FP;
		else if (!strcmp(arg, "none"))
			cfg->ustack = USTACK_NONE;
		else
			bad("--ustack '%s': dwarf, fp or none", arg);
		break;
	case OPT_USTACK_SIZE: {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < AF_USTACK_SIZE_MIN || v > AF_USTACK_SIZE_MAX)
			bad("--ustack-size '%s': bytes, 512 to 65536", arg);
		cfg->ustack_size = (v + 7) & ~7L; /* whole 8-byte words */
		break;
	}
	case OPT_FOLDED:
		cfg->folded = arg;
		break;
	case OPT_PPROF:
		cfg->pprof = arg;
		break;
	case OPT_SVG:
		cfg->svg = arg;
		break;
	case OPT_WEIGHT: {
		enum weight w;

		if (weight__parse(arg, &w))
			bad("--weight '%s': count or bytes", arg);
		cfg->weight = w;
		break;
	}
	case OPT_MAX_HOOK:
		cfg->max_hook = hook_kind__parse(arg);
		if (cfg->max_hook == AF_HOOK_NONE)
			bad("--max-hook '%s': fentry, kprobe, tp_btf, raw_tp or tracepoint", arg);
		break;
	case OPT_OOM_ADJ: {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < -1000 || v > 1000)
			bad("--oom-score-adj '%s': -1000 to 1000", arg);
		cfg->oom_score_adj = v;
		cfg->oom_score_adj_set = true;
		break;
	}
	case OPT_DETAIL_RATE: {
		char *end;
		double v;

		errno = 0;
		v = strtod(arg, &end);
		if (errno || end == arg || *end || !(v >= 0) || v > 1e6)
			bad("--detail-rate '%s': records per site per second, 0 to 1000000", arg);
		cfg->detail_interval_ns = v == 0 ? UINT64_MAX : (uint64_t)(1e9 / v);
		break;
	}
	case OPT_NO_AGGREGATE:
		cfg->no_aggregate = true;
		break;
	case OPT_MAX_SITES: {
		char *end;
		long v;

		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 1 || v > 1 << 22)
			bad("--max-sites '%s': 1 to 4194304", arg);
		cfg->max_sites = v;
		break;
	}
	case OPT_NO_MLOCK:
		cfg->no_mlock = true;
		break;
	case 'v':
		verbosity++;
		break;
	case ARGP_KEY_ARG:
		if (cfg->cmd == CMD_REPORT && !cfg->report) {
			cfg->report = arg;
			break;
		}
		if (cfg->cmd != CMD_RUN && cfg->cmd != CMD_RECORD && is_command(arg))
			bad("the subcommand comes first: allocfail %s [OPTION...]", arg);
		if (cfg->cmd != CMD_RUN && cfg->cmd != CMD_RECORD)
			bad("unexpected argument '%s' (see --help)", arg);
		/* everything from the command on belongs to the command */
		cfg->run_argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (cfg->cmd == CMD_RUN && !cfg->run_argv)
			bad("run needs a command: allocfail run [OPTION...] -- COMMAND%s", "");
		if (cfg->cmd == CMD_RUN && cfg->npids)
			bad("run traces the command's own tree: -p cannot be combined with it%s", "");
		if (cfg->cmd == CMD_RECORD && !cfg->record)
			bad("record needs -o FILE: the record file to write%s", "");
		if (cfg->cmd == CMD_RECORD && cfg->run_argv && cfg->npids)
			bad("record -- COMMAND traces the command's own tree: -p cannot be combined "
			    "with it%s", "");
		if (cfg->cmd == CMD_REPORT && !cfg->report)
			bad("report needs a record file: allocfail report FILE%s", "");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void args__parse(int argc, char **argv, struct config *cfg)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, NULL, NULL, NULL };

	memset(cfg, 0, sizeof(*cfg));
	cfg->oom_score_adj = -1000;
	cfg->ustack = USTACK_DWARF;
	cfg->ustack_size = AF_USTACK_SIZE_DEFAULT;
	argp_err_exit_status = EXIT_USAGE;
	if (argc > 1 && !strcmp(argv[1], "run"))
		cfg->cmd = CMD_RUN;
	else if (argc > 1 && !strcmp(argv[1], "check"))
		cfg->cmd = CMD_CHECK;
	else if (argc > 1 && !strcmp(argv[1], "trace"))
		cfg->cmd = CMD_TRACE;
	else if (argc > 1 && !strcmp(argv[1], "record"))
		cfg->cmd = CMD_RECORD;
	else if (argc > 1 && !strcmp(argv[1], "report"))
		cfg->cmd = CMD_REPORT;
	if (cfg->cmd != CMD_TRACE || (argc > 1 && !strcmp(argv[1], "trace"))) {
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, cfg);
}
