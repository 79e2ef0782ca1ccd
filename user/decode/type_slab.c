// SPDX-License-Identifier: GPL-2.0
/* slab: kmalloc or kmem_cache_alloc returned NULL (bpf/slab.bpf.c). */
#include "cause.h"
#include "event_type.h"
#include "render.h"

static uint64_t request_bytes(const struct event *ev)
{
	return ev->raw.slab->bytes_req;
}

static void site_payload(const struct af_site_key *k, const struct af_site_val *v,
			 union af_any_record *rec)
{
	rec->slab.flags = k->flags;
	rec->slab.bytes_alloc = k->nr;
	rec->slab.bytes_req = v->count ? v->bytes / v->count : 0;
	rec->slab.gfp = k->arg_class;
	rec->slab.call_site = k->object;
}

static void text_what(const struct event *ev, char *buf, size_t len)
{
	const struct af_slab *s = ev->raw.slab;
	char cache[sizeof(s->cache) + 1];

	snprintf(cache, sizeof(cache), "%.*s", (int)sizeof(s->cache), s->cache);
	snprintf(buf, len, "%s %" PRIu64 " bytes",
		 cache[0] ? ESC(cache, 4 * sizeof(cache)) : "kmalloc", (uint64_t)s->bytes_req);
}

static void text_detail(FILE *out, const struct event *ev)
{
	const struct af_slab *s = ev->raw.slab;
	char gfp[256];

	fprintf(out, "    %s: %" PRIu64 " bytes requested, %" PRIu64 " allocated, gfp %s, node %d, "
		     "call site 0x%" PRIx64 "%s\n",
		s->flags & AF_SLAB_KMALLOC ? "kmalloc" : "kmem_cache_alloc", (uint64_t)s->bytes_req,
		(uint64_t)s->bytes_alloc, render__gfp_text(s->gfp, gfp, sizeof(gfp)), s->node,
		(uint64_t)s->call_site, s->flags & AF_SLAB_ACCOUNTED ? ", accounted" : "");
}

static struct json_object *json(const struct event *ev)
{
	const struct af_slab *s = ev->raw.slab;
	struct json_object *o = json_object_new_object();

	add(o, "cache", fixed_str(s->cache, sizeof(s->cache)));
	add(o, "kmalloc", json_object_new_boolean(!!(s->flags & AF_SLAB_KMALLOC)));
	add(o, "bytes_req", json_object_new_uint64(s->bytes_req));
	add(o, "bytes_alloc", json_object_new_uint64(s->bytes_alloc));
	add(o, "gfp", render__gfp_json(s->gfp));
	add(o, "node", json_object_new_int(s->node));
	add(o, "accounted", json_object_new_boolean(!!(s->flags & AF_SLAB_ACCOUNTED)));
	add(o, "call_site", hex(s->call_site));
	return o;
}

const struct event_type_desc type_slab = {
	.name = "slab",
	.size = sizeof(struct af_slab),
	.request_bytes = request_bytes,
	.site_payload = site_payload,
	.text_what = text_what,
	.text_detail = text_detail,
	.json = json,
	.explain = cause__explain_slab,
};
