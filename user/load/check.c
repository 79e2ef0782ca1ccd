// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <json-c/json.h>
#include "check.h"
#include "common.h"
#include "hooks.h"
#include "probe.h"
#include "session.h"

static json_object *choice_json(const struct hook_choice *c)
{
	const struct hook_source *src = c->src;
	json_object *o = json_object_new_object(), *rungs = json_object_new_array();

	json_object_object_add(o, "source", json_object_new_string(src->name));
	json_object_object_add(o, "what", json_object_new_string(src->what));
	json_object_object_add(o, "hook", c->chosen < 0 ? NULL :
		json_object_new_string(hook_kind__name(src->rungs[c->chosen].kind)));
	json_object_object_add(o, "target", c->chosen < 0 ? NULL :
		json_object_new_string(src->rungs[c->chosen].target));
	for (int r = 0; r < HOOK_MAX_RUNGS && src->rungs[r].prog; r++) {
		json_object *ro = json_object_new_object();

		json_object_object_add(ro, "hook",
				       json_object_new_string(hook_kind__name(src->rungs[r].kind)));
		json_object_object_add(ro, "target", json_object_new_string(src->rungs[r].target));
		json_object_object_add(ro, "usable", json_object_new_boolean(!c->err[r]));
		json_object_object_add(ro, "why", c->err[r] ? json_object_new_string(c->why[r]) :
							      NULL);
		json_object_array_add(rungs, ro);
	}
	json_object_object_add(o, "candidates", rungs);
	return o;
}

static void print_text(const struct hook_choice *c)
{
	const struct hook_source *src = c->src;

	if (c->chosen < 0)
		printf("%-10s UNAVAILABLE      %s\n", src->name, src->what);
	else
		printf("%-10s %-6s %-10s %s\n", src->name,
		       hook_kind__name(src->rungs[c->chosen].kind), "", src->what);
	for (int r = 0; r < HOOK_MAX_RUNGS && src->rungs[r].prog; r++)
		printf("    %s %-10s %-28s %s\n", r == c->chosen ? "*" : " ",
		       hook_kind__name(src->rungs[r].kind), src->rungs[r].target,
		       c->err[r] ? c->why[r] : "ok");
}

int check__run(bool json)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	struct hook_bans bans;
	struct utsname u;
	char why[256];
	int ok = 1;

	if (probe__environment(why, sizeof(why))) {
		elog("%s", why);
		return EXIT_USAGE;
	}
	uname(&u);
	memset(&bans, 0, sizeof(bans));
	/* the probes load two-instruction programs; the real ones may still be refused */
	if (session__learn_bans(&bans))
		ok = 0;
	if (!json)
		printf("kernel %s: hooks per failure source (* = used), best first\n", u.release);
	for (unsigned int i = 0; i < hook_nsources; i++) {
		struct hook_choice c;

		hooks__choose(&hook_sources[i], true, AF_HOOK_NONE, &bans, &c);
		ok &= c.chosen >= 0;
		if (json)
			json_object_array_add(arr, choice_json(&c));
		else
			print_text(&c);
	}
	if (json) {
		json_object_object_add(root, "kernel", json_object_new_string(u.release));
		json_object_object_add(root, "sources", arr);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		json_object_put(arr);
	}
	json_object_put(root);
	return ok ? 0 : 1;
}
