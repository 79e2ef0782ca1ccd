// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "mountinfo.h"

int mountinfo__each(const char *file, int (*fn)(const struct mountinfo_entry *m, void *ctx),
		    void *ctx)
{
	char line[4096], mnt[PATH_MAX], fstype[64], super[1024];
	FILE *f = fopen(file ? file : "/proc/self/mountinfo", "r");
	int ret = 0;

	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		/* the optional fields before " - " vary in number: the rest is found after it */
		const char *dash = strstr(line, " - ");
		struct mountinfo_entry m = { mnt, fstype, super };

		super[0] = '\0';
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, super) < 1)
			continue;
		ret = fn(&m, ctx);
	}
	fclose(f);
	return ret;
}
