/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake machine for the tests of what reads the system's state (sysinfo and memcg_info in
 * test_procinfo.c, the diagnosis's settings in test_diagnosis.c): a temporary directory `root`
 * standing for /, with the files of /proc and /sys a test writes under it. One per test program.
 */
#ifndef ALLOCFAIL_TESTS_FIXTURES_SYSTEM_H
#define ALLOCFAIL_TESTS_FIXTURES_SYSTEM_H

#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

static char root[64]; /* "/tmp/af_NAME.XXXXXX" */

/* A new, empty root: /tmp/af_NAME.XXXXXX. 0 or -1. */
static inline int make_root(const char *name)
{
	snprintf(root, sizeof(root), "/tmp/af_%s.XXXXXX", name);
	return mkdtemp(root) ? 0 : -1;
}

/* text written to root/rel, the directories on the way made. */
static inline void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* nftw() callback: removes what it is given (with FTW_DEPTH, a whole tree). */
static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int remove_root(void)
{
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The vm sysctls that sysinfo reads: the overcommit mode and ratio given, the others as a
 * kernel's defaults set them on a machine of a few GiB. */
static inline void put_vm_sysctls(int overcommit_memory, int overcommit_ratio)
{
	const struct {
		const char *name;
		int value;
	} vm[] = {
		{ "overcommit_memory", overcommit_memory },
		{ "overcommit_ratio", overcommit_ratio },
		{ "overcommit_kbytes", 0 },
		{ "admin_reserve_kbytes", 8192 },
		{ "user_reserve_kbytes", 131072 },
		{ "max_map_count", 65530 },
		{ "mmap_min_addr", 65536 },
	};
	char rel[128], text[32];

	for (size_t i = 0; i < sizeof(vm) / sizeof(vm[0]); i++) {
		snprintf(rel, sizeof(rel), "proc/sys/vm/%s", vm[i].name);
		snprintf(text, sizeof(text), "%d\n", vm[i].value);
		put(rel, text);
	}
}

/* The pool of huge pages of size_kb under /sys/kernel/mm/hugepages; a count below 0 leaves its
 * file out. */
static inline void put_hugepage_pool(unsigned int size_kb, int nr, int free, int resv,
				     int surplus, int nr_overcommit)
{
	const struct {
		const char *file;
		int value;
	} pool[] = {
		{ "nr_hugepages", nr },
		{ "free_hugepages", free },
		{ "resv_hugepages", resv },
		{ "surplus_hugepages", surplus },
		{ "nr_overcommit_hugepages", nr_overcommit },
	};
	char rel[128], text[32];

	for (size_t i = 0; i < sizeof(pool) / sizeof(pool[0]); i++) {
		if (pool[i].value < 0)
			continue;
		snprintf(rel, sizeof(rel), "sys/kernel/mm/hugepages/hugepages-%ukB/%s", size_kb,
			 pool[i].file);
		snprintf(text, sizeof(text), "%d\n", pool[i].value);
		put(rel, text);
	}
}

#endif
