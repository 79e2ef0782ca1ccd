// SPDX-License-Identifier: GPL-2.0
/* The slab rules: kmalloc beyond KMALLOC_MAX_SIZE, a memcg charge, or no pages for a new slab. */
#include "cause_priv.h"

#define MAX_PAGE_ORDER_ 10 /* x86: KMALLOC_MAX_SIZE is PAGE_SIZE << 10 */

void cause__slab(const struct cause_slab *s, struct cause *out)
{
	uint64_t page = s->page_size ? s->page_size : 4096, max = page << MAX_PAGE_ORDER_;
	const char *cache = s->cache && s->cache[0] ? s->cache : NULL;
	char what[96];

	if (s->kmalloc)
		snprintf(what, sizeof(what), "kmalloc of %s", H(s->bytes_req));
	else
		snprintf(what, sizeof(what), "kmem_cache_alloc from %s (%s)", cache ? cache : "?",
			 H(s->bytes_alloc ? s->bytes_alloc : s->bytes_req));
	if (s->accounted && cause__memcg(s->memcg_info, s->memcg, s->bytes_req, what, out))
		return;
	/* the charge under it failed (fexit, or inferred): the reason, whatever the cgroup's usage
	 * read later says (the process may be gone; a site's count is explained at a flush) */
	if (s->accounted && s->deeper && s->deeper->code &&
	    !strcmp(s->deeper->code, "memcg_limit")) {
		*out = *s->deeper;
		out->code_id = CAUSE_MEMCG_LIMIT; /* deeper may carry only the name */
		summary(out, "%s failed because its memory cgroup charge failed: %s", what,
			s->deeper->summary);
		return;
	}
	set(out, CAUSE_SLAB);
	kv_str(out, "cache", "%s", cache ? cache : (s->kmalloc ? "kmalloc" : "?"));
	kv_u64(out, "bytes_req", s->bytes_req);
	kv_u64(out, "bytes_alloc", s->bytes_alloc);
	kv_num(out, "accounted", s->accounted);
	if (s->kmalloc && s->bytes_req > max) {
		/* __kmalloc_large_node(): order > MAX_PAGE_ORDER cannot be allocated at all */
		kv_u64(out, "kmalloc_max_size", max);
		summary(out, "%s is larger than the %s kmalloc can ever return (KMALLOC_MAX_SIZE)",
			what, H(max));
		advice(out, "a caller bug: use kvmalloc()/vmalloc() for this size, or allocate in "
			    "pieces; the kernel stack shows the caller");
		return;
	}
	if (s->deeper && s->deeper->code) {
		kv_str(out, "underlying", "%s", s->deeper->code);
		summary(out,
			"%s failed: the slab allocator could not get pages for a new slab (%s)",
			what, s->deeper->code);
		memcpy(out->advice, s->deeper->advice, sizeof(out->advice));
		return;
	}
	summary(out, "%s failed: the slab allocator could not get pages for a new slab", what);
	advice(out, "look at the page allocation failures around it (fragmentation or exhaustion); "
		    "/proc/slabinfo shows the cache, the kernel stack the caller");
}

void cause__explain_slab(const struct cause_input *in, struct cause *out)
{
	const struct af_slab *sl = in->ev->raw.slab;
	struct cause_slab s = {
		.cache = sl->cache,
		.kmalloc = sl->flags & AF_SLAB_KMALLOC,
		.accounted = (sl->flags & AF_SLAB_ACCOUNTED) || (sl->gfp & GFP_ACCOUNT_),
		.bytes_req = sl->bytes_req,
		.bytes_alloc = sl->bytes_alloc,
		.memcg = event_memcg_path(in->ev),
		.memcg_info = in->memcg,
		.deeper = in->deeper,
		.page_size = in->sys && in->sys->page_size > 0 ? (uint64_t)in->sys->page_size : 0,
	};
	char cache[sizeof(sl->cache) + 1];

	memcpy(cache, sl->cache, sizeof(sl->cache));
	cache[sizeof(sl->cache)] = '\0';
	s.cache = cache;
	cause__slab(&s, out);
}
