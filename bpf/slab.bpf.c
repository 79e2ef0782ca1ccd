// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Slab failures: kmem:kmalloc and kmem:kmem_cache_alloc with a NULL result. Both fire on every
 * slab allocation of the machine, so the first test is the only one most calls see.
 * Shapes as of 6.1+ (kmalloc_node/kmem_cache_alloc_node folded in by 6.1); the classic
 * tracepoint reads its fields by name and so serves older shapes too.
 */
#include "sites.bpf.h"

/* user space reads both from the kernel's BTF (probe__slab_account_flag(), gfp__mask()) */
const volatile __u32 slab_account_flag __weak = 0;
const volatile __u32 gfp_account_mask __weak = 0;

static __always_inline int emit_slab(void *ctx, __u64 call_site, __u64 req, __u64 alloc,
				     __u32 gfp, int node, __u32 flags, const char *cache)
{
	struct af_site_key k = {};
	struct af_site_val *v;
	struct af_slab *e;
	bool counted;
	__u64 id;

	if (!task_is_traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	/* __GFP_ACCOUNT: this object is charged to the memcg */
	if (gfp & gfp_account_mask)
		flags |= AF_SLAB_ACCOUNTED;
	k.type = AF_EV_SLAB;
	k.flags = flags;
	k.nr = alloc;
	k.arg_class = gfp;
	k.object = call_site;
	v = site_account_kernel(ctx, &k, req, &counted);
	if (counted)
		return 0;
	e = site_reserve_kernel(v, sizeof(*e), AF_EV_SLAB, req);
	if (!e)
		return 0;
	event_fill_header(ctx, &e->h, AF_EV_SLAB, sizeof(*e));
	e->h.site = v ? v->site : 0;
	e->call_site = call_site;
	e->bytes_req = req;
	e->bytes_alloc = alloc;
	e->gfp = gfp;
	e->node = node;
	e->flags = flags;
	e->__pad = 0;
	e->cache[0] = '\0';
	if (cache)
		bpf_probe_read_kernel_str(e->cache, sizeof(e->cache), cache);
	chain_link(&e->h, false);
	id = e->h.id;
	bpf_ringbuf_submit(e, 0);
	site_submitted(v, id);
	return 0;
}

/* SLAB_ACCOUNT: every object of the cache is charged to the memory cgroup */
static __always_inline bool cache_accounted(struct kmem_cache *s)
{
	return BPF_CORE_READ(s, flags) & slab_account_flag;
}

static __always_inline int handle_cache_alloc(void *ctx, __u64 call_site, const void *ptr,
					      struct kmem_cache *s, __u32 gfp, int node)
{
	if (ptr)
		return 0;
	return emit_slab(ctx, call_site, BPF_CORE_READ(s, object_size), BPF_CORE_READ(s, size),
			 gfp, node, cache_accounted(s) ? AF_SLAB_ACCOUNTED : 0,
			 BPF_CORE_READ(s, name));
}

SEC("tp_btf/kmalloc")
int BPF_PROG(kmalloc_btf, unsigned long call_site, const void *ptr, size_t req, size_t alloc,
	     gfp_t gfp, int node)
{
	if (ptr)
		return 0;
	return emit_slab(ctx, call_site, req, alloc, gfp, node, AF_SLAB_KMALLOC, NULL);
}

SEC("raw_tp/kmalloc")
int BPF_PROG(kmalloc_raw, unsigned long call_site, const void *ptr, size_t req, size_t alloc,
	     gfp_t gfp, int node)
{
	if (ptr)
		return 0;
	return emit_slab(ctx, call_site, req, alloc, gfp, node, AF_SLAB_KMALLOC, NULL);
}

SEC("tracepoint/kmem/kmalloc")
int kmalloc_tp(struct trace_event_raw_kmalloc *ctx)
{
	if (ctx->ptr)
		return 0;
	return emit_slab(ctx, ctx->call_site, ctx->bytes_req, ctx->bytes_alloc, ctx->gfp_flags,
			 BPF_CORE_READ(ctx, node), AF_SLAB_KMALLOC, NULL);
}

SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(cache_alloc_btf, unsigned long call_site, const void *ptr, struct kmem_cache *s,
	     gfp_t gfp, int node)
{
	return handle_cache_alloc(ctx, call_site, ptr, s, gfp, node);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(cache_alloc_raw, unsigned long call_site, const void *ptr, struct kmem_cache *s,
	     gfp_t gfp, int node)
{
	return handle_cache_alloc(ctx, call_site, ptr, s, gfp, node);
}

SEC("tracepoint/kmem/kmem_cache_alloc")
int cache_alloc_tp(struct trace_event_raw_kmem_cache_alloc *ctx)
{
	if (ctx->ptr)
		return 0;
	/* the cache name is a __data_loc string: offset in the low 16 bits */
	return emit_slab(ctx, ctx->call_site, ctx->bytes_req, ctx->bytes_alloc, ctx->gfp_flags,
			 ctx->node, 0, (const char *)ctx + (ctx->__data_loc_name & 0xffff));
}
