// SPDX-License-Identifier: GPL-2.0
/*
 * Since 6.12 the GFP bits are an (anonymous) enum of ___GFP_*_BIT values in the kernel's BTF;
 * before, #defines whose values we carry for 6.1. Read once, lazily.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "gfp.h"
#include "probe.h"

#define MAX_FLAGS 32

struct flag {
	char name[40];
	uint32_t mask;
};

static struct flag flags[MAX_FLAGS];
static unsigned int nflags;
static char migratetypes[8][32];
static bool loaded;

/* 6.1's include/linux/gfp_types.h (and gfp.h before 6.2) */
static const struct flag flags_6_1[] = {
	{ "__GFP_DMA", 0x01 },		  { "__GFP_HIGHMEM", 0x02 },
	{ "__GFP_DMA32", 0x04 },	  { "__GFP_MOVABLE", 0x08 },
	{ "__GFP_RECLAIMABLE", 0x10 },	  { "__GFP_HIGH", 0x20 },
	{ "__GFP_IO", 0x40 },		  { "__GFP_FS", 0x80 },
	{ "__GFP_ZERO", 0x100 },	  { "__GFP_ATOMIC", 0x200 },
	{ "__GFP_DIRECT_RECLAIM", 0x400 }, { "__GFP_KSWAPD_RECLAIM", 0x800 },
	{ "__GFP_WRITE", 0x1000 },	  { "__GFP_NOWARN", 0x2000 },
	{ "__GFP_RETRY_MAYFAIL", 0x4000 }, { "__GFP_NOFAIL", 0x8000 },
	{ "__GFP_NORETRY", 0x10000 },	  { "__GFP_MEMALLOC", 0x20000 },
	{ "__GFP_COMP", 0x40000 },	  { "__GFP_NOMEMALLOC", 0x80000 },
	{ "__GFP_HARDWALL", 0x100000 },	  { "__GFP_THISNODE", 0x200000 },
	{ "__GFP_ACCOUNT", 0x400000 },	  { "__GFP_ZEROTAGS", 0x800000 },
};

static const char *const migratetypes_6_1[] = { "MIGRATE_UNMOVABLE", "MIGRATE_MOVABLE",
						"MIGRATE_RECLAIMABLE", "MIGRATE_HIGHATOMIC" };

static void load_enum_bits(const struct btf *btf)
{
	unsigned int n = btf__type_cnt(btf);

	for (unsigned int id = 1; id < n && !nflags; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_enum(t))
			continue;
		for (int i = 0; i < btf_vlen(t) && nflags < MAX_FLAGS; i++) {
			const char *name = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			size_t len = strlen(name);
			int bit = btf_enum(t)[i].val;

			/* ___GFP_<X>_BIT -> __GFP_<X>; ___GFP_LAST_BIT is a count */
			if (strncmp(name, "___GFP_", 7) || len < 12 || strcmp(name + len - 4, "_BIT") ||
			    !strcmp(name, "___GFP_LAST_BIT") || bit < 0 || bit > 31)
				continue;
			snprintf(flags[nflags].name, sizeof(flags[0].name), "%.*s", (int)len - 5,
				 name + 1);
			flags[nflags++].mask = 1u << bit;
		}
	}
}

static void load_migratetypes(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "migratetype", BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++) {
		int v = btf_enum(t)[i].val;

		if (v >= 0 && v < 8 && !migratetypes[v][0])
			snprintf(migratetypes[v], sizeof(migratetypes[v]), "%s",
				 btf__name_by_offset(btf, btf_enum(t)[i].name_off));
	}
}

static void load(void)
{
	struct btf *btf;

	if (loaded)
		return;
	loaded = true;
	/* the probes' copy: parsing it takes tens of ms and 6 MiB, once is enough */
	btf = probe__vmlinux_btf();
	if (btf) {
		load_enum_bits(btf);
		load_migratetypes(btf);
	}
	if (!nflags) {
		memcpy(flags, flags_6_1, sizeof(flags_6_1));
		nflags = sizeof(flags_6_1) / sizeof(flags_6_1[0]);
	}
	for (unsigned int i = 0; i < 4; i++)
		if (!migratetypes[i][0])
			snprintf(migratetypes[i], sizeof(migratetypes[i]), "%s",
				 migratetypes_6_1[i]);
}

uint32_t gfp__mask(const char *name)
{
	load();
	for (unsigned int i = 0; i < nflags; i++)
		if (!strcmp(flags[i].name, name))
			return flags[i].mask;
	return 0;
}

/* include/linux/gfp_types.h composites, longest first, as show_gfp_flags() matches them */
static unsigned int composites(struct flag *out)
{
	uint32_t reclaim = gfp__mask("__GFP_DIRECT_RECLAIM") | gfp__mask("__GFP_KSWAPD_RECLAIM");
	uint32_t kernel = reclaim | gfp__mask("__GFP_IO") | gfp__mask("__GFP_FS");
	uint32_t user = kernel | gfp__mask("__GFP_HARDWALL");
	uint32_t highuser = user | gfp__mask("__GFP_HIGHMEM");
	uint32_t movable = highuser | gfp__mask("__GFP_MOVABLE") | gfp__mask("__GFP_SKIP_KASAN");
	uint32_t thp_light = (movable | gfp__mask("__GFP_COMP") | gfp__mask("__GFP_NOMEMALLOC") |
			      gfp__mask("__GFP_NOWARN")) & ~reclaim;
	const struct flag list[] = {
		{ "GFP_TRANSHUGE", thp_light | gfp__mask("__GFP_DIRECT_RECLAIM") },
		{ "GFP_TRANSHUGE_LIGHT", thp_light },
		{ "GFP_HIGHUSER_MOVABLE", movable },
		{ "GFP_HIGHUSER", highuser },
		{ "GFP_USER", user },
		{ "GFP_KERNEL_ACCOUNT", kernel | gfp__mask("__GFP_ACCOUNT") },
		{ "GFP_KERNEL", kernel },
		{ "GFP_NOFS", reclaim | gfp__mask("__GFP_IO") },
		{ "GFP_ATOMIC", gfp__mask("__GFP_HIGH") | gfp__mask("__GFP_KSWAPD_RECLAIM") },
		{ "GFP_NOIO", reclaim },
		{ "GFP_NOWAIT", gfp__mask("__GFP_KSWAPD_RECLAIM") },
	};

	memcpy(out, list, sizeof(list));
	return sizeof(list) / sizeof(list[0]);
}

int gfp__format(uint32_t gfp, char *buf, size_t len)
{
	struct flag comp[16];
	unsigned int nc = composites(comp);
	uint32_t left = gfp;
	size_t n = 0;

	buf[0] = '\0';
	if (!gfp)
		return snprintf(buf, len, "0");
	for (unsigned int pass = 0; pass < 2; pass++) {
		const struct flag *list = pass ? flags : comp;
		unsigned int cnt = pass ? nflags : nc;

		for (unsigned int i = 0; i < cnt; i++) {
			if (!list[i].mask || (left & list[i].mask) != list[i].mask)
				continue;
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "|" : "",
				      list[i].name);
			left &= ~list[i].mask;
		}
	}
	if (left)
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%#x", n ? "|" : "", left);
	return n;
}

const char *gfp__migratetype_name(int mt)
{
	load();
	return mt >= 0 && mt < 8 && migratetypes[mt][0] ? migratetypes[mt] : NULL;
}
