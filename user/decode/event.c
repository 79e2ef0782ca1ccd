// SPDX-License-Identifier: GPL-2.0
#include "event.h"
#include "event_type.h"

const char *event_type__name(enum af_event_type type)
{
	const struct event_type_desc *d = event_type__get(type);

	return d ? d->name : "unknown";
}

const char *stack_unwind__name(enum stack_unwind u)
{
	static const char *const names[] = {
		[STACK_UNWIND_FP] = "fp",
		[STACK_UNWIND_DWARF] = "dwarf",
	};

	return (unsigned int)u < sizeof(names) / sizeof(names[0]) ? names[u] : NULL;
}

const char *stack_end__name(enum stack_end e)
{
	static const char *const names[] = {
		[STACK_END_COMPLETE] = "complete",
		[STACK_END_UNKNOWN_REGION] = "unknown_region",
		[STACK_END_COPY_EXHAUSTED] = "stack_copy_exhausted",
		[STACK_END_UNWIND_ERROR] = "unwind_error",
		[STACK_END_MAX_DEPTH] = "max_depth",
		[STACK_END_FP_CHAIN] = "fp_chain_end",
	};

	return (unsigned int)e < sizeof(names) / sizeof(names[0]) ? names[e] : NULL;
}
