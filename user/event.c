// SPDX-License-Identifier: GPL-2.0
#include "event.h"

static const char *const type_names[AF_EV_TYPE_MAX] = {
	[AF_EV_SYSCALL] = "syscall",	       [AF_EV_PAGE_ALLOC] = "page_alloc",
	[AF_EV_SLAB] = "slab",		       [AF_EV_OOM_KILL] = "oom_kill",
	[AF_EV_MEMCG_CHARGE] = "memcg_charge", [AF_EV_MALLOC] = "malloc",
};

const char *event_type__name(enum af_event_type type)
{
	/* also called on records not yet validated: any value is safe */
	if ((unsigned int)type < AF_EV_TYPE_MAX && type_names[type])
		return type_names[type];
	return "unknown";
}
