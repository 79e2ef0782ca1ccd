/* SPDX-License-Identifier: GPL-2.0 */
/* `run -- cmd`: a child started held, released once every probe is attached. */
#ifndef ALLOCFAIL_CHILD_H
#define ALLOCFAIL_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct child;

/* Fork a child that waits before exec'ing argv. NULL on failure, after logging. */
struct child *child__spawn_held(char **argv);
pid_t child__pid(const struct child *c);
/* Let it exec. Returns 0, or -errno if exec failed (e.g. -ENOENT), after logging. */
int child__release(struct child *c);
/* Reap if it exited: true once it has, with its status as an exit code (128+signal). */
bool child__reaped(struct child *c, bool block, int *exit_code);
/* Forward a signal. */
void child__kill(struct child *c, int sig);
void child__free(struct child *c); /* NULL-safe; kills a child never released */

#endif
