/* SPDX-License-Identifier: GPL-2.0 */
/* Logging, the libbpf print hook, signal handling and small helpers, shared by every module. */
#ifndef ALLOCFAIL_COMMON_H
#define ALLOCFAIL_COMMON_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status for bad input or an unusable environment (no root, no BTF, bad pid...). */
#define EXIT_USAGE 2

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern int verbosity;
extern volatile sig_atomic_t exiting;

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
/* SIGINT/SIGTERM set `exiting`; a second signal gets the default action. */
int common__setup_signals(void);
/* pthread_create() for the tracer's helper threads: they start with every signal blocked, so
 * SIGINT/SIGTERM reach the main loop and interrupt none of their system calls. 0 or an errno. */
int common__thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
