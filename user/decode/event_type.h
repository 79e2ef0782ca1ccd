/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What user space knows of each event type (enum af_event_type), in one place: one descriptor
 * per type, each in a file of its own (type_syscall.c, type_page_alloc.c, ...), listed in
 * event_type.c. decode, the record file and the text and JSON sinks index the descriptor
 * instead of switching on the type (docs/architecture.md, "Adding a failure source").
 */
#ifndef ALLOCFAIL_EVENT_TYPE_H
#define ALLOCFAIL_EVENT_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "decode.h"
#include "event.h"

struct json_object;
struct cause;
struct cause_input;
struct cgroups;
struct frag_info;

/* What a type's enrichment may use and fill, besides the event (pipeline.c owns them). */
struct enrich_ctx {
	struct cgroups *cg;	/* the machine's cgroups, by id */
	struct frag_info *frag; /* room for a zone's fragmentation, for ev->frag */
};

/* Bytes of a record's payload that must not leave the tracer: zeroed in a record file. */
struct payload_span {
	uint32_t off, len;
};

struct event_type_desc {
	/* JSON "type", the text headline, the key of the payload's JSON object */
	const char *name;
	/* the record's fixed part, header and payload; a user stack tail may follow it */
	uint32_t size;
	/* payload bytes the record file zeroes (raw memory copies), ending at len 0; NULL: none */
	const struct payload_span *redact;
	/* a stored payload the renderers cannot use (values the kernel never gives): why, in one
	 * line, and -EINVAL; NULL: any is fine */
	int (*check)(const union af_any_record *rec, char *why, size_t len);
	/* what the failed request asked for, the weight of `--weight bytes`; NULL: unknown (0) */
	uint64_t (*request_bytes)(const struct event *ev);
	/* the payload fields its site key holds (bpf/allocfail.h, struct af_site_key), written
	 * into rec's zeroed payload, for a count line of a site whose record never arrived: a size
	 * asked for is the site's mean; NULL: the key holds none */
	void (*site_payload)(const struct af_site_key *k, const struct af_site_val *v,
			     union af_any_record *rec);
	/* text: what failed, after the type name in the headline ("mmap ENOMEM") */
	void (*text_what)(const struct event *ev, char *buf, size_t len);
	/* text: indented lines under the headline */
	void (*text_detail)(FILE *out, const struct event *ev);
	/* JSON: the payload object, under the key `name` */
	struct json_object *(*json)(const struct event *ev);
	/* JSON: fields of its own in a count line ({"type":"count",...}); NULL: none */
	void (*json_count)(struct json_object *o, const struct event *ev);
	/* the memory cgroup the event concerns when it is not the task's own (the header's
	 * memcg_id): the one a charge was made to, the OOM's; 0: the task's; NULL: always the
	 * task's */
	uint64_t (*memcg_id)(const struct event *ev);
	/* the event names that memcg (ev->memcg): a charge's, an OOM's */
	bool names_memcg;
	/* context only this type has (a zone's fragmentation, an OOM's constraint and victim's
	 * cgroup), after the memcg's state is read; NULL: none */
	void (*enrich)(struct event *ev, const struct enrich_ctx *c);
	/* the cause rules' entry for this type (user/explain/cause_*.c) */
	void (*explain)(const struct cause_input *in, struct cause *out);
};

/* The descriptor of a type, NULL if unknown. A type the ABI names but no source sends yet
 * (malloc) has a name only: size 0. Any value is safe: also called on records not yet
 * validated. */
const struct event_type_desc *event_type__get(unsigned int type);

/* ev's request size in bytes (the descriptor's request_bytes), 0 when unknown. */
uint64_t event_type__request_bytes(const struct event *ev);

/*
 * A record of what a site's key and counters say (type, time and pid of its latest failure,
 * comm, site and cause_site, and the payload fields the key holds; no stacks, no evidence): the
 * fixed part only, rec->h.size says how long. For a count line of a site whose record never
 * arrived. Returns 0, or -EINVAL for a type without descriptor.
 */
int event_type__site_record(const struct af_site_key *k, const struct af_site_val *v,
			    union af_any_record *rec);

#endif
