/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record file (docs/record-format.md): a session's events, symbolized and explained, in one
 * self-contained file that `allocfail report` prints on another machine of the same architecture.
 * The writer is a sink. The reader checks the whole file when it opens it (framing, a CRC32 chain
 * over every chunk, bounds, NUL-terminated strings, counts, the closing trailer): a truncated or
 * corrupt file is refused with one line of reason before any event is returned. A file that ends
 * after a whole chunk without its trailer is a record whose writer failed: it is read, and says
 * it was cut short (record_reader__cut_short()).
 */
#ifndef ALLOCFAIL_RECORD_H
#define ALLOCFAIL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include "event.h"
#include "settings.h"
#include "sink.h"

#define RECORD_FORMAT_VERSION 7

/*
 * A sink writing the record to out (which the caller keeps and closes): the header (format and
 * BPF ABI versions, tool version, hostname, kernel release, machine, start time) at once, one
 * chunk per event, the summary, the event count and the settings end() is handed (NULL or not
 * valid: none kept). An event is written with its resolved stacks, cause and enrichment, and its
 * BPF payload's declared bytes only. NULL if out is NULL, on no memory, or if the header cannot be
 * written.
 */
struct sink *sink_record__new(FILE *out);
/* Event chunks written so far. */
uint64_t sink_record__count(const struct sink *s);
/* Whether end() wrote the trailer. */
bool sink_record__ended(const struct sink *s);
/*
 * Bytes of the preamble and the chunks that were flushed whole (each chunk is flushed as it is
 * written). After a failed write the file is cut there: a record without its trailer, which a
 * reader takes as cut short.
 */
uint64_t sink_record__whole_bytes(const struct sink *s);

/* What the header says about the recording session; strings live in the reader. */
struct record_info {
	uint32_t format_version;
	uint32_t abi_version;	    /* AF_ABI_VERSION of the recording tracer */
	const char *tool_version;   /* "allocfail 0.1" */
	const char *hostname;
	const char *kernel_release; /* uname -r */
	const char *machine;	    /* "x86_64" */
	struct timespec start;	    /* CLOCK_REALTIME when recording began */
};

struct record_reader;

/*
 * Read and check the whole file (at most 1 GiB; nothing past the first 16 bytes of a file that
 * is not a record). NULL with one line in why (no path in it: the caller names the file) if it
 * cannot be read, is not a record, is larger than that, is of another format version, BPF ABI
 * version or machine, or is truncated or corrupt anywhere; errno is set (EBADMSG for a bad
 * file).
 */
struct record_reader *record_reader__open(const char *path, char *why, size_t len);
/* The same on a copy of size bytes at data (tests, the fuzzer). */
struct record_reader *record_reader__open_mem(const void *data, size_t size, char *why,
					      size_t len);

const struct record_info *record_reader__info(const struct record_reader *r);
/* Whether the file ends after whole chunks without its trailer: its writer failed (record of
 * a full disk) and kept what it had written whole. Its summary is then the events' own count
 * (events and by type; nothing lost, skipped or of duration known) and it holds no settings. */
bool record_reader__cut_short(const struct record_reader *r);
/* Events in the file. */
uint64_t record_reader__count(const struct record_reader *r);

/*
 * The next event, in recording order: 1 with ev filled, 0 at the end, -EBADMSG if the file
 * changed in memory (never after a successful open). As in a live session, ev's strings (frame
 * names, cgroup paths, cause code and evidence keys, frag snapshot) stay valid until
 * record_reader__free(); the cause, memcg_info, frag and raw payload it points to are r's own
 * and valid until the next call.
 */
int record_reader__next(struct record_reader *r, struct event *ev);

/* The session summary from the trailer, valid until record_reader__free(). */
const struct summary *record_reader__summary(const struct record_reader *r);

/*
 * The diagnosis settings of the recorded machine, as it read them when the session ended, marked
 * `recorded` (not valid when the record kept none: a session without events). Valid until
 * record_reader__free(); what a report hands to its sinks' end (outputs__open()).
 */
struct diag_settings *record_reader__settings(struct record_reader *r);

void record_reader__free(struct record_reader *r); /* NULL-safe */

#endif
