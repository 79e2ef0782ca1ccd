/* SPDX-License-Identifier: GPL-2.0 */
/* JSON forms more than one output writes: the events' lines (sink_json.c) and the diagnosis'
 * (diagnosis_json.c) show a memory cgroup's state and a verdict's evidence the same way. */
#ifndef ALLOCFAIL_JSON_FORM_H
#define ALLOCFAIL_JSON_FORM_H

#include <stdio.h>
#include <json-c/json.h>
#include "cause.h"

/* A memory cgroup's state (docs/events.md, "A memory cgroup's state"); NULL (null) if mi is NULL
 * or not valid. */
struct json_object *json_form__memcg_state(const struct memcg_info *mi);

/* A verdict's evidence: one key per item, a string or a number. */
struct json_object *json_form__evidence(const struct cause *c);

/* o as one line on out, flushed, then freed (NULL: -ENOMEM): 0, -ENOMEM or -EIO. A consumer
 * tailing the output sees every line as it is written. */
int json_form__write_line(FILE *out, struct json_object *o);

#endif
