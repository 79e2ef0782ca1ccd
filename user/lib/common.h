/* SPDX-License-Identifier: GPL-2.0 */
/* Logging, the libbpf print hook, signal handling and small helpers, shared by every module. */
#ifndef ALLOCFAIL_COMMON_H
#define ALLOCFAIL_COMMON_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit status for bad input or an unusable environment (no root, no BTF, bad pid...). */
#define EXIT_USAGE 2

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern int verbosity;
extern volatile sig_atomic_t exiting;
extern volatile sig_atomic_t reopen_asked; /* SIGHUP */

void elog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* only with -v */
void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* only with -vv */

/*
 * A size for people to read, the one format of every human text: "640 B", "1.5 GiB", and a
 * second decimal when it shows ("1.01 GiB" is not at a 1.0 GiB limit). JSON and evidence keep
 * exact numbers. HUMAN_BYTES(b) formats into a buffer of its own, for one printf.
 */
#define HUMAN_BYTES_LEN 24
const char *common__human_bytes(uint64_t b, char *buf, size_t len);
#define HUMAN_BYTES(b) common__human_bytes((b), (char[HUMAN_BYTES_LEN]){ 0 }, HUMAN_BYTES_LEN)

/* Route libbpf's messages through our log levels. */
void common__setup_libbpf_log(void);
/*
 * Once tracing has begun (common__tracing_begins()), the first SIGINT or SIGTERM sets `exiting`
 * and the session stops cleanly; the next ones are ignored (said once on stderr). Before, a stop
 * ends the process at once, exit status 128+signal: nothing was traced, and the start-up's long
 * steps cannot be interrupted. SIGHUP sets `reopen_asked` (logrotate: reopen the output).
 */
int common__setup_signals(void);
/* What a stop during the start-up undoes: kill the held child (0: none), remove the file
 * (NULL: none) that was created but never written. */
void common__startup_undo(pid_t child, const char *unwritten);
void common__tracing_begins(void);
/* pthread_create() for the tracer's helper threads: they start with every signal blocked, so
 * SIGINT/SIGTERM reach the main loop and interrupt none of their system calls. 0 or an errno. */
int common__thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
