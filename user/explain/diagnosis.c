// SPDX-License-Identifier: GPL-2.0
/*
 * The session's diagnosis (diagnosis.h, docs/diagnosis.md). Events are tallied into fixed
 * tables as they pass; end() takes the settings it is handed, ranks the causes and has
 * diagnosis_text.c or diagnosis_json.c write them, with the fix per cause of diagnosis_fix.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "diagnosis_tally.h"
#include "settings.h"
#include "strpool.h"

/* ---- tables ---- */

/* Adds count to key's entry of a table of *n entries (each `size` bytes, starting with a struct
 * tally), appending a zeroed one if there is room (*fresh set); NULL and count into *other when
 * the table is full. */
static void *tally_add(void *table, size_t size, unsigned int *n, unsigned int cap, uint64_t key,
		       uint64_t count, uint64_t *other, bool *fresh)
{
	struct tally *t = NULL;

	*fresh = false;
	for (unsigned int i = 0; i < *n && !t; i++)
		if (((struct tally *)((char *)table + i * size))->key == key)
			t = (struct tally *)((char *)table + i * size);
	if (!t && *n < cap) {
		t = (struct tally *)((char *)table + (*n)++ * size);
		memset(t, 0, size);
		t->key = key;
		*fresh = true;
	}
	if (!t) {
		*other += count;
		return NULL;
	}
	t->count += count;
	return t;
}

#define TALLY_ADD(tab, n, other, key, count, fresh)                                          \
	tally_add((tab), sizeof((tab)[0]), &(n), ARRAY_SIZE(tab), (key), (count), &(other), \
		  (fresh))

void diag__rank(const void *table, size_t size, unsigned int n, unsigned int *order)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t c = ((const struct tally *)((const char *)table + i * size))->count;
		unsigned int j = i;

		for (; j > 0; j--) {
			const struct tally *prev =
				(const void *)((const char *)table + order[j - 1] * size);

			if (prev->count >= c)
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
}

/* ---- tallying an event ---- */

static uint64_t key_of(const char *interned)
{
	return (uint64_t)(uintptr_t)interned;
}

/* A frame's name: its symbol; else its object's basename in brackets, since a frame carries an
 * absolute address and not its offset in the object (which ASLR would make differ anyway); else
 * "??". */
static const char *frame_name(const struct frame *f, char *buf, size_t len)
{
	const char *base;

	if (f->sym)
		return f->sym;
	if (!f->obj)
		return "??";
	base = strrchr(f->obj, '/');
	snprintf(buf, len, "[%s]", base ? base + 1 : f->obj);
	return buf;
}

/* FNV-1a over s and a separator. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0x1f) * 0x100000001b3ULL;
}

static unsigned int kernel_frames(const struct event *ev)
{
	return ev->kstack.n < DIAG_KERNEL_FRAMES ? ev->kstack.n : DIAG_KERNEL_FRAMES;
}

/* A stack's identity: every user frame's name, then the innermost kernel frames. */
static uint64_t stack_hash(const struct event *ev)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char buf[PATH_MAX + 2];

	for (unsigned int i = 0; i < ev->ustack.n; i++)
		h = hash_str(h, frame_name(&ev->ustack.frames[i], buf, sizeof(buf)));
	h = hash_str(h, "|kernel|");
	for (unsigned int i = 0; i < kernel_frames(ev); i++)
		h = hash_str(h, frame_name(&ev->kstack.frames[i], buf, sizeof(buf)));
	return h;
}

static const char *intern_frame(struct diagnosis *d, const struct frame *f)
{
	char buf[PATH_MAX + 2];
	const char *s = strpool__intern(d->pool, frame_name(f, buf, sizeof(buf)));

	return s ? s : "??";
}

static void note_stack(struct diagnosis *d, struct diag_cause *c, const struct event *ev)
{
	struct diag_stack *st;
	bool fresh;

	st = TALLY_ADD(c->stacks, c->nstacks, c->stacks_other, stack_hash(ev), ev->count, &fresh);
	if (!st || !fresh)
		return;
	st->nuser = ev->ustack.n < DIAG_USER_FRAMES ? ev->ustack.n : DIAG_USER_FRAMES;
	st->user_more = ev->ustack.n > DIAG_USER_FRAMES || ev->ustack.truncated;
	for (unsigned int i = 0; i < st->nuser; i++)
		st->user[i] = intern_frame(d, &ev->ustack.frames[i]);
	st->nkernel = kernel_frames(ev);
	for (unsigned int i = 0; i < st->nkernel; i++)
		st->kernel[i] = intern_frame(d, &ev->kstack.frames[i]);
}

static void note_process(struct diag_cause *c, const struct event *ev)
{
	struct diag_proc *p;
	bool fresh;

	p = TALLY_ADD(c->procs, c->nprocs, c->procs_other, ev->pid, ev->count, &fresh);
	if (p && fresh)
		snprintf(p->comm, sizeof(p->comm), "%s", ev->comm);
}

static void note_cgroup(struct diagnosis *d, struct diag_cause *c, const struct event *ev)
{
	const char *path = ev->cgroup ? strpool__intern(d->pool, ev->cgroup) : NULL;
	struct diag_cgroup *g;
	bool fresh;

	if (!path)
		return;
	g = TALLY_ADD(c->cgroups, c->ncgroups, c->cgroups_other, key_of(path), ev->count, &fresh);
	if (g)
		g->path = path;
}

static struct diag_memcg *tally_memcg(struct diagnosis *d, const char *name, uint64_t count)
{
	const char *path = name ? strpool__intern(d->pool, name) : NULL;
	struct diag_memcg *m;
	bool fresh;

