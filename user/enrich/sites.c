// SPDX-License-Identifier: GPL-2.0
/*
 * The counters of every site in an array by id (the kernel hands ids out densely from 1, at most
 * --max-sites), and each site's latest enriched record in one allocation (struct kept) in an LRU
 * cache by id, weighing its bytes.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cause.h"
#include "decode.h"
#include "event_type.h"
#include "frag.h"
#include "lru.h"
#include "sites.h"

struct site_count {
	bool seen;
	uint32_t records;	 /* records of the site received */
	uint64_t reported;	 /* of the kernel's count, already reported */
	uint64_t reported_bytes;
	uint64_t total;		 /* failures of the site reported, records included */
};

/* A record as enriched: ev's pointers (raw, cause, memcg_info, frag, the paths) lead into it. */
struct kept {
	uint64_t bytes;
	struct event ev;
	struct cause cause;
	struct memcg_info memcg;
	struct frag_info frag;
	union af_any_record rec; /* the header and payload; the user stack tail stays behind */
	char paths[];		 /* cgroup, memcg, victim_cgroup, memcg.bind_path */
};

struct sites {
	struct site_count *counts; /* by id */
	uint32_t cap, n;
	struct lru *kept;	   /* struct kept * by id */
	uint64_t evicted;
	union af_any_record bare;  /* a bare update's payload */
};

static void kept_drop(void *ctx, void *entry, bool evicted)
{
	struct sites *t = ctx;

	free(*(struct kept **)entry);
	t->evicted += evicted;
}

struct sites *sites__new(uint64_t budget)
{
	struct sites *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->kept = lru__new(sizeof(struct kept *), 1024, kept_drop, t);
	if (!t->kept) {
		free(t);
		return NULL;
	}
	lru__set_limits(t->kept, UINT_MAX, budget);
	return t;
}

void sites__free(struct sites *t)
{
	if (!t)
		return;
	lru__free(t->kept);
	free(t->counts);
	free(t);
}

/* The counters of site id, created if new; NULL without memory. */
static struct site_count *count_of(struct sites *t, uint32_t id)
{
	if (!id)
		return NULL;
	if (id >= t->cap) {
		uint32_t cap = t->cap ? t->cap : 1024;
		struct site_count *c;

		while (cap <= id && cap < UINT32_MAX / 2)
			cap *= 2;
		if (cap <= id)
			return NULL;
		c = realloc(t->counts, (size_t)cap * sizeof(*c));
		if (!c)
			return NULL;
		memset(c + t->cap, 0, (size_t)(cap - t->cap) * sizeof(*c));
		t->counts = c;
		t->cap = cap;
	}
	if (!t->counts[id].seen) {
		t->counts[id].seen = true;
		t->n++;
	}
	return &t->counts[id];
}

static struct kept *kept_find(struct sites *t, uint32_t id)
{
	struct kept **k = lru__find(t->kept, &id, sizeof(id));

	return k ? *k : NULL;
}

