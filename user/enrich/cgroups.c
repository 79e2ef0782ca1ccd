// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cgroups.h"
#include "mountinfo.h"

#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define RESCAN_NS 1000000000ULL /* a cgroup created since the last scan costs one rescan/s */

struct cg_entry {
	uint64_t id;
	char *rel; /* relative to the hierarchy root, "/" for the root itself */
};

struct hierarchy {
	char *mnt; /* absolute mount point, NULL if absent */
	int version;
	struct cg_entry *ents;
	size_t n, cap;
	uint64_t last_scan_ns;
};

struct cgroups {
	struct hierarchy v2;
	struct hierarchy memv1; /* the v1 hierarchy holding the memory controller */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static bool has_option(const char *opts, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, want, n) && (p[n] == ',' || p[n] == '\0' || p[n] == '\n'))
			return true;
	return false;
}

/* The first cgroup2 mount, and the first v1 one holding the memory controller. */
static int note_mount(const struct mountinfo_entry *m, void *ctx)
{
	struct cgroups *cg = ctx;

	if (!strcmp(m->fstype, "cgroup2") && !cg->v2.mnt) {
		cg->v2.mnt = strdup(m->mnt);
		cg->v2.version = 2;
	} else if (!strcmp(m->fstype, "cgroup") && has_option(m->super, "memory") &&
		   !cg->memv1.mnt) {
		cg->memv1.mnt = strdup(m->mnt);
		cg->memv1.version = 1;
	}
	return 0;
}

struct cgroups *cgroups__new(void)
{
	struct cgroups *cg = calloc(1, sizeof(*cg));

	if (cg)
		mountinfo__each(NULL, note_mount, cg);
	return cg;
}

static void hierarchy_clear(struct hierarchy *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->ents[i].rel);
	h->n = 0;
}

void cgroups__free(struct cgroups *cg)
{
	if (!cg)
		return;
	hierarchy_clear(&cg->v2);
	hierarchy_clear(&cg->memv1);
	free(cg->v2.ents);
	free(cg->memv1.ents);
	free(cg->v2.mnt);
	free(cg->memv1.mnt);
	free(cg);
}

static struct hierarchy *scanning; /* nftw has no user pointer */

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct hierarchy *h = scanning;
	const char *rel = path + strlen(h->mnt);
	struct cg_entry *e;

	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 256;
		void *p = realloc(h->ents, cap * sizeof(*h->ents));

		if (!p)
			return -1;
		h->ents = p;
		h->cap = cap;
	}
	e = &h->ents[h->n];
	e->id = st->st_ino;
	e->rel = strdup(*rel ? rel : "/");
	if (!e->rel)
		return -1;
	h->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct cg_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void hierarchy_scan(struct hierarchy *h)
{
	hierarchy_clear(h);
	scanning = h;
	nftw(h->mnt, scan_one, 16, FTW_PHYS | FTW_MOUNT);
	scanning = NULL;
	qsort(h->ents, h->n, sizeof(*h->ents), cmp_entry);
	h->last_scan_ns = now_ns();
}

static const char *hierarchy_lookup(struct hierarchy *h, uint64_t id)
{
	struct cg_entry key = { .id = id }, *e;

	if (!h->mnt || !id)
		return NULL;
	e = bsearch(&key, h->ents, h->n, sizeof(*h->ents), cmp_entry);
	if (!e && now_ns() - h->last_scan_ns > RESCAN_NS) {
		hierarchy_scan(h);
		e = bsearch(&key, h->ents, h->n, sizeof(*h->ents), cmp_entry);
	}
	return e ? e->rel : NULL;
}

const char *cgroups__event_path(struct cgroups *cg, uint64_t cgroup_id, uint64_t memcg_id)
{
	if (cg->memv1.mnt)
		return hierarchy_lookup(&cg->memv1, memcg_id);
	return hierarchy_lookup(&cg->v2, cgroup_id);
}

static struct hierarchy *memory_hierarchy(struct cgroups *cg)
{
	return cg->memv1.mnt ? &cg->memv1 : &cg->v2;
}

const char *cgroups__memcg_path(struct cgroups *cg, uint64_t memcg_id)
{
	return hierarchy_lookup(memory_hierarchy(cg), memcg_id);
}

int cgroups__memcg_version(struct cgroups *cg)
{
	struct hierarchy *h = memory_hierarchy(cg);

	return h->mnt ? h->version : 0;
}

const char *cgroups__memcg_dir(struct cgroups *cg, uint64_t memcg_id, int *version)
{
	static char dir[PATH_MAX];
	struct hierarchy *h = memory_hierarchy(cg);
	const char *rel = hierarchy_lookup(h, memcg_id);

	if (!rel)
		return NULL;
	snprintf(dir, sizeof(dir), "%s%s", h->mnt, strcmp(rel, "/") ? rel : "");
	*version = h->version;
	return dir;
}

struct v1_mount {
	const char *path;
	char best[PATH_MAX]; /* the longest v1 mount point holding path */
	char opts[1024];     /* its options */
};

static int note_v1_mount(const struct mountinfo_entry *m, void *ctx)
{
	struct v1_mount *v = ctx;
	size_t n = strlen(m->mnt);

	if (!strcmp(m->fstype, "cgroup") && m->super[0] && !strncmp(v->path, m->mnt, n) &&
	    (v->path[n] == '/' || !v->path[n]) && n > strlen(v->best)) {
		snprintf(v->best, sizeof(v->best), "%s", m->mnt);
		snprintf(v->opts, sizeof(v->opts), "%s", m->super);
	}
	return 0;
}

/* The first controller of a v1 hierarchy that the kernel's enum cgroup_subsys_id knows. */
static int v1_controller_ssid(const char *path, char *why, size_t len)
{
	struct v1_mount v = { .path = path };
	struct btf *btf = btf__load_vmlinux_btf();
	int ssid = -ENOENT;

	mountinfo__each(NULL, note_v1_mount, &v);
	for (char *tok = strtok(v.opts, ","); tok && ssid < 0 && !libbpf_get_error(btf);
	     tok = strtok(NULL, ",")) {
		const struct btf_type *t;
		char name[96];
		int id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);

		if (id < 0)
			break;
		t = btf__type_by_id(btf, id);
		/* blkio is the v1 name of the io controller */
		snprintf(name, sizeof(name), "%s_cgrp_id", strcmp(tok, "blkio") ? tok : "io");
		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off), name))
				ssid = btf_enum(t)[i].val;
	}
	if (!libbpf_get_error(btf))
		btf__free(btf);
	if (ssid < 0)
		snprintf(why, len, "--cgroup %s: this v1 hierarchy has no controller to follow "
				   "(use a controller's hierarchy, e.g. /sys/fs/cgroup/memory/...)", path);
	return ssid;
}

int cgroups__filter_target(const char *path, uint64_t *id, int *ssid, char *why, size_t len)
{
	char real[PATH_MAX];
	struct statfs sfs;
	struct stat st;

	if (!realpath(path, real) || stat(real, &st) || statfs(real, &sfs)) {
		int err = -errno;

		snprintf(why, len, "--cgroup %s: %s", path, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode) ||
	    (sfs.f_type != CGROUP2_SUPER_MAGIC && sfs.f_type != CGROUP_SUPER_MAGIC)) {
		snprintf(why, len, "--cgroup %s: not a cgroup directory (v1 or v2)", path);
		return -ENOTDIR;
	}
	*id = st.st_ino;
	*ssid = sfs.f_type == CGROUP2_SUPER_MAGIC ? -1 : v1_controller_ssid(real, why, len);
	return *ssid < -1 ? *ssid : 0;
}
