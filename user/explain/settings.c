// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "mountinfo.h"
#include "settings.h"

struct cgroup2_mount {
	const char *root;
	struct diag_settings *s;
};

static int note_cgroup2(const struct mountinfo_entry *m, void *ctx)
{
	struct cgroup2_mount *c = ctx;

	if (strcmp(m->fstype, "cgroup2"))
		return 0;
	snprintf(c->s->mount, sizeof(c->s->mount), "%s%s", c->root, m->mnt);
	c->s->version = 2;
	return 1;
}

/* The memory controller's hierarchy: cgroup v1's /sys/fs/cgroup/memory, else the first cgroup2
 * mount. */
static void find_memory_mount(struct diag_settings *s, const char *root)
{
	struct cgroup2_mount c = { root, s };
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/memory/memory.limit_in_bytes", root);
	if (!access(path, F_OK)) {
		snprintf(s->mount, sizeof(s->mount), "%s/sys/fs/cgroup/memory", root);
		s->version = 1;
		return;
	}
	snprintf(path, sizeof(path), "%s/proc/self/mountinfo", root);
	mountinfo__each(path, note_cgroup2, &c);
}

void settings__read(struct diag_settings *s, const char *root, const char *const *paths,
		    unsigned int n)
{
	char dir[PATH_MAX];

	if (!root)
		root = "";
	memset(s, 0, sizeof(*s));
	s->valid = true;
	sysinfo__read_root(root, &s->sys); /* what cannot be read stays -1 */
	find_memory_mount(s, root);
	s->nmemcgs = n < DIAG_MAX_MEMCGS ? n : DIAG_MAX_MEMCGS;
	for (unsigned int i = 0; i < s->nmemcgs; i++) {
		s->memcgs[i].path = paths[i];
		if (s->mount[0])
			memcg_info__read(settings__memcg_dir(s, paths[i], dir, sizeof(dir)),
					 s->version, &s->memcgs[i].now);
	}
}

const char *settings__memcg_dir(const struct diag_settings *s, const char *path, char *buf,
				size_t len)
{
	buf[0] = '\0';
	if (s->mount[0])
		snprintf(buf, len, "%s%s", s->mount, strcmp(path, "/") ? path : "");
	return buf;
}

const struct memcg_info *settings__memcg(const struct diag_settings *s, const char *path)
{
	const struct memcg_info *mi = NULL;

	/* the last of the same path: a crafted record may repeat one */
	for (unsigned int i = 0; s->valid && i < s->nmemcgs && i < DIAG_MAX_MEMCGS; i++)
		if (s->memcgs[i].path && !strcmp(s->memcgs[i].path, path))
			mi = &s->memcgs[i].now;
	return mi;
}
