/* SPDX-License-Identifier: GPL-2.0 */
/* Command line → struct config. */
#ifndef ALLOCFAIL_ARGS_H
#define ALLOCFAIL_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_MAX_PIDS 64

enum command { CMD_TRACE, CMD_RUN, CMD_CHECK, CMD_RECORD, CMD_REPORT };

/* --ustack: how user stacks are taken */
enum ustack_mode { USTACK_DWARF, USTACK_FP, USTACK_NONE };

struct config {
	enum command cmd;
	uint32_t pids[CONFIG_MAX_PIDS];
	unsigned int npids;
	const char *cgroup;	/* -c PATH */
	const char *comm;	/* --comm NAME */
	bool json;
	const char *output;	/* -o FILE, NULL: stdout (record: never set, see record) */
	const char *record;	/* record: -o FILE, the record file */
	const char *report;	/* report: the record file to print */
	bool quiet;		/* record -q: no live output on stdout */
	bool no_start_line;	/* -q: no "tracing ..." line on stderr */
	double duration_s;	/* 0: until Ctrl-C (or the command's exit for run) */
	const char *ready_file; /* created once every probe is attached */
	bool no_kstack;
	enum ustack_mode ustack;  /* --ustack, default dwarf; --no-ustack: none */
	uint32_t ustack_size;	  /* --ustack-size: bytes of stack copied for dwarf */
	const char *folded;	/* --folded FILE */
	const char *pprof;	/* --pprof FILE */
	const char *svg;	/* --svg FILE */
	int weight;		/* enum weight (user/sinks/exporters.h) */
	int max_hook;		/* enum af_hook_kind: --max-hook */
	int oom_score_adj;	/* the tracer's own, -1000..1000 */
	bool oom_score_adj_set; /* given on the command line, not the default */
	bool no_aggregate;	/* --no-aggregate: a record per failure */
	uint64_t detail_interval_ns; /* --detail-rate: 1e9 / rate; UINT64_MAX for rate 0 */
	uint32_t max_sites;	/* --max-sites */
	bool no_mlock;		/* --no-mlock */
	char **run_argv;	/* run, record: the command (NULL: record without one) */
};

/* Parse argv into cfg. On bad input prints one line and exits with status 2. */
void args__parse(int argc, char **argv, struct config *cfg);

#endif
