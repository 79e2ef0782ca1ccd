// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "event_type.h"

/* one file each: type_syscall.c, ... */
extern const struct event_type_desc type_syscall, type_page_alloc, type_slab, type_oom_kill,
	type_memcg_charge;

/* named in the ABI and the summaries' by-type counts; no source sends its records yet */
static const struct event_type_desc type_malloc = { .name = "malloc" };

static const struct event_type_desc *const types[AF_EV_TYPE_MAX] = {
	[AF_EV_SYSCALL] = &type_syscall,
	[AF_EV_PAGE_ALLOC] = &type_page_alloc,
	[AF_EV_SLAB] = &type_slab,
	[AF_EV_OOM_KILL] = &type_oom_kill,
	[AF_EV_MEMCG_CHARGE] = &type_memcg_charge,
	[AF_EV_MALLOC] = &type_malloc,
};

/* without its line above, decode would refuse the new type's records as unknown */
_Static_assert(AF_EV_TYPE_MAX == 7, "a new event type needs its descriptor in types[]");

const struct event_type_desc *event_type__get(unsigned int type)
{
	return type < AF_EV_TYPE_MAX ? types[type] : NULL;
}

uint64_t event_type__request_bytes(const struct event *ev)
{
	const struct event_type_desc *d = event_type__get(ev->type);

	return d && d->request_bytes ? d->request_bytes(ev) : 0;
}

int event_type__site_record(const struct af_site_key *k, const struct af_site_val *v,
			    union af_any_record *rec)
{
	const struct event_type_desc *d = event_type__get(k->type);

	if (!d || !d->size)
		return -EINVAL;
	memset(rec, 0, d->size);
	rec->h.type = k->type;
	rec->h.version = AF_ABI_VERSION;
	rec->h.size = d->size;
	rec->h.ts_ns = v->last_ns;
	rec->h.pid = rec->h.tid = k->tgid;
	rec->h.site = v->site;
	rec->h.cause_site = k->cause_site;
	memcpy(rec->h.comm, v->comm, AF_COMM_LEN);
	if (d->site_payload)
		d->site_payload(k, v, rec);
	return 0;
}
