// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"

int verbosity;
volatile sig_atomic_t exiting;

static void vprint(const char *fmt, va_list ap)
{
	fputs("allocfail: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void elog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void vlog(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void dlog(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 2)
		return;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

const char *common__human_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)b / 1024, tenths;
	unsigned int u = 0;

	if (b < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	/* up a unit before rounding would show "1024.0" */
	while (v >= 1023.95 && u < ARRAY_SIZE(units) - 1) {
		v /= 1024;
		u++;
	}
	tenths = (double)(long long)(v * 10 + 0.5) / 10;
	if (v < 10 && (v > tenths ? v - tenths : tenths - v) >= 0.005)
		snprintf(buf, len, "%.2f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && verbosity < 3)
		return 0;
	if (level == LIBBPF_INFO && verbosity < 2)
		return 0;
	/* warnings matter only with -v: probing hooks that are absent makes libbpf warn */
	if (level == LIBBPF_WARN && verbosity < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void common__setup_libbpf_log(void)
{
	libbpf_set_print(libbpf_print);
}

/* Set before the first stop signal can arrive; read by the handler only. */
static volatile sig_atomic_t tracing;
static volatile pid_t held_child;
static const char *volatile unwritten_path;
volatile sig_atomic_t reopen_asked;

static void say(const char *msg)
{
	ssize_t r = write(STDERR_FILENO, msg, strlen(msg));

	(void)r;
}

/* Only async-signal-safe calls here. */
static void on_signal(int sig)
{
	static volatile sig_atomic_t told;

	if (sig == SIGHUP) {
		reopen_asked = 1;
		return;
	}
	if (!tracing) {
		/*
		 * Nothing is traced yet, so there is nothing to complete, and the long steps of
		 * the start-up (the verifier, reading every process's maps) cannot be cut short
		 * from outside: the stop is the process's end, now. The held command never runs;
		 * the record, never written, is removed.
		 */
		if (held_child > 0)
			kill(held_child, SIGKILL);
		if (unwritten_path)
			unlink(unwritten_path);
		say("allocfail: stopped before tracing began\n");
		_exit(128 + sig);
	}
	if (!exiting) {
		exiting = sig;
		return;
	}
	/* the summary and every output are being completed: a second Ctrl-C must not lose them */
	if (!told) {
		told = 1;
		say("allocfail: stopping already, finishing the outputs: further signals are "
		    "ignored\n");
	}
}

int common__setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	/* SA_RESTART: a signal while stopping must not cut a write of the outputs short (polling
	 * returns at a signal all the same) */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL)) {
		int err = -errno;

		elog("cannot install signal handlers: %s", strerror(-err));
		return err;
	}
	return 0;
}

void common__startup_undo(pid_t child, const char *unwritten)
{
	held_child = child;
	unwritten_path = unwritten;
}

void common__tracing_begins(void)
{
	tracing = 1;
}

int common__thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}
