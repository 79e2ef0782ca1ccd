// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include "json_form.h"
#include "render.h"

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

struct json_object *json_form__memcg_state(const struct memcg_info *mi)
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

struct json_object *json_form__evidence(const struct cause *c)
{
	struct json_object *o = json_object_new_object();

	for (unsigned int i = 0; i < c->nevidence && i < CAUSE_MAX_EVIDENCE; i++) {
		const struct cause_kv *kv = &c->evidence[i];

		add(o, kv->key, kv->is_str ? json_object_new_string(kv->str) :
					     json_object_new_int64(kv->num));
	}
	return o;
}

int json_form__write_line(FILE *out, struct json_object *o)
{
	const char *s;
	int err = 0;

	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		err = -ENOMEM;
	else if (fputs(s, out) == EOF || fputc('\n', out) == EOF || fflush(out))
		err = -EIO;
	json_object_put(o);
	return err;
}
