// SPDX-License-Identifier: GPL-2.0
/* The diagnosis as one JSON line, {"type":"diagnosis",...} (docs/diagnosis.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <json-c/json.h>
#include "diagnosis_tally.h"
#include "json_form.h"
#include "render.h"

/* An empty name is no name: null. */
static struct json_object *nonempty_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *processes_json(const struct diag_cause *c)
{
	struct json_object *a = json_object_new_array_ext(c->nprocs);
	unsigned int order[DIAG_MAX_PROCS];

	RANK(c->procs, c->nprocs, order);
	for (unsigned int i = 0; i < c->nprocs; i++) {
		const struct diag_proc *p = &c->procs[order[i]];
		struct json_object *o = json_object_new_object();

		add(o, "pid", json_object_new_int64((int64_t)p->t.key));
		add(o, "comm", json_object_new_string(p->comm));
		add(o, "count", json_object_new_uint64(p->t.count));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *cgroups_json(const struct diag_cause *c)
{
	struct json_object *a = json_object_new_array_ext(c->ncgroups);
	unsigned int order[DIAG_MAX_CGROUPS];

	RANK(c->cgroups, c->ncgroups, order);
	for (unsigned int i = 0; i < c->ncgroups; i++) {
		struct json_object *o = json_object_new_object();

		add(o, "path", json_object_new_string(c->cgroups[order[i]].path));
		add(o, "count", json_object_new_uint64(c->cgroups[order[i]].t.count));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *names_json(const char *const *names, unsigned int n)
{
	struct json_object *a = json_object_new_array_ext(n);

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

/* The top stacks; *rest gets the count of the others. */
static struct json_object *stacks_json(const struct diag_cause *c, uint64_t *rest)
{
	struct json_object *a = json_object_new_array_ext(DIAG_TOP_STACKS);
	unsigned int order[DIAG_MAX_STACKS];

	*rest = c->stacks_other;
	RANK(c->stacks, c->nstacks, order);
	for (unsigned int i = 0; i < c->nstacks; i++) {
		const struct diag_stack *st = &c->stacks[order[i]];
		struct json_object *o;

		if (i >= DIAG_TOP_STACKS) {
			*rest += st->t.count;
			continue;
		}
		o = json_object_new_object();
		add(o, "count", json_object_new_uint64(st->t.count));
		add(o, "user", names_json(st->user, st->nuser));
		add(o, "user_more", json_object_new_boolean(st->user_more));
		add(o, "kernel", names_json(st->kernel, st->nkernel));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *cause_json(const struct diagnosis *d, const struct diag_cause *c)
{
	struct json_object *o = json_object_new_object();
	char share[16], fix[640];
	uint64_t rest;

	snprintf(share, sizeof(share), "%.3f", d->events ? (double)c->t.count / d->events : 0);
	add(o, "code", json_object_new_string(c->code));
	add(o, "count", json_object_new_uint64(c->t.count));
	add(o, "share", json_object_new_double_s(atof(share), share));
	add(o, "summary", c->has_last ? nonempty_or_null(c->last.summary) : NULL);
	add(o, "advice", c->has_last ? nonempty_or_null(c->last.advice) : NULL);
	add(o, "fix", json_object_new_string(diag_fix__line(d, c, fix, sizeof(fix))));
	add(o, "evidence", c->has_last ? json_form__evidence(&c->last) : NULL);
	add(o, "processes", processes_json(c));
	add(o, "processes_other", json_object_new_uint64(c->procs_other));
	add(o, "cgroups", cgroups_json(c));
	add(o, "cgroups_other", json_object_new_uint64(c->cgroups_other));
	add(o, "stacks", stacks_json(c, &rest));
	add(o, "stacks_other", json_object_new_uint64(rest));
	return o;
}

static struct json_object *hstate_json(const struct sysinfo_hstate *h)
{
	struct json_object *o = json_object_new_object();

	add(o, "size_kb", i64_known(h->size_kb));
	add(o, "total", i64_known(h->total));
	add(o, "free", i64_known(h->free));
	add(o, "rsvd", i64_known(h->rsvd));
	add(o, "surplus", i64_known(h->surplus));
	add(o, "overcommit", i64_known(h->overcommit));
	return o;
}

static struct json_object *settings_json(const struct sysinfo *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *huge = json_object_new_array_ext(s->nhstates);

	add(o, "overcommit_memory", i64_known(s->overcommit_memory));
	add(o, "overcommit_ratio", i64_known(s->overcommit_ratio));
	add(o, "overcommit_kbytes", i64_known(s->overcommit_kbytes));
	add(o, "commit_limit_kb", i64_known(s->commit_limit_kb));
	add(o, "committed_as_kb", i64_known(s->committed_as_kb));
	add(o, "max_map_count", i64_known(s->max_map_count));
	add(o, "mem_total_kb", i64_known(s->mem_total_kb));
	add(o, "mem_available_kb", i64_known(s->mem_available_kb));
	add(o, "swap_total_kb", i64_known(s->swap_total_kb));
	add(o, "swap_free_kb", i64_known(s->swap_free_kb));
	for (unsigned int i = 0; i < s->nhstates && i < SYSINFO_MAX_HSTATES; i++)
		json_object_array_add(huge, hstate_json(&s->hstates[i]));
	add(o, "hugepages", huge);
	return o;
}

static struct json_object *memcgs_json(const struct diagnosis *d)
{
	struct json_object *a = json_object_new_array_ext(d->nmemcgs);

	for (unsigned int i = 0; i < d->nmemcgs; i++) {
		const struct diag_memcg *m = &d->memcgs[i];
		struct json_object *o = json_object_new_object();

		add(o, "path", json_object_new_string(m->path));
		add(o, "count", json_object_new_uint64(m->t.count));
		add(o, "dir", nonempty_or_null(m->dir));
		add(o, "now", json_form__memcg_state(&m->now));
		add(o, "at_failure", json_form__memcg_state(&m->at_failure));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *diagnosis_json(const struct diagnosis *d, uint64_t lost,
					  uint64_t skipped)
{
	struct json_object *o = json_object_new_object();
	struct json_object *causes = json_object_new_array_ext(d->ncauses);
	unsigned int order[DIAG_MAX_CAUSES];

	add(o, "type", json_object_new_string("diagnosis"));
	if (!d->events) {
		add(o, "causes", causes);
		if (lost)
			add(o, "lost", json_object_new_uint64(lost));
		if (skipped)
			add(o, "skipped", json_object_new_uint64(skipped));
		return o;
	}
	RANK(d->causes, d->ncauses, order);
	for (unsigned int i = 0; i < d->ncauses; i++)
		json_object_array_add(causes, cause_json(d, &d->causes[order[i]]));
	add(o, "events", json_object_new_uint64(d->events));
	add(o, "lost", json_object_new_uint64(lost));
	add(o, "skipped", json_object_new_uint64(skipped));
	add(o, "causes", causes);
	add(o, "causes_other", json_object_new_uint64(d->causes_other));
	add(o, "settings", settings_json(&d->sys));
	add(o, "memcgs", memcgs_json(d));
	add(o, "memcgs_other", json_object_new_uint64(d->memcgs_other));
	return o;
}

int diag_json__write(const struct diagnosis *d, uint64_t lost, uint64_t skipped)
{
	return json_form__write_line(d->sink.out, diagnosis_json(d, lost, skipped));
}

