// SPDX-License-Identifier: GPL-2.0
/* memcg_charge: a charge to a memory cgroup failed (bpf/memcg.bpf.c), seen at the charge's
 * return or inferred from the memcg reclaim trail before a failure. */
#include "cause.h"
#include "event_type.h"
#include "json_form.h"
#include "render.h"

/* the memcg the charge was made to */
static uint64_t memcg_id(const struct event *ev)
{
	return ev->raw.memcg->memcg_id;
}

static uint64_t request_bytes(const struct event *ev)
{
	return ev->raw.memcg->nr_pages * 4096;
}

static void site_payload(const struct af_site_key *k, const struct af_site_val *v,
			 union af_any_record *rec)
{
	rec->memcg.memcg_id = k->object;
	rec->memcg.gfp = k->arg_class;
	rec->memcg.flags = k->flags;
	rec->memcg.ret = -12;
	rec->memcg.nr_pages = v->count ? v->bytes / v->count / 4096 : 0;
}

static void text_what(const struct event *ev, char *buf, size_t len)
{
	if (ev->memcg)
		escape__str(ev->memcg, buf, len);
	else
		snprintf(buf, len, "memcg id %" PRIu64, (uint64_t)ev->raw.memcg->memcg_id);
}

static void text_detail(FILE *out, const struct event *ev)
{
	const struct af_memcg_charge *m = ev->raw.memcg;
	char gfp[256];

	fprintf(out, "    charge of %" PRIu64 " pages failed (%" PRId64 "%s) after %" PRIu64
		     " pages reclaimed, gfp %s\n",
		(uint64_t)m->nr_pages, (int64_t)m->ret,
		m->flags & AF_MEMCG_INFERRED ? ", inferred from memcg reclaim" : "",
		(uint64_t)m->nr_reclaimed, render__gfp_text(m->gfp, gfp, sizeof(gfp)));
	render__memcg_lines(out, ev->memcg_info);
}

static struct json_object *json(const struct event *ev)
{
	const struct af_memcg_charge *m = ev->raw.memcg;
	struct json_object *o = json_object_new_object();

	add(o, "memcg", str_or_null(ev->memcg));
	add(o, "memcg_id", json_object_new_uint64(m->memcg_id));
	add(o, "nr_pages", json_object_new_uint64(m->nr_pages));
	add(o, "nr_reclaimed", json_object_new_uint64(m->nr_reclaimed));
	add(o, "ret", json_object_new_int64(m->ret));
	add(o, "gfp", render__gfp_json(m->gfp));
	add(o, "inferred", json_object_new_boolean(!!(m->flags & AF_MEMCG_INFERRED)));
	add(o, "memcg_state", json_form__memcg_state(ev->memcg_info));
	return o;
}

const struct event_type_desc type_memcg_charge = {
	.name = "memcg_charge",
	.size = sizeof(struct af_memcg_charge),
	.request_bytes = request_bytes,
	.site_payload = site_payload,
	.text_what = text_what,
	.text_detail = text_detail,
	.json = json,
	.memcg_id = memcg_id,
	.names_memcg = true,
	.explain = cause__explain_memcg_charge,
};
