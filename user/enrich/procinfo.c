// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "procinfo.h"

/* memory.limit_in_bytes prints PAGE_COUNTER_MAX pages (2^63 - 4096 on x86_64) for "no limit";
 * nobody sets a real limit this high. */
#define V1_UNLIMITED (1LL << 62)

#define HUGEPAGES_DIR "/sys/kernel/mm/hugepages"

int procinfo__parse_value(const char *text, int64_t *val)
{
	char *end;
	long long v;

	while (*text == ' ' || *text == '\t')
		text++;
	if (!strncmp(text, "max", 3) && (text[3] == '\0' || text[3] == '\n')) {
		*val = -1;
		return 0;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || errno || (*end != '\0' && *end != '\n' && *end != ' '))
		return -EINVAL;
	*val = v;
	return 0;
}

/* First line of root + path, parsed as a value (Y/N too, for boolean module parameters). */
static int read_value(const char *root, const char *path, int64_t *val)
{
	char name[PATH_MAX], line[64];
	FILE *f;
	int err;

	snprintf(name, sizeof(name), "%s%s", root, path);
	f = fopen(name, "re");
	if (!f)
		return -errno;
	err = fgets(line, sizeof(line), f) ? 0 : -EIO;
	fclose(f);
	if (err)
		return err;
	if ((line[0] == 'Y' || line[0] == 'N') && (line[1] == '\n' || line[1] == '\0')) {
		*val = line[0] == 'Y';
		return 0;
	}
	return procinfo__parse_value(line, val);
}

struct meminfo_field {
	const char *name;
	size_t off;
};

#define MI(name, field)                               \
	{                                             \
		name, offsetof(struct sysinfo, field) \
	}

static const struct meminfo_field meminfo_fields[] = {
	MI("MemTotal", mem_total_kb),	      MI("MemFree", mem_free_kb),
	MI("MemAvailable", mem_available_kb), MI("SwapTotal", swap_total_kb),
	MI("SwapFree", swap_free_kb),	      MI("CommitLimit", commit_limit_kb),
	MI("Committed_AS", committed_as_kb),  MI("HugePages_Total", hugepages_total),
	MI("HugePages_Free", hugepages_free), MI("HugePages_Rsvd", hugepages_rsvd),
	MI("Hugepagesize", hugepage_size_kb),
};

int sysinfo__parse_meminfo(FILE *f, struct sysinfo *si)
{
	char line[256], name[64];
	long long v;
	int found = 0;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", name, &v) != 2)
			continue;
		for (size_t i = 0; i < sizeof(meminfo_fields) / sizeof(meminfo_fields[0]); i++) {
			if (strcmp(name, meminfo_fields[i].name))
				continue;
			*(int64_t *)((char *)si + meminfo_fields[i].off) = v;
			found++;
			break;
		}
	}
	return found;
}

static int read_meminfo(const char *root, struct sysinfo *si)
{
	char name[PATH_MAX];
	FILE *f;

	snprintf(name, sizeof(name), "%s/proc/meminfo", root);
	f = fopen(name, "re");
	if (!f)
		return -errno;
	sysinfo__parse_meminfo(f, si);
	fclose(f);
	return 0;
}

struct sysctl_file {
	const char *path;
	size_t off;
	bool optional; /* absent on some kernels: not an error */
};

#define SYSCTL(name, field, opt)                           \
	{                                                  \
		name, offsetof(struct sysinfo, field), opt \
	}

static const struct sysctl_file sysctl_files[] = {
	SYSCTL("/proc/sys/vm/overcommit_memory", overcommit_memory, false),
	SYSCTL("/proc/sys/vm/overcommit_ratio", overcommit_ratio, false),
	SYSCTL("/proc/sys/vm/overcommit_kbytes", overcommit_kbytes, false),
	SYSCTL("/proc/sys/vm/admin_reserve_kbytes", admin_reserve_kbytes, false),
	SYSCTL("/proc/sys/vm/user_reserve_kbytes", user_reserve_kbytes, false),
	SYSCTL("/proc/sys/vm/max_map_count", max_map_count, false),
	SYSCTL("/proc/sys/vm/mmap_min_addr", mmap_min_addr, false),
	/* core_param(ignore_rlimit_data) in mm/mmap.c */
	SYSCTL("/sys/module/kernel/parameters/ignore_rlimit_data", ignore_rlimit_data, true),
};

static int read_sysctls(const char *root, struct sysinfo *si)
{
	int first_err = 0;

	for (size_t i = 0; i < sizeof(sysctl_files) / sizeof(sysctl_files[0]); i++) {
		int err = read_value(root, sysctl_files[i].path,
				     (int64_t *)((char *)si + sysctl_files[i].off));

		if (err && !first_err && !sysctl_files[i].optional)
			first_err = err;
	}
	return first_err;
}

