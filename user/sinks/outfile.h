/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output file of the session (-o, --folded, --pprof, --svg, the record, --ready-file):
 * created safely, and written through a stdio stream whose every write(2) is watched, so the
 * first failure is known by its own errno (ENOSPC, EIO, EPIPE: not what fclose says later),
 * said once on stderr, and the bytes that reached the file are known.
 */
#ifndef ALLOCFAIL_OUTFILE_H
#define ALLOCFAIL_OUTFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct outfile;

/*
 * Create or truncate path for writing: never through a symbolic link (the last component), only
 * a regular file (a FIFO or a device is refused without blocking), only one the tracer's user
 * owns (checked before it is truncated), with mode (e.g. 0600) whatever its old mode was. A file
 * descriptor, or -1 with one line of reason in why (no path in it) and errno set.
 */
int outfile__create(const char *path, mode_t mode, char *why, size_t len);

/* outfile__create() at mode 0600 and its stream; path NULL: standard output. NULL after one
 * line on stderr ("cannot write PATH: why"). */
struct outfile *outfile__open(const char *path);
FILE *outfile__stream(const struct outfile *f);
/* "PATH" or "standard output". */
const char *outfile__name(const struct outfile *f);
/* The errno of the first write that failed (said once on stderr then), or 0. Nothing is
 * written after it. */
int outfile__error(const struct outfile *f);
/* Bytes written up to the last newline: where a line-oriented output that failed is cut. */
uint64_t outfile__whole_lines(const struct outfile *f);
/* Cut the file to size bytes (whole record chunks after a failure); 0 or -errno. */
int outfile__truncate(struct outfile *f, uint64_t size);
/* Create the file at its path again (SIGHUP after a rotation): what is written next goes to
 * the new file through the same stream. 0, or -errno (said on stderr) with the old file kept. */
int outfile__reopen(struct outfile *f);
/* Flush and close (NULL-safe; standard output stays open). 0, or -errno of the first failure,
 * said on stderr if no write had said it. */
int outfile__close(struct outfile *f);

#endif
