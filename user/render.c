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

/* The level whose limit binds, from BPF's snapshot; null without one or when none has a limit */
static struct json_object *binding_json(const struct memcg_info *mi)
{
	struct json_object *o;

	if (!mi->at_failure || mi->bind_level < 0)
		return NULL;
	o = json_object_new_object();
	add(o, "level", json_object_new_int(mi->bind_level));
	add(o, "path", str_or_null(mi->bind_path));
	add(o, "limit_bytes", i64_known(mi->bind_limit_bytes));
	add(o, "usage_bytes", i64_known(mi->bind_usage_bytes));
	add(o, "counter", json_object_new_string(mi->bind_memsw ? "memsw" : "memory"));
	return o;
}

struct json_object *render__memcg_json(const struct memcg_info *mi)
{
	struct json_object *o;

	if (!mi || !mi->valid)
		return NULL;
	o = json_object_new_object();
	add(o, "version", json_object_new_int(mi->version));
	add(o, "limit_bytes", i64_known(mi->limit_bytes)); /* null: unlimited or unknown */
	add(o, "usage_bytes", i64_known(mi->usage_bytes));
	add(o, "failcnt", i64_known(mi->failcnt));
	add(o, "oom_events", i64_known(mi->oom_events));
	add(o, "oom_kill", i64_known(mi->oom_kill));
	add(o, "oom_kill_disable", i64_known(mi->oom_kill_disable));
	add(o, "at_failure", json_object_new_boolean(mi->at_failure));
	add(o, "binding", binding_json(mi));
	add(o, "memsw_read", json_object_new_boolean(mi->at_failure && mi->memsw_read));
	add(o, "levels_truncated", json_object_new_boolean(mi->at_failure && mi->truncated));
	return o;
}
