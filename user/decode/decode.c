// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "decode.h"
#include "event_type.h"

uint32_t decode__payload_size(unsigned int type)
{
	const struct event_type_desc *d = event_type__get(type);

	return d ? d->size : 0;
}

/* The tail's room must be exactly what the header's size leaves after the payload. */
static int utail_check(const struct af_header *h, uint32_t fixed, char *why, size_t len)
{
	uint32_t room = h->size - fixed;
	const struct af_utail *t = (const void *)((const char *)h + fixed);

	if (room < sizeof(*t) || t->cap != room - sizeof(*t) || t->cap > AF_USTACK_SIZE_MAX ||
	    t->len > t->cap) {
		snprintf(why, len, "user stack tail of %u bytes (room %u, copied %u)", room,
			 room < sizeof(*t) ? 0 : t->cap, room < sizeof(*t) ? 0 : t->len);
		return -EINVAL;
	}
	return 0;
}

const struct af_utail *decode__utail(const struct af_header *h)
{
	if (!(h->flags & AF_HF_UTAIL))
		return NULL;
	return (const void *)((const char *)h + decode__payload_size(h->type));
}

void decode__set_time(struct event *ev, uint64_t ts_ns, int64_t wall_offset_ns)
{
	int64_t wall = (int64_t)ts_ns + wall_offset_ns;

	ev->ts_ns = ts_ns;
	ev->wall.tv_sec = wall / 1000000000;
	ev->wall.tv_nsec = wall % 1000000000;
}

int decode__record(const void *data, size_t size, int64_t wall_offset_ns, struct event *ev,
		   char *why, size_t len)
{
	const struct af_header *h = data;
	uint32_t fixed;

	if (size < sizeof(*h)) {
		snprintf(why, len, "record of %zu bytes is shorter than a header", size);
		return -EINVAL;
	}
	if (h->version != AF_ABI_VERSION) {
		snprintf(why, len, "record version %u, expected %u", h->version, AF_ABI_VERSION);
		return -EINVAL;
	}
	fixed = decode__payload_size(h->type);
	if (!fixed) {
		snprintf(why, len, "unknown record type %u", h->type);
		return -EINVAL;
	}
	if (h->size < fixed || size < h->size || (h->size != fixed && !(h->flags & AF_HF_UTAIL))) {
		snprintf(why, len, "%s record of %u bytes (buffer %zu), expected %u",
			 event_type__name(h->type), h->size, size, fixed);
		return -EINVAL;
	}
	if ((h->flags & AF_HF_UTAIL) && utail_check(h, fixed, why, len))
		return -EINVAL;
	if (h->kstack_len > AF_MAX_STACK || h->ustack_len > AF_MAX_STACK) {
		snprintf(why, len, "stack lengths %u/%u over %u", h->kstack_len, h->ustack_len,
			 AF_MAX_STACK);
		return -EINVAL;
	}
	memset(ev, 0, offsetof(struct event, kstack));
	ev->type = h->type;
	decode__set_time(ev, h->ts_ns, wall_offset_ns);
	ev->pid = h->pid;
	ev->tid = h->tid;
	ev->uid = h->uid;
	memcpy(ev->comm, h->comm, AF_COMM_LEN);
	ev->comm[AF_COMM_LEN] = '\0';
	ev->cgroup_id = h->cgroup_id;
	ev->count = 1;
	ev->site = h->site;
	ev->id = h->id;
	ev->chain_id = h->chain_id;
	ev->caused_by = h->caused_by;
	ev->cause_site = h->cause_site;
	ev->memcg = ev->victim_cgroup = ev->oom_constraint = NULL;
	ev->memcg_info = NULL;
	ev->frag = NULL;
	ev->kstack.n = ev->ustack.n = 0;
	ev->kstack.unwind = ev->ustack.unwind = STACK_UNWIND_NONE;
	ev->kstack.end = ev->ustack.end = STACK_END_UNKNOWN;
	ev->kstack.truncated = h->kstack_len == AF_MAX_STACK || (h->flags & AF_HF_KSTACK_ERR);
	ev->ustack.truncated = h->ustack_len == AF_MAX_STACK;
	ev->cgroup = NULL;
	ev->cause = NULL;
	ev->raw.h = data;
	return 0;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t decode__wall_offset_ns(void)
{
	return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
}
