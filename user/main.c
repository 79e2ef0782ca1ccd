// SPDX-License-Identifier: GPL-2.0
/* allocfail: parse, open, configure, load, attach, loop, clean up. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "cgroups.h"
#include "check.h"
#include "child.h"
#include "common.h"
#include "kallsyms.h"
#include "outfile.h"
#include "outputs.h"
#include "pipeline.h"
#include "probe.h"
#include "report.h"
#include "session.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int session_opts_from(const struct config *cfg, struct child *child,
			     struct session_opts *o)
{
	char why[256];
	static uint32_t run_pid;

	memset(o, 0, sizeof(*o));
	o->pids = cfg->pids;
	o->npids = cfg->npids;
	if (child) {
		run_pid = child__pid(child);
		o->pids = &run_pid;
		o->npids = 1;
		o->follow_forks = true;
	}
	o->comm = cfg->comm;
	o->kstack = !cfg->no_kstack;
	o->ustack = cfg->ustack != USTACK_NONE; /* dwarf too: the fallback */
	o->ustack_dwarf = cfg->ustack == USTACK_DWARF;
	o->ustack_size = cfg->ustack_size;
	o->max_hook = cfg->max_hook;
	o->no_aggregate = cfg->no_aggregate;
	o->detail_interval_ns = cfg->detail_interval_ns;
	o->max_sites = cfg->max_sites;
	o->cgroup_ssid = -1;
	if (cfg->cgroup) {
		o->cgroup_filter = true;
		if (cgroups__filter_target(cfg->cgroup, &o->cgroup_id, &o->cgroup_ssid, why,
					   sizeof(why))) {
			elog("%s", why);
			return -EINVAL;
		}
	}
	return 0;
}

/* The tracer runs where memory is short: by default the OOM killer never picks it. At -900
 * Debian's 7.3 took it 24 ms after the hog it shared a memory cgroup with, the hog's memory not
 * yet freed. Its own memory is bounded and locked. A `run` command was forked before this and
 * keeps its own value. */
static void protect_self(int adj, bool asked)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");
	int err = 0;

	if (!f)
		err = errno;
	else if (fprintf(f, "%d\n", adj) < 0)
		err = errno;
	if (f && fclose(f) && !err)
		err = errno;
	/* lowering it needs CAP_SYS_RESOURCE: the default only says so under -v */
	if (err && asked)
		elog("warning: cannot set oom_score_adj %d: %s", adj, strerror(err));
	else if (err)
		vlog("cannot lower oom_score_adj to %d: %s", adj, strerror(err));
	else
		vlog("oom_score_adj %d", adj);
}

#define HEAP_RESERVE (8 << 20)
#define HEAP_RESERVE_CHUNK (64 << 10) /* under the mmap threshold: from the heap */

/*
 * Grow the heap by HEAP_RESERVE, touched, and give it back to malloc, which keeps it (the trim
 * threshold is above it): the first events after start-up, an OOM kill in the tracer's own
 * memory cgroup among them, are then symbolized in memory already charged and locked, not in
 * new pages whose charge can meet a full cgroup and make the tracer the next OOM victim.
 */
static void reserve_heap(void)
{
	void *chunk[HEAP_RESERVE / HEAP_RESERVE_CHUNK];
	unsigned int n;

	for (n = 0; n < sizeof(chunk) / sizeof(chunk[0]); n++) {
		chunk[n] = malloc(HEAP_RESERVE_CHUNK);
		if (!chunk[n])
			break;
		memset(chunk[n], 0, HEAP_RESERVE_CHUNK);
	}
	while (n)
		free(chunk[--n]);
}

/* Locked after load, so the tracer is not paged out when memory is short. ONFAULT: what it
 * maps later (debug info it reads) is locked only as it is touched, not read in whole. */
static void lock_self(bool on)
{
	if (on && mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT))
		elog("warning: cannot lock the tracer's memory (--no-mlock to not try): %s",
		     strerror(errno));
}