static size_t path_len(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* A copy of s at *at, which it moves past; NULL for NULL. */
static const char *path_copy(char **at, const char *s)
{
	char *copy = *at;

	if (!s)
		return NULL;
	strcpy(copy, s);
	*at += strlen(s) + 1;
	return copy;
}

/* ev as one allocation whose pointers lead into itself, but for the symbolizer's strings. */
static struct kept *kept_new(const struct event *ev)
{
	const char *bind = ev->memcg_info ? ev->memcg_info->bind_path : NULL;
	size_t paths = path_len(ev->cgroup) + path_len(ev->memcg) + path_len(ev->victim_cgroup) +
		       path_len(bind);
	uint32_t size = decode__payload_size(ev->type);
	struct kept *k;
	char *at;

	if (!size || size > sizeof(k->rec) || !ev->raw.h)
		return NULL;
	k = malloc(sizeof(*k) + paths);
	if (!k)
		return NULL;
	k->bytes = sizeof(*k) + paths;
	k->ev = *ev;
	memcpy(&k->rec, ev->raw.h, size);
	k->rec.h.size = size;
	k->rec.h.flags &= ~AF_HF_UTAIL;
	k->ev.raw.h = &k->rec.h;
	at = k->paths;
	k->ev.cgroup = path_copy(&at, ev->cgroup);
	k->ev.memcg = path_copy(&at, ev->memcg);
	k->ev.victim_cgroup = path_copy(&at, ev->victim_cgroup);
	if (ev->cause) {
		k->cause = *ev->cause;
		k->ev.cause = &k->cause;
	}
	if (ev->memcg_info) {
		k->memcg = *ev->memcg_info;
		k->memcg.bind_path = path_copy(&at, bind);
		k->ev.memcg_info = &k->memcg;
	}
	if (ev->frag) {
		k->frag = *ev->frag;
		k->ev.frag = &k->frag;
	}
	return k;
}

void sites__record(struct sites *t, struct event *ev)
{
	struct site_count *c = count_of(t, ev->site);
	struct kept *k, **slot;

	if (!c)
		return;
	c->records++;
	c->total++;
	ev->site_total = c->total;
	/* its latest record describes it best (the freshest evidence) */
	slot = lru__find(t->kept, &ev->site, sizeof(ev->site));
	if (slot)
		lru__remove(t->kept, slot);
	k = kept_new(ev);
	if (!k)
		return;
	slot = lru__insert(t->kept, &ev->site, sizeof(ev->site), k->bytes);
	if (!slot) {
		free(k);
		return;
	}
	*slot = k;
}

const struct cause *sites__verdict(struct sites *t, uint32_t id)
{
	struct kept *k = id ? kept_find(t, id) : NULL;

	return k && k->ev.type != AF_EV_SYSCALL ? k->ev.cause : NULL;
}

/* A site whose records never arrived (ring buffer full, or dropped for the budget): what its key
 * says, its payload's fields from the key's (bpf/allocfail.h), a size asked for the site's mean.
 * -EINVAL for a type without a payload. */
static int bare_event(struct sites *t, const struct af_site_key *k, const struct af_site_val *v,
		      struct event *ev)
{
	union af_any_record *rec = &t->bare;

	/* the type's descriptor fills the fields its key keeps */
	if (event_type__site_record(k, v, rec))
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->type = k->type;
	ev->pid = ev->tid = k->tgid;
	memcpy(ev->comm, v->comm, AF_COMM_LEN);
	ev->comm[AF_COMM_LEN] = '\0';
	ev->cause_site = k->cause_site;
	ev->raw.h = &rec->h;
	return 0;
}

enum sites_update sites__update(struct sites *t, const struct af_site_key *k,
				const struct af_site_val *v, bool final, int64_t wall_offset_ns,
				struct event *ev)
{
	struct site_count *c = count_of(t, v->site);
	struct kept *kept;

	if (!c || v->count <= c->reported)
		return SITES_UPDATE_NONE;
	kept = kept_find(t, v->site);
	/* a record sent but not read yet: it describes the site, wait for it (not at the end:
	 * after detach and the last drain every record sent has been read) */
	if (!final && !kept && v->records > c->records)
		return SITES_UPDATE_NONE;
	if (kept) {
		*ev = kept->ev;
		ev->site_detail = true;
		lru__touch(t->kept, lru__find(t->kept, &v->site, sizeof(v->site)));
	} else if (bare_event(t, k, v, ev)) {
		return SITES_UPDATE_NONE;
	}
	ev->site = v->site;
	ev->site_update = true;
	ev->count = v->count - c->reported;
	ev->bytes = v->bytes - c->reported_bytes;
	ev->id = 0;
	ev->chain_id = ev->caused_by = 0;
	decode__set_time(ev, v->last_ns, wall_offset_ns);
	c->reported = v->count;
	c->reported_bytes = v->bytes;
	c->total += ev->count;
	ev->site_total = c->total;
	return kept ? SITES_UPDATE_DETAIL : SITES_UPDATE_BARE;
}

unsigned int sites__count(const struct sites *t)
{
	return t->n;
}

uint64_t sites__evicted(const struct sites *t)
{
	return t->evicted;
}