static void read_hstate(const char *root, const char *dir, struct sysinfo_hstate *h)
{
	static const struct {
		const char *file;
		size_t off;
	} files[] = {
		{ "nr_hugepages", offsetof(struct sysinfo_hstate, total) },
		{ "free_hugepages", offsetof(struct sysinfo_hstate, free) },
		{ "resv_hugepages", offsetof(struct sysinfo_hstate, rsvd) },
		{ "surplus_hugepages", offsetof(struct sysinfo_hstate, surplus) },
		{ "nr_overcommit_hugepages", offsetof(struct sysinfo_hstate, overcommit) },
	};
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), HUGEPAGES_DIR "/%s/%s", dir, files[i].file);
		read_value(root, path, (int64_t *)((char *)h + files[i].off));
	}
}

/* Every pool, smallest size first so the order does not depend on readdir. */
static void read_hstates(const char *root, struct sysinfo *si)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s" HUGEPAGES_DIR, root);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && si->nhstates < SYSINFO_MAX_HSTATES) {
		struct sysinfo_hstate h = { -1, -1, -1, -1, -1, -1 };
		long long kb;
		unsigned int i;

		if (sscanf(de->d_name, "hugepages-%lldkB", &kb) != 1)
			continue;
		h.size_kb = kb;
		read_hstate(root, de->d_name, &h);
		for (i = si->nhstates; i > 0 && si->hstates[i - 1].size_kb > kb; i--)
			si->hstates[i] = si->hstates[i - 1];
		si->hstates[i] = h;
		si->nhstates++;
	}
	closedir(d);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void sysinfo__unknown(struct sysinfo *si)
{
	int64_t *v = (int64_t *)si;

	memset(si, 0, sizeof(*si));
	/* every int64_t up to nhstates is a value, -1 when unknown */
	for (size_t i = 0; i < offsetof(struct sysinfo, nhstates) / sizeof(int64_t); i++)
		v[i] = -1;
}

uint64_t sysinfo__huge_page_bytes(void)
{
	struct sysinfo si;

	sysinfo__unknown(&si);
	read_meminfo("", &si);
	return si.hugepage_size_kb > 0 ? (uint64_t)si.hugepage_size_kb * 1024 : 0;
}

int sysinfo__read_root(const char *root, struct sysinfo *si)
{
	long page;
	int err, err2;

	if (!root)
		root = "";
	sysinfo__unknown(si);
	page = sysconf(_SC_PAGESIZE);
	si->page_size = page > 0 ? page : -1;
	err = read_meminfo(root, si);
	err2 = read_sysctls(root, si);
	read_hstates(root, si);
	si->read_ns = mono_ns();
	return err ? err : err2;
}

int sysinfo__read(struct sysinfo *si)
{
	return sysinfo__read_root("", si);
}

static bool hstates_equal(const struct sysinfo *a, const struct sysinfo *b)
{
	if (a->nhstates != b->nhstates)
		return false;
	for (unsigned int i = 0; i < a->nhstates; i++) {
		const struct sysinfo_hstate *x = &a->hstates[i], *y = &b->hstates[i];

		if (x->size_kb != y->size_kb || x->total != y->total ||
		    x->overcommit != y->overcommit)
			return false;
	}
	return true;
}

bool sysinfo__settings_equal(const struct sysinfo *a, const struct sysinfo *b)
{
	return a->overcommit_memory == b->overcommit_memory &&
	       a->overcommit_ratio == b->overcommit_ratio &&
	       a->overcommit_kbytes == b->overcommit_kbytes &&
	       a->admin_reserve_kbytes == b->admin_reserve_kbytes &&
	       a->user_reserve_kbytes == b->user_reserve_kbytes &&
	       a->max_map_count == b->max_map_count && a->mmap_min_addr == b->mmap_min_addr &&
	       a->swap_total_kb == b->swap_total_kb && a->mem_total_kb == b->mem_total_kb &&
	       a->hugepages_total == b->hugepages_total &&
	       a->ignore_rlimit_data == b->ignore_rlimit_data && hstates_equal(a, b);
}

int sysinfo__refresh(struct sysinfo *si, int64_t now_ns)
{
	struct sysinfo old = *si;
	int err;

	if (!now_ns)
		now_ns = mono_ns();
	if (old.read_ns && now_ns - old.read_ns < SYSINFO_REFRESH_MS * 1000000LL)
		return 0;
	err = sysinfo__read(si);
	if (err && si->mem_total_kb < 0 && si->max_map_count < 0)
		return err;
	return !old.read_ns || !sysinfo__settings_equal(&old, si);
}

