/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text output of names that come from the traced machine (command names, cgroup paths, symbols,
 * file names, cause texts quoting them): control characters are written as \xNN, so that a name
 * cannot move the cursor, recolor or clear the terminal, or forge a line of output. That is C0
 * (below 0x20), DEL, and C1 in its UTF-8 form (0xc2 0x80..0x9f, which terminals act on); other
 * bytes, UTF-8 included, are written as they are. A backslash is not escaped: systemd's unit
 * names hold "\x2d" of their own, shown as in `systemctl`.
 */
#ifndef ALLOCFAIL_ESCAPE_H
#define ALLOCFAIL_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* s to out, escaped; NULL writes nothing. */
void escape__fputs(const char *s, FILE *out);

/* At most n bytes of s (stopping at a NUL), escaped, to out. */
void escape__fwrite(const char *s, size_t n, FILE *out);

/* s escaped into buf, cut at len - 1 bytes but never inside an escape; returns buf. */
const char *escape__str(const char *s, char *buf, size_t len);

#endif
