/* SPDX-License-Identifier: GPL-2.0 */
/* Where decoded events go: one small vtable per output format (text, JSON Lines, ...). */
#ifndef ALLOCFAIL_SINK_H
#define ALLOCFAIL_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "event.h"

#define SUMMARY_MAX_PROCS 64
#define SUMMARY_MAX_OUTPUTS 8

/* What a session saw, for the closing summary. */
struct summary {
	uint64_t events;			 /* all failures reported */
	uint64_t by_type[AF_EV_TYPE_MAX];	 /* per enum af_event_type */
	uint64_t lost;				 /* all records dropped (ring buffer full) */
	uint64_t lost_by_type[AF_EV_TYPE_MAX];
	uint64_t duration_ns;
	unsigned int nprocs;			 /* top processes by events */
	struct {
		uint32_t pid;
		char comm[AF_COMM_LEN + 1];
		uint64_t events;
	} procs[SUMMARY_MAX_PROCS];
	uint64_t procs_other;			 /* events of processes beyond procs[] */
	/* in-kernel aggregation (docs/events.md): sites seen, failures reported in their count
	 * updates, failures not aggregated as the site map was full, sites' records that found
	 * the ring buffer full (counted in their site, not lost) */
	uint64_t sites, aggregated, sites_full, detail_lost;
	/* runs of the BPF programs the kernel skipped (one was running on that CPU already), by
	 * the failure type their source reports: failures among them went unseen */
	uint64_t skipped;
	uint64_t skipped_by_type[AF_EV_TYPE_MAX];
	uint64_t skipped_other; /* context and process-following programs: no failures missed */
	uint64_t traced_full;	/* children of traced processes left untraced: the map was full */
	/* outputs that failed (outputs__end()), by their sink's name: the errno of the failure and
	 * the events they did not take (from the one whose write failed; all of them for an export
	 * written at its end). Not kept in a record. */
	unsigned int noutput_errors;
	struct {
		const char *name;
		int err;
		uint64_t events;
	} output_errors[SUMMARY_MAX_OUTPUTS];
};

struct sink;
struct diag_settings;

struct sink_ops {
	const char *name;
	int (*event)(struct sink *s, const struct event *ev);
	/* The session is over: sum (NULL-safe) and the machine's settings as they were read once
	 * when it ended, or as a record kept them (settings.h; NULL: unknown). */
	int (*end)(struct sink *s, const struct summary *sum,
		   const struct diag_settings *settings);
	void (*free)(struct sink *s);
	bool writes_at_end; /* its file is written by end(): if that fails, every event is lost */
};

struct sink {
	const struct sink_ops *ops;
	FILE *out;
	/* sink__event() and sink__end() keep these: a sink that failed takes nothing more */
	int err;	    /* its first failure (-errno), sticky */
	uint64_t given;	    /* events handed to it */
	uint64_t unwritten; /* of them, those it did not write */
};

/* A sink with no state beyond its output (freed with free()); NULL if out is NULL or no memory. */
struct sink *sink__new_plain(const struct sink_ops *ops, FILE *out);

/* Text: one readable line per event, then the indented stacks; a summary block at the end. */
struct sink *sink_text__new(FILE *out);
/* JSON Lines: one object per event (docs/events.md); a final {"type":"summary",...} line. */
struct sink *sink_json__new(FILE *out);

/*
 * An event to s: 0, or its failure (-errno) the first time it fails; after that the sink is
 * handed nothing more (0, the event counted as unwritten). A failure is said on stderr by the
 * output's stream (outfile.h) if it is a write's, here otherwise. The caller goes on with the
 * other sinks and the session: one output that fails never stops the others.
 */
int sink__event(struct sink *s, const struct event *ev);
/* The session is over: s's end, unless s failed before (its failure then). */
int sink__end(struct sink *s, const struct summary *sum, const struct diag_settings *settings);

static inline void sink__free(struct sink *s)
{
	if (s)
		s->ops->free(s);
}

#endif