/* "key value" lines: the named keys into the int64_t fields at the given offsets. */
struct kv_field {
	const char *key;
	size_t off;
};

static int parse_kv(FILE *f, const struct kv_field *fields, size_t n, struct memcg_info *mi)
{
	char line[128], key[64];
	long long v;
	int found = 0;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", key, &v) != 2)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(key, fields[i].key)) {
				*(int64_t *)((char *)mi + fields[i].off) = v;
				found++;
			}
		}
	}
	return found;
}

int memcg_info__parse_oom_control(FILE *f, struct memcg_info *mi)
{
	static const struct kv_field fields[] = {
		{ "oom_kill_disable", offsetof(struct memcg_info, oom_kill_disable) },
		{ "under_oom", offsetof(struct memcg_info, oom_events) },
		{ "oom_kill", offsetof(struct memcg_info, oom_kill) },
	};

	return parse_kv(f, fields, sizeof(fields) / sizeof(fields[0]), mi);
}

int memcg_info__parse_events(FILE *f, struct memcg_info *mi)
{
	static const struct kv_field fields[] = {
		{ "max", offsetof(struct memcg_info, failcnt) },
		{ "oom", offsetof(struct memcg_info, oom_events) },
		{ "oom_kill", offsetof(struct memcg_info, oom_kill) },
	};

	return parse_kv(f, fields, sizeof(fields) / sizeof(fields[0]), mi);
}

static int read_kv_file(const char *dir, const char *file, struct memcg_info *mi,
			int (*parse)(FILE *, struct memcg_info *))
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	parse(f, mi);
	fclose(f);
	return 0;
}

/* The limit, the usage and the failure count files of one version. */
struct memcg_files {
	const char *limit, *usage, *failcnt, *events;
	int (*parse_events)(FILE *, struct memcg_info *);
};

static const struct memcg_files memcg_v1 = {
	"/memory.limit_in_bytes", "/memory.usage_in_bytes",	 "/memory.failcnt",
	"memory.oom_control",	  memcg_info__parse_oom_control,
};

static const struct memcg_files memcg_v2 = {
	"/memory.max", "/memory.current", NULL, "memory.events", memcg_info__parse_events,
};

int memcg_info__read(const char *cgroup_dir, int version, struct memcg_info *mi)
{
	const struct memcg_files *fs = version == 1 ? &memcg_v1 : &memcg_v2;
	int err;

	memset(mi, 0, sizeof(*mi));
	mi->version = version;
	if (!cgroup_dir || (version != 1 && version != 2))
		return -EINVAL;
	mi->failcnt = mi->oom_events = mi->oom_kill = -1;
	mi->oom_kill_disable = version == 1 ? -1 : 0;
	err = read_value(cgroup_dir, fs->limit, &mi->limit_bytes);
	if (!err)
		err = read_value(cgroup_dir, fs->usage, &mi->usage_bytes);
	if (err) {
		memset(mi, 0, sizeof(*mi));
		mi->version = version;
		return err;
	}
	if (version == 1 && mi->limit_bytes >= V1_UNLIMITED)
		mi->limit_bytes = -1;
	if (fs->failcnt && read_value(cgroup_dir, fs->failcnt, &mi->failcnt))
		mi->failcnt = -1;
	read_kv_file(cgroup_dir, fs->events, mi, fs->parse_events);
	mi->valid = true;
	return 0;
}

static int64_t snap_bytes(uint64_t v)
{
	return v == AF_MEMCG_UNLIMITED || v > INT64_MAX ? -1 : (int64_t)v;
}

void memcg_info__at_failure(struct memcg_info *mi, const struct af_memcg_snap *s, int version,
			    const char *bind_path)
{
	if (!(s->flags & AF_MS_VALID))
		return;
	if (!mi->valid) {
		memset(mi, 0, sizeof(*mi));
		mi->version = version;
		mi->failcnt = mi->oom_events = mi->oom_kill = -1;
		mi->oom_kill_disable = version == 1 ? -1 : 0;
		mi->valid = true;
	}
	mi->at_failure = true;
	mi->limit_bytes = snap_bytes(s->limit);
	mi->usage_bytes = snap_bytes(s->usage);
	mi->bind_level = s->bind_id ? s->bind_level : -1;
	mi->bind_path = s->bind_id ? bind_path : NULL;
	mi->bind_limit_bytes = s->bind_id ? snap_bytes(s->bind_limit) : -1;
	mi->bind_usage_bytes = s->bind_id ? snap_bytes(s->bind_usage) : -1;
	mi->bind_memsw = s->bind_id && (s->flags & AF_MS_BIND_MEMSW);
	mi->memsw_read = s->flags & AF_MS_MEMSW;
	mi->truncated = s->flags & AF_MS_TRUNCATED;
}
