// SPDX-License-Identifier: GPL-2.0
/*
 * The cause rules' entry point: cause__explain() hands an event to its source's rules
 * (cause_syscall.c, cause_page.c, ...) through its type's descriptor (user/type_*.c). Every rule is a
 * pure function of struct cause_input: no I/O, no other module.
 */
#include <errno.h>
#include "cause_priv.h"
#include "event_type.h"

static const char *const codes[] = {
	[CAUSE_RLIMIT_AS] = "rlimit_as",
	[CAUSE_RLIMIT_DATA] = "rlimit_data",
	[CAUSE_RLIMIT_MEMLOCK] = "rlimit_memlock",
	[CAUSE_MAX_MAP_COUNT] = "max_map_count",
	[CAUSE_OVERCOMMIT_STRICT] = "overcommit_strict",
	[CAUSE_OVERCOMMIT_HEURISTIC] = "overcommit_heuristic",
	[CAUSE_ADDRESS_SPACE] = "address_space",
	[CAUSE_HUGETLB_POOL] = "hugetlb_pool",
	[CAUSE_MREMAP_IN_PLACE] = "mremap_in_place",
	[CAUSE_MLOCK_HOLES] = "mlock_holes",
	[CAUSE_UNMAPPED_RANGE] = "unmapped_range",
	[CAUSE_PIDNS_DEAD] = "pidns_dead",
	[CAUSE_MEMCG_LIMIT] = "memcg_limit",
	[CAUSE_FRAGMENTATION] = "fragmentation",
	[CAUSE_EXHAUSTION] = "exhaustion",
	[CAUSE_SLAB] = "slab",
	[CAUSE_OOM_KILL] = "oom_kill",
	[CAUSE_UNKNOWN] = "unknown",
};

_Static_assert(sizeof(codes) / sizeof(codes[0]) == CAUSE_NR_CODES, "a name for every code");

const char *const *cause__codes(unsigned int *n)
{
	*n = CAUSE_NR_CODES;
	return codes;
}

const char *cause__code_name(enum cause_code code)
{
	return (unsigned int)code < CAUSE_NR_CODES ? codes[code] : codes[CAUSE_UNKNOWN];
}

enum cause_code cause__code_of(const char *name)
{
	for (unsigned int i = 0; name && i < CAUSE_NR_CODES; i++)
		if (!strcmp(codes[i], name))
			return i;
	return CAUSE_UNKNOWN;
}

/* ---- entry point ---- */

int cause__explain(const struct cause_input *in, struct cause *out)
{
	const struct event_type_desc *d;

	if (!in || !in->ev || !out)
		return -EINVAL;
	d = in->ev->raw.h ? event_type__get(in->ev->type) : NULL;
	if (d && d->explain) {
		d->explain(in, out);
		return 0;
	}
	set(out, CAUSE_UNKNOWN);
	kv_num(out, "type", in->ev->type);
	summary(out, "no rules for events of type %d", in->ev->type);
	advice(out, "no verdict; the raw event is attached");
	return 0;
}

