/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/self/mountinfo, read line by line: the one parser of it (cgroups.c, settings.c). */
#ifndef ALLOCFAIL_MOUNTINFO_H
#define ALLOCFAIL_MOUNTINFO_H

/* One mount: "id parent maj:min root mountpoint options ... - fstype source superoptions". */
struct mountinfo_entry {
	const char *mnt;    /* the mount point, as written (octal escapes kept) */
	const char *fstype; /* "cgroup2", "cgroup", ... */
	const char *super;  /* the superblock's options, "" if the line has none */
};

/*
 * Calls fn on every mount of file (NULL: /proc/self/mountinfo), in order, until it returns
 * nonzero. Returns what fn returned, 0 after the last line, or -errno if file cannot be opened.
 * The entry's strings last until fn returns.
 */
int mountinfo__each(const char *file, int (*fn)(const struct mountinfo_entry *m, void *ctx),
		    void *ctx);

#endif
