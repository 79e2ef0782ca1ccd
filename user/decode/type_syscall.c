// SPDX-License-Identifier: GPL-2.0
/* syscall: a system call that failed with ENOMEM, or a brk that did not move
 * (bpf/syscall.bpf.c). */
#include "cause.h"
#include "event_type.h"
#include "render.h"
#include "syscalls.h"

/* bpf/syscall.bpf.c request_bytes() */
static uint64_t request_bytes(const struct event *ev)
{
	return ev->raw.sc->req_bytes;
}

static void site_payload(const struct af_site_key *k, const struct af_site_val *v,
			 union af_any_record *rec)
{
	(void)v;
	rec->sc.nr = k->nr;
	rec->sc.flags = k->flags;
	rec->sc.ret = -12; /* ENOMEM; a silent brk's break is not kept */
}

static void text_what(const struct event *ev, char *buf, size_t len)
{
	const struct af_syscall *sc = ev->raw.sc;
	enum sc_abi abi = syscall_table__abi(sc->flags);
	const char *err = syscall_table__errno_of(sc);

	snprintf(buf, len, "%s %s%s%s", syscall_table__describe(sc->nr, abi)->name,
		 err ? err : "(no error)", abi == SC_ABI_X86_64 ? "" : " ",
		 abi == SC_ABI_X86_64 ? "" : syscall_table__abi_name(abi));
}

static void text_detail(FILE *out, const struct event *ev)
{
	char line[1024];

	syscall_table__format_call(ev->raw.sc, line, sizeof(line));
	fprintf(out, "    %s\n", line);
}

static struct json_object *json(const struct event *ev)
{
	return syscall_table__call_json(ev->raw.sc);
}

static void json_count(struct json_object *o, const struct event *ev)
{
	add(o, "syscall", json_object_new_string(syscall_table__describe(
		ev->raw.sc->nr, syscall_table__abi(ev->raw.sc->flags))->name));
}

const struct event_type_desc type_syscall = {
	.name = "syscall",
	.size = sizeof(struct af_syscall),
	.request_bytes = request_bytes,
	.site_payload = site_payload,
	.text_what = text_what,
	.text_detail = text_detail,
	.json = json,
	.json_count = json_count,
	.explain = cause__explain_syscall,
};