	if (!path)
		return NULL;
	m = TALLY_ADD(d->memcgs, d->nmemcgs, d->memcgs_other, key_of(path), count, &fresh);
	if (m)
		m->path = path;
	return m;
}

/* The memory cgroup an event concerns: the one the kernel named, else the process's; and the
 * ancestor whose limit bound at the failure, if it was one: its limit is the one to raise. */
static void note_memcg(struct diagnosis *d, const struct event *ev)
{
	const struct memcg_info *mi = ev->memcg_info;
	struct diag_memcg *m = tally_memcg(d, ev->memcg ? ev->memcg : ev->cgroup, ev->count);

	if (!mi || !mi->valid)
		return;
	if (m) {
		m->at_failure = *mi;
		m->at_failure.bind_path = mi->bind_path ? strpool__intern(d->pool, mi->bind_path)
							: NULL;
	}
	if (!mi->at_failure || mi->bind_level <= 0 || !mi->bind_path)
		return;
	m = tally_memcg(d, mi->bind_path, ev->count);
	if (m)
		m->at_failure = (struct memcg_info){
			.valid = true, .version = mi->version, .at_failure = true,
			.limit_bytes = mi->bind_limit_bytes, .usage_bytes = mi->bind_usage_bytes,
			.failcnt = -1, .oom_events = -1, .oom_kill = -1, .oom_kill_disable = -1,
			.bind_level = 0, .bind_path = m->path,
			.bind_limit_bytes = mi->bind_limit_bytes,
			.bind_usage_bytes = mi->bind_usage_bytes,
			.bind_memsw = mi->bind_memsw, .memsw_read = mi->memsw_read,
			.truncated = mi->truncated,
		};
}


/* ---- the sink ---- */

static int diag_event(struct sink *s, const struct event *ev)
{
	struct diagnosis *d = (struct diagnosis *)s;
	enum cause_code id = ev->cause ? ev->cause->code_id : CAUSE_UNKNOWN;
	struct diag_cause *c;
	bool fresh;

	d->events += ev->count;
	note_memcg(d, ev);
	/* keyed by the code (+1: a key is never 0); a record's code this build does not know
	 * reads back as unknown (record_read.c) */
	c = TALLY_ADD(d->causes, d->ncauses, d->causes_other, (uint64_t)id + 1, ev->count, &fresh);
	if (!c)
		return 0;
	if (fresh) {
		c->id = id;
		c->code = cause__code_name(id);
		c->need = -1;
	}
	diag_fix__note(c, ev->cause);
	note_process(c, ev);
	note_cgroup(d, c, ev);
	note_stack(d, c, ev);
	return 0;
}

/* The settings handed over: every memory cgroup as they hold it, what they lack unknown. */
static void load_settings(struct diagnosis *d, const struct diag_settings *s)
{
	memset(&d->sys, 0xff, sizeof(d->sys)); /* -1: unknown */
	d->sys.nhstates = 0;
	d->version = 0;
	d->mount[0] = '\0';
	d->recorded = s && s->recorded;
	if (s && s->valid) {
		d->sys = s->sys;
		d->sys.nhstates = s->sys.nhstates < SYSINFO_MAX_HSTATES ? s->sys.nhstates :
									  SYSINFO_MAX_HSTATES;
		d->version = s->version;
		snprintf(d->mount, sizeof(d->mount), "%s", s->mount);
	}
	for (unsigned int i = 0; i < d->nmemcgs; i++) {
		struct diag_memcg *m = &d->memcgs[i];
		const struct memcg_info *now = s ? settings__memcg(s, m->path) : NULL;

		m->dir[0] = '\0';
		if (d->mount[0])
			settings__memcg_dir(s, m->path, m->dir, sizeof(m->dir));
		if (now)
			m->now = *now;
	}
}

static int diag_end(struct sink *s, const struct summary *sum,
		    const struct diag_settings *settings)
{
	struct diagnosis *d = (struct diagnosis *)s;
	uint64_t lost = sum ? sum->lost : 0, skipped = sum ? sum->skipped : 0;

	if (!s->out) /* tallying for the settings only (record -q) */
		return 0;
	if (d->events)
		load_settings(d, settings);
	return d->json ? diag_json__write(d, lost, skipped) : diag_text__write(d, lost, skipped);
}

static void diag_free(struct sink *s)
{
	struct diagnosis *d = (struct diagnosis *)s;

	strpool__free(d->pool);
	free(d);
}

static const struct sink_ops diag_ops = {
	.name = "diagnosis",
	.event = diag_event,
	.end = diag_end,
	.free = diag_free,
};

struct sink *sink_diagnosis__new(FILE *out, bool json)
{
	struct diagnosis *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->pool = strpool__new();
	if (!d->pool) {
		free(d);
		return NULL;
	}
	d->sink.ops = &diag_ops;
	d->sink.out = out;
	d->json = json;
	return &d->sink;
}

void sink_diagnosis__read_settings(const struct sink *s, const char *root,
				   struct diag_settings *settings)
{
	const struct diagnosis *d = (const struct diagnosis *)s;
	const char *paths[DIAG_MAX_MEMCGS];

	memset(settings, 0, sizeof(*settings));
	if (!d->events) /* nothing to explain: a record keeps no settings */
		return;
	for (unsigned int i = 0; i < d->nmemcgs; i++)
		paths[i] = d->memcgs[i].path;
	settings__read(settings, root, paths, d->nmemcgs);
}
