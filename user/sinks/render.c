// SPDX-License-Identifier: GPL-2.0
#include "cause.h"
#include "gfp.h"
#include "render.h"

void render__iso_time(const struct timespec *ts, char *buf, size_t len)
{
	time_t sec = ts->tv_sec;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", ts->tv_nsec / 1000);
}

const char *render__gfp_text(uint32_t gfp, char *buf, size_t len)
{
	gfp__format(gfp, buf, len);
	return buf;
}

/* "usage 1048576 of limit 2097152 bytes": the state of a memory cgroup, if read. */
void render__memcg_lines(FILE *out, const struct memcg_info *mi)
{
	if (!mi || !mi->valid)
		return;
	fprintf(out, "    memcg state (v%d): usage %" PRId64 " of limit ", mi->version,
		mi->usage_bytes);
	if (mi->limit_bytes < 0)
		fprintf(out, "unlimited");
	else
		fprintf(out, "%" PRId64 " bytes", mi->limit_bytes);
	fprintf(out, "%s, failcnt %" PRId64 ", oom_kill %" PRId64 "\n",
		mi->at_failure ? " at the failure" : " after the failure", mi->failcnt,
		mi->oom_kill);
	if (!mi->at_failure)
		return;
	if (mi->bind_level > 0) {
		fputs("    limited by ancestor ", out);
		escape__fputs(mi->bind_path ? mi->bind_path : "?", out);
		fprintf(out, " (%d up): usage %" PRId64 " of %slimit %" PRId64 " bytes\n",
			mi->bind_level, mi->bind_usage_bytes, mi->bind_memsw ? "memory+swap " : "",
			mi->bind_limit_bytes);
	} else if (mi->bind_level == 0 && mi->bind_memsw) {
		fprintf(out, "    limited by its memory+swap limit: usage %" PRId64 " of %" PRId64
			     " bytes\n",
			mi->bind_usage_bytes, mi->bind_limit_bytes);
	}
	if (mi->truncated)
		fputs("    " MEMCG_TRUNCATED_NOTE "\n", out);
}

struct json_object *render__gfp_json(uint32_t gfp)
{
	char buf[256];

	gfp__format(gfp, buf, sizeof(buf));
	return json_object_new_string(buf);
}

