// SPDX-License-Identifier: GPL-2.0
/*
 * The cause rules' entry point: cause__explain() hands an event to its source's rules
 * (cause_syscall.c, cause_page.c, cause_slab.c, cause_oom.c, cause_memcg.c). Every rule is a
 * pure function of struct cause_input: no I/O, no other module.
 */
#include <errno.h>
#include "cause_priv.h"

static const char *const codes[] = {
	"rlimit_as", "rlimit_data", "rlimit_memlock", "max_map_count", "overcommit_strict",
	"overcommit_heuristic", "address_space", "hugetlb_pool", "mremap_in_place", "mlock_holes",
	"unmapped_range", "pidns_dead", "memcg_limit", "fragmentation", "exhaustion", "slab",
	"oom_kill", "unknown",
};

const char *const *cause__codes(unsigned int *n)
{
	*n = sizeof(codes) / sizeof(codes[0]);
	return codes;
}

/* ---- entry point ---- */

int cause__explain(const struct cause_input *in, struct cause *out)
{
	if (!in || !in->ev || !out)
		return -EINVAL;
	switch (in->ev->raw.h ? in->ev->type : 0) {
	case AF_EV_SYSCALL:
		cause_explain_syscall(in, out);
		return 0;
	case AF_EV_PAGE_ALLOC:
		cause_explain_page_alloc(in, out);
		return 0;
	case AF_EV_SLAB:
		cause_explain_slab(in, out);
		return 0;
	case AF_EV_OOM_KILL:
		cause_explain_oom(in, out);
		return 0;
	case AF_EV_MEMCG_CHARGE:
		cause_explain_memcg_charge(in, out);
		return 0;
	default:
		break;
	}
	set(out, "unknown");
	kv_num(out, "type", in->ev->type);
	summary(out, "no rules for events of type %d", in->ev->type);
	advice(out, "no verdict; the raw event is attached");
	return 0;
}