static int touch(const char *path)
{
	char why[128];
	int fd = outfile__create(path, 0600, why, sizeof(why)); /* no symlink, no FIFO: outfile.h */

	if (fd < 0) {
		elog("cannot create %s: %s", path, why);
		return -errno;
	}
	close(fd);
	return 0;
}

#define FLUSH_NS 1000000000ULL /* sites' counts are reported every second */
#define CHILD_GRACE_NS 3000000000ULL /* run: a stop passed on; then SIGKILL */

/*
 * run: the command decides when the session ends. A stop is passed on to it, and a command
 * still running CHILD_GRACE_NS later is killed. true once it has exited, its status in *code.
 */
static bool child_done(struct child *child, int *forwarded, uint64_t *kill_at, int *code)
{
	if (child__reaped(child, false, code))
		return true;
	if (exiting && !*forwarded) {
		child__kill(child, exiting);
		*forwarded = exiting;
		*kill_at = mono_ns() + CHILD_GRACE_NS;
	} else if (*forwarded && *kill_at && mono_ns() >= *kill_at) {
		elog("the command did not exit within %llu s of SIG%s: killing it",
		     CHILD_GRACE_NS / 1000000000ULL, sigabbrev_np(*forwarded));
		child__kill(child, SIGKILL);
		*kill_at = 0;
	}
	return false;
}

static void reopen_if_asked(struct outputs *out)
{
	if (!reopen_asked)
		return;
	reopen_asked = 0;
	outputs__reopen(out);
}

/* Poll until Ctrl-C, the duration, or (run) the command's exit. Returns the exit status. */
static int loop(struct session *s, struct pipeline *p, struct outputs *out,
		const struct config *cfg, struct child *child)
{
	uint64_t end = cfg->duration_s ? mono_ns() + cfg->duration_s * 1e9 : 0;
	uint64_t flush = mono_ns() + FLUSH_NS, kill_at = 0;
	int code = 0, forwarded = 0;

	for (;;) {
		if (session__poll(s, 100) < 0)
			break;
		pipeline__tick(p);
		reopen_if_asked(out);
		if (mono_ns() >= flush) {
			if (session__flush_sites(s, false))
				break;
			session__tell_skips(s);
			flush = mono_ns() + FLUSH_NS;
		}
		if (child && child_done(child, &forwarded, &kill_at, &code))
			break;
		if (end && mono_ns() >= end)
			break;
		if (exiting && !child)
			break;
	}
	/* nothing counted after this: the last flush reports every site's count exactly */
	session__detach(s);
	session__drain(s);
	session__flush_sites(s, true);
	/* the duration ended first: the command still decides, and a stop still reaches it */
	while (child && !child_done(child, &forwarded, &kill_at, &code))
		usleep(10000);
	return code;
}

static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = *at + n < len ? *at + n : len - 1; /* cut short: the rest appends nothing */
}

/* What the session traces, its filters combined, and the hook of each source. */
static void say_start(const struct config *cfg, const struct session *s, struct child *child)
{
	char what[512] = "";
	size_t at = 0;

	if (child) {
		append(what, sizeof(what), &at, "the command");
		for (char **a = cfg->run_argv; *a; a++)
			append(what, sizeof(what), &at, " %s", *a);
		append(what, sizeof(what), &at, " (pid %d) and its descendants",
		       (int)child__pid(child));
	}
	for (unsigned int i = 0; i < cfg->npids; i++)
		append(what, sizeof(what), &at, "%s%u", i ? ", " : at ? ", pids " : "pids ",
		       cfg->pids[i]);
	if (cfg->cgroup)
		append(what, sizeof(what), &at, "%scgroup %s", at ? ", in " : "", cfg->cgroup);
	if (cfg->comm)
		append(what, sizeof(what), &at, "%scommand name %s",
		       at ? ", with " : "processes with ", cfg->comm);
	elog("tracing %s; hooks: %s", at ? what : "the whole machine", session__hooks(s));
}

