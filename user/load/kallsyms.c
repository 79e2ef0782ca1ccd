// SPDX-License-Identifier: GPL-2.0
/*
 * A sorted copy of /proc/kallsyms's text symbols (the best-ranked of each address), read on a
 * thread of its own; module names interned.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "kallsyms.h"
#include "strpool.h"

#define STACK_CAP (sizeof(((struct stack *)0)->frames) / sizeof(struct frame))
/* No kernel function is this long: an address farther from every symbol is left unknown. */
#define KSYM_MAX_OFF (1ULL << 20)

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset in names */
	uint16_t obj;  /* index in objs */
	uint8_t rank;  /* among symbols at one address, the lowest rank is kept */
};

struct kallsyms {
	struct ksym *syms;
	size_t n;
	char *names;
	const char **objs; /* interned "[kernel]", "[module]" */
	unsigned int nobjs;
	struct strpool *pool;
	pthread_t reader;
	bool reading; /* the reader may still run: nothing reads the table until it is joined */
};

static int ksym_rank(char type)
{
	switch (type) {
	case 'T':
		return 0;
	case 'W':
		return 1;
	case 't':
		return 2;
	case 'w':
		return 3;
	default:
		return -1; /* data, absolute: never in a stack */
	}
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	/* names are appended in file order: keeps the first of equal ranks */
	return x->name < y->name ? -1 : x->name > y->name;
}

static int ktab_obj(struct kallsyms *k, const char *mod, size_t len)
{
	const char *obj;
	const char **objs;

	if (!len)
		obj = strpool__intern(k->pool, "[kernel]");
	else
		obj = strpool__intern_len(k->pool, mod, len);
	if (!obj)
		return -ENOMEM;
	/* kallsyms groups a module's symbols, so the last one almost always matches */
	for (unsigned int i = k->nobjs; i > 0; i--)
		if (k->objs[i - 1] == obj)
			return i - 1;
	if (k->nobjs >= UINT16_MAX)
		return -E2BIG;
	objs = realloc(k->objs, (k->nobjs + 1) * sizeof(*objs));
	if (!objs)
		return -ENOMEM;
	k->objs = objs;
	k->objs[k->nobjs] = obj;
	return k->nobjs++;
}

struct kload {
	size_t cap, names_len, names_cap;
	bool any_addr;
};

static int ktab_add(struct kallsyms *k, struct kload *l, uint64_t addr, int rank,
		    const char *name, size_t name_len, const char *mod, size_t mod_len)
{
	int obj;

	if (k->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 65536;
		struct ksym *syms = realloc(k->syms, cap * sizeof(*syms));

		if (!syms)
			return -ENOMEM;
		k->syms = syms;
		l->cap = cap;
	}
	if (l->names_len + name_len + 1 > l->names_cap) {
		size_t cap = l->names_cap ? 2 * l->names_cap : 1 << 20;
		char *names;

		while (cap < l->names_len + name_len + 1)
			cap *= 2;
		names = realloc(k->names, cap);
		if (!names)
			return -ENOMEM;
		k->names = names;
		l->names_cap = cap;
	}
	obj = ktab_obj(k, mod, mod_len);
	if (obj < 0)
		return obj;
	memcpy(k->names + l->names_len, name, name_len);
	k->names[l->names_len + name_len] = '\0';
	k->syms[k->n++] = (struct ksym){ addr, l->names_len, obj, rank };
	l->names_len += name_len + 1;
	l->any_addr |= addr != 0;
	return 0;
}

/* One line: "ffffffff81000000 T name" or "ffffffffc0a01000 t name\t[module]". */
static int ktab_line(struct kallsyms *k, struct kload *l, char *line)
{
	char *p, *name, *mod = NULL;
	size_t name_len, mod_len = 0;
	uint64_t addr;
	int rank;

	addr = strtoull(line, &p, 16);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return 0;
	rank = ksym_rank(p[1]);
	if (rank < 0)
		return 0;
	name = p + 3;
	name_len = strcspn(name, "\t \n");
	if (!name_len)
		return 0;
	if (name[name_len] == '\t') {
		mod = name + name_len + 1;
		mod_len = strcspn(mod, "\n");
	}
	return ktab_add(k, l, addr, rank, name, name_len, mod, mod_len);
}

