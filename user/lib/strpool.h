/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A string-interning pool: equal strings share one copy, and every copy lives until
 * strpool__free(). Lets caches hand out const char * that outlive the objects they came from.
 * Not thread-safe.
 */
#ifndef ALLOCFAIL_STRPOOL_H
#define ALLOCFAIL_STRPOOL_H

#include <stddef.h>

struct strpool;

struct strpool *strpool__new(void);
void strpool__free(struct strpool *p); /* NULL-safe */

/* The pool's copy of s (NUL-terminated), or NULL if s is NULL or memory ran out. */
const char *strpool__intern(struct strpool *p, const char *s);

/* The same for the first len bytes of s, which need not be NUL-terminated. */
const char *strpool__intern_len(struct strpool *p, const char *s, size_t len);

/* Number of distinct strings held. */
size_t strpool__count(const struct strpool *p);

#endif