/* The kernel's counters into the summary, then every output's end. Non-zero when a counter
 * could not be read (the summary still goes out, its lines say why) or an output failed. */
static int end_session(struct session *s, struct pipeline *p, struct outputs *out,
		       uint64_t duration_ns)
{
	uint64_t seen[AF_EV_TYPE_MAX] = { 0 }, lost[AF_EV_TYPE_MAX] = { 0 };
	uint64_t site_stats[AF_SSTAT_MAX] = { 0 }, skipped[AF_EV_TYPE_MAX] = { 0 };
	uint64_t skipped_other = 0, traced_full = 0;
	int err;

	err = session__counts(s, seen, lost) | session__site_stats(s, site_stats) |
	      session__skipped(s, skipped, &skipped_other) |
	      session__traced_full(s, &traced_full);
	session__tell_chains(s);
	pipeline__traced_full(p, traced_full);
	pipeline__site_stats(p, site_stats);
	pipeline__skipped(p, skipped, skipped_other);
	return outputs__end(out, pipeline__finish(p, lost, duration_ns)) || err;
}

int main(int argc, char **argv)
{
	struct session_opts so;
	struct session *s = NULL;
	struct pipeline *p = NULL;
	struct kallsyms *ksyms = NULL;
	struct child *child = NULL;
	struct outputs *out = NULL;
	struct sink *const *sinks;
	struct config cfg;
	unsigned int nsinks;
	uint64_t t0;
	char why[256];
	int status = EXIT_USAGE;

	/* A fixed threshold: glibc's sliding one moves up to the largest block freed (the kernel's
	 * BTF, 6 MiB), after which such blocks come from the heap and stay resident once freed;
	 * mapped on their own, they go back to the system when freed, mlockall or not. */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	mallopt(M_TRIM_THRESHOLD, 2 * HEAP_RESERVE); /* keeps reserve_heap()'s memory */
	args__parse(argc, argv, &cfg);
	common__setup_libbpf_log();
	if (cfg.cmd == CMD_CHECK)
		return check__run(cfg.json);
	if (cfg.cmd == CMD_REPORT)
		return report__run(&cfg);
	if (probe__environment(why, sizeof(why))) {
		elog("%s", why);
		return EXIT_USAGE;
	}
	if (common__setup_signals() || !(out = outputs__open(&cfg, NULL)))
		goto cleanup;
	common__startup_undo(0, cfg.record);
	sinks = outputs__sinks(out, &nsinks);
	/* read while the rest starts: the loader and the kernel stacks need it */
	if (!(ksyms = kallsyms__open()) || !(p = pipeline__new(sinks, nsinks, ksyms)))
		goto cleanup;
	if (cfg.run_argv && !(child = child__spawn_held(cfg.run_argv)))
		goto cleanup;
	common__startup_undo(child ? child__pid(child) : 0, cfg.record);
	protect_self(cfg.oom_score_adj, cfg.oom_score_adj_set);
	if (session_opts_from(&cfg, child, &so))
		goto cleanup;
	so.on_record = pipeline__on_record;
	so.on_site = pipeline__on_site;
	so.ksyms = ksyms;
	so.ctx = p;
	s = session__open(&so);
	if (!s)
		goto cleanup;
	/* attached: a stop now ends the session as any other, its outputs complete */
	common__tracing_begins();
	if (cfg.ready_file && touch(cfg.ready_file))
		goto cleanup;
	if (!cfg.no_start_line)
		say_start(&cfg, s, child);
	reserve_heap();
	lock_self(!cfg.no_mlock);
	t0 = mono_ns();
	if (child && child__release(child)) {
		status = 127;
		goto cleanup;
	}
	status = loop(s, p, out, &cfg, child);
	if (end_session(s, p, out, mono_ns() - t0))
		status = status ? status : 1;
cleanup:
	session__close(s);
	child__free(child);
	pipeline__free(p);
	kallsyms__free(ksyms);
	if (outputs__close(out) && !status)
		status = 1;
	return status;
}