/* Sort, then keep the best-ranked symbol of each address. */
static void ktab_finish(struct kallsyms *k)
{
	size_t out = 0;

	qsort(k->syms, k->n, sizeof(*k->syms), ksym_cmp);
	for (size_t i = 0; i < k->n; i++)
		if (!out || k->syms[out - 1].addr != k->syms[i].addr)
			k->syms[out++] = k->syms[i];
	k->n = out;
}

static void ktab_clear(struct kallsyms *k)
{
	free(k->syms);
	free(k->names);
	free(k->objs);
	k->syms = NULL;
	k->names = NULL;
	k->objs = NULL;
	k->n = 0;
	k->nobjs = 0;
}

static void ktab_load(struct kallsyms *k)
{
	struct kload l = {};
	size_t cap = 0;
	char *line = NULL;
	int err = 0;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f) {
		elog("cannot read /proc/kallsyms: %s; kernel frames stay unsymbolized",
		     strerror(errno));
		return;
	}
	while (!err && getline(&line, &cap, f) > 0)
		err = ktab_line(k, &l, line);
	free(line);
	fclose(f);
	if (err) {
		elog("reading /proc/kallsyms: %s; kernel frames stay unsymbolized", strerror(-err));
		ktab_clear(k);
	} else if (k->n && !l.any_addr) {
		elog("/proc/kallsyms shows no addresses (kernel.kptr_restrict, or no CAP_SYSLOG); "
		     "kernel frames stay unsymbolized");
		ktab_clear(k);
	} else {
		ktab_finish(k);
	}
}

static const struct ksym *ktab_find(const struct kallsyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n;
	const struct ksym *ks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	ks = &k->syms[lo - 1];
	return addr - ks->addr < KSYM_MAX_OFF ? ks : NULL;
}

static void *reader(void *arg)
{
	ktab_load(arg);
	return NULL;
}

struct kallsyms *kallsyms__open(void)
{
	struct kallsyms *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->pool = strpool__new();
	if (!k->pool) {
		free(k);
		return NULL;
	}
	k->reading = !common__thread_start(&k->reader, reader, k);
	if (!k->reading)
		ktab_load(k);
	return k;
}

/* The table is read: the reader's writes are seen after the join. */
static void wait_read(struct kallsyms *k)
{
	if (k->reading)
		pthread_join(k->reader, NULL);
	k->reading = false;
}

void kallsyms__free(struct kallsyms *k)
{
	if (!k)
		return;
	wait_read(k);
	ktab_clear(k);
	strpool__free(k->pool);
	free(k);
}

int kallsyms__func(struct kallsyms *k, const char *name, uint64_t *start, uint64_t *end)
{
	wait_read(k);
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(k->names + k->syms[i].name, name))
			continue;
		*start = k->syms[i].addr;
		*end = i + 1 < k->n ? k->syms[i + 1].addr : *start + 1;
		return 0;
	}
	return -ENOENT;
}

void kallsyms__stack(struct kallsyms *k, const uint64_t *addrs, unsigned int n,
		     struct stack *out)
{
	wait_read(k);
	out->n = 0;
	for (unsigned int i = 0; i < n; i++) {
		/* a return address points after the call; the call is one byte earlier */
		uint64_t pc = i && addrs[i] ? addrs[i] - 1 : addrs[i];
		const struct ksym *ks = ktab_find(k, pc);
		struct frame *f;

		if (out->n >= STACK_CAP) {
			out->truncated = true;
			break;
		}
		f = &out->frames[out->n++];
		memset(f, 0, sizeof(*f));
		f->addr = addrs[i];
		if (!ks)
			continue;
		f->sym = k->names + ks->name;
		f->off = addrs[i] - ks->addr;
		f->obj = k->objs[ks->obj];
	}
}
