// SPDX-License-Identifier: GPL-2.0
/*
 * The diagnosis sink: synthetic events with causes and stacks go in, the JSON line is parsed
 * back and checked field by field, the text block line by line. The settings come from a fake
 * /proc and /sys tree under a temporary root (cgroup v1 and, in one test, a cgroup2 mount).
 */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "tests/unit/fixtures_events.h"
#include "tests/unit/fixtures_system.h"
#include "cause.h"
#include "common.h"
#include "diagnosis.h"

struct fixture {
	struct event ev; /* large: on the heap */
	char names[2 * AF_MAX_STACK][64]; /* frame names, overwritten for every event */
	char *buf;
	size_t len;
	FILE *out;
	struct sink *sink;
};

/* ---- the fake system ---- */

static void put_system(void)
{
	put("proc/meminfo", "MemTotal:        8388608 kB\n"
			    "MemFree:         4194304 kB\n"
			    "MemAvailable:    6291456 kB\n"
			    "SwapTotal:       2097152 kB\n"
			    "SwapFree:        1048576 kB\n"
			    "CommitLimit:     6291456 kB\n"
			    "Committed_AS:    3145728 kB\n"
			    "HugePages_Total:       4\n"
			    "HugePages_Free:        1\n"
			    "HugePages_Rsvd:        0\n"
			    "Hugepagesize:       2048 kB\n");
	put_vm_sysctls(0, 50);
	put_hugepage_pool(2048, 4, 1, 0, 0, 0);
	/* cgroup v1: the memory hierarchy's root and /app at 32 MiB */
	put("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	put("sys/fs/cgroup/memory/memory.usage_in_bytes", "1073741824\n");
	put("sys/fs/cgroup/memory/app/memory.limit_in_bytes", "33554432\n");
	put("sys/fs/cgroup/memory/app/memory.usage_in_bytes", "33488896\n");
	put("sys/fs/cgroup/memory/app/memory.failcnt", "17\n");
	put("sys/fs/cgroup/memory/app/memory.oom_control",
	    "oom_kill_disable 1\nunder_oom 0\noom_kill 0\n");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(make_root("diagnosis"), 0);
	put_system();
	f->out = open_memstream(&f->buf, &f->len);
	assert_non_null(f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sink__free(f->sink);
	if (f->out)
		fclose(f->out);
	free(f->buf);
	free(f);
	return remove_root();
}

/* ---- building events ---- */

/*
 * Frames from "a,b,c" (innermost first) into st; "@/lib/x.so" is a frame without a symbol in
 * that object, "??" one with neither. The names live in f->names, overwritten by the next
 * event: the sink must keep its own copies.
 */
static void set_stack(struct fixture *f, struct stack *st, const char *spec, unsigned int base)
{
	char copy[512], *save = NULL;

	memset(st, 0, sizeof(*st));
	if (!spec)
		return;
	snprintf(copy, sizeof(copy), "%s", spec);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct frame *fr = &st->frames[st->n];
		char *name = f->names[base + st->n];

		snprintf(name, sizeof(f->names[0]), "%s", tok[0] == '@' ? tok + 1 : tok);
		fr->addr = 0x1000 + st->n;
		if (tok[0] == '@')
			fr->obj = name;
		else if (strcmp(tok, "??"))
			fr->sym = name;
		st->n++;
	}
}

static void send(struct fixture *f, uint32_t pid, const char *comm, const char *cgroup,
		 const struct cause *c, const char *ustack, const char *kstack)
{
	struct event *ev = &f->ev;

	memset(ev, 0, sizeof(*ev));
	ev->type = AF_EV_SYSCALL;
	ev->pid = ev->tid = pid;
	snprintf(ev->comm, sizeof(ev->comm), "%s", comm);
	ev->cgroup = cgroup;
	ev->count = 1;
	ev->cause = c;
	set_stack(f, &ev->ustack, ustack, 0);
	set_stack(f, &ev->kstack, kstack, AF_MAX_STACK);
	assert_int_equal(sink__event(f->sink, ev), 0);
	memset(f->names, 'X', sizeof(f->names)); /* what the sink borrowed is gone */
}

/* The end of a session: the settings read once (under the fake root), then the sink's end. */
static const char *finish(struct fixture *f, uint64_t lost)
{
	struct summary sum = { .lost = lost };
	struct diag_settings *settings = calloc(1, sizeof(*settings));

	assert_non_null(settings);
	sink_diagnosis__read_settings(f->sink, root, settings);
	assert_int_equal(sink__end(f->sink, &sum, settings), 0);
	free(settings);
	fflush(f->out);
	return f->buf;
}

static struct json_object *finish_json(struct fixture *f, uint64_t lost)
{
	const char *out = finish(f, lost);
	struct json_object *o;

	/* exactly one line */
	assert_non_null(strchr(out, '\n'));
	assert_ptr_equal(strchr(out, '\n') + 1, out + strlen(out));
	o = json_tokener_parse(out);
	assert_non_null(o);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v)) {
		print_error("no field %s in %s\n", key, json_object_to_json_string(o));
		fail();
	}
	return v;
}

static int64_t get_int(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static struct json_object *at(struct json_object *a, size_t i)
{
	assert_true(json_object_is_type(a, json_type_array));
	assert_true(i < json_object_array_length(a));
	return json_object_array_get_idx(a, i);
}

static size_t len(struct json_object *a)
{
	assert_true(json_object_is_type(a, json_type_array));
	return json_object_array_length(a);
}

/* Three rlimit_as, two without a verdict, one max_map_count: 6 events in /app and /. */
static void send_mix(struct fixture *f)
{
	static struct cause as1, as2, mc;

	set_cause(&as1, "rlimit_as", "first as", "old advice");
	kv_str(&as1, "syscall", "mmap");
	kv_num(&as1, "request_bytes", 536870912);
	kv_num(&as1, "total_vm_bytes", 2400256);
	kv_num(&as1, "rlimit_as_cur", 268435456);
	kv_num(&as1, "rlimit_as_max", 268435456);
	as2 = as1;
	snprintf(as2.summary, sizeof(as2.summary), "latest as");
	snprintf(as2.advice, sizeof(as2.advice), "latest advice");
	as2.evidence[1].num = 1048576; /* a smaller request: the largest need stays */
	set_cause(&mc, "max_map_count", "too many maps", "raise it");
	kv_num(&mc, "map_count", 65531);
	kv_num(&mc, "max_map_count", 65530);

	send(f, 100, "big", "/app", &as1, "do_big_map,main,@/usr/lib/libc.so.6", "k1,k2,k3,k4");
	send(f, 101, "big2", "/app", &as1, "do_big_map,main,@/usr/lib/libc.so.6", "k1,k2,k3,k5");
	send(f, 101, "big2", "/app", &as2, "other_map,main", "k1");
	send(f, 200, "noverdict", "/", NULL, "??", NULL);
	send(f, 200, "noverdict", "/", NULL, "??", NULL);
	send(f, 300, "mapper", "/app", &mc, "map_page,fill,main", "k1");
}

/* ---- tests ---- */

static void test_empty_text(void **state)
{
	struct fixture *f = *state;

	f->sink = sink_diagnosis__new(f->out, false);
	assert_string_equal(finish(f, 0), "--- diagnosis ---\nno allocation failures seen\n");
}

static void test_empty_json(void **state)
{
	struct fixture *f = *state;

	f->sink = sink_diagnosis__new(f->out, true);
	assert_string_equal(finish(f, 0), "{\"type\":\"diagnosis\",\"causes\":[]}\n");
}

static void test_empty_lost(void **state)
{
	struct fixture *f = *state;
	struct json_object *o;

	f->sink = sink_diagnosis__new(f->out, true);
	o = finish_json(f, 5);
	assert_int_equal(len(get(o, "causes")), 0);
	assert_int_equal(get_int(o, "lost"), 5);
	json_object_put(o);
}

static void test_ranking_json(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *c, *st;

	f->sink = sink_diagnosis__new(f->out, true);
	send_mix(f);
	o = finish_json(f, 2);
	assert_string_equal(get_str(o, "type"), "diagnosis");
	assert_int_equal(get_int(o, "events"), 6);
	assert_int_equal(get_int(o, "lost"), 2);
	assert_int_equal(get_int(o, "causes_other"), 0);
	assert_int_equal(len(get(o, "causes")), 3);

	c = at(get(o, "causes"), 0);
	assert_string_equal(get_str(c, "code"), "rlimit_as");
	assert_int_equal(get_int(c, "count"), 3);
	assert_true(json_object_is_type(get(c, "share"), json_type_double));
	assert_true(json_object_get_double(get(c, "share")) == 0.5);
	assert_string_equal(get_str(c, "summary"), "latest as");
	assert_string_equal(get_str(c, "advice"), "latest advice");
	/* the largest need, 2400256 + 512 MiB, in KiB */
	assert_non_null(strstr(get_str(c, "fix"), "ulimit -v 526632 before starting big2"));
	assert_non_null(strstr(get_str(c, "fix"), "the hard limit (256.0 MiB) must go up first"));
	assert_int_equal(get_int(get(c, "evidence"), "request_bytes"), 1048576);
	assert_string_equal(get_str(get(c, "evidence"), "syscall"), "mmap");
	/* processes by count */
	assert_int_equal(len(get(c, "processes")), 2);
	assert_int_equal(get_int(at(get(c, "processes"), 0), "pid"), 101);
	assert_string_equal(get_str(at(get(c, "processes"), 0), "comm"), "big2");
	assert_int_equal(get_int(at(get(c, "processes"), 0), "count"), 2);
	assert_int_equal(get_int(at(get(c, "processes"), 1), "pid"), 100);
	assert_string_equal(get_str(at(get(c, "cgroups"), 0), "path"), "/app");
	assert_int_equal(get_int(at(get(c, "cgroups"), 0), "count"), 3);
	/* k4 / k5 are beyond the 3 innermost kernel frames: one stack of 2 */
	assert_int_equal(len(get(c, "stacks")), 2);
	st = at(get(c, "stacks"), 0);
	assert_int_equal(get_int(st, "count"), 2);
	assert_int_equal(len(get(st, "user")), 3);
	assert_string_equal(json_object_get_string(at(get(st, "user"), 0)), "do_big_map");
	assert_string_equal(json_object_get_string(at(get(st, "user"), 2)), "[libc.so.6]");
	assert_string_equal(json_object_get_string(at(get(st, "kernel"), 2)), "k3");
	assert_int_equal(len(get(st, "kernel")), 3);
	assert_false(json_object_get_boolean(get(st, "user_more")));
	assert_int_equal(get_int(c, "stacks_other"), 0);

	c = at(get(o, "causes"), 1);
	assert_string_equal(get_str(c, "code"), "unknown");
	assert_int_equal(get_int(c, "count"), 2);
	assert_true(json_object_is_type(get(c, "summary"), json_type_null));
	assert_true(json_object_is_type(get(c, "evidence"), json_type_null));
	assert_non_null(strstr(get_str(c, "fix"), "no rule explains these"));
	assert_string_equal(json_object_get_string(at(get(at(get(c, "stacks"), 0), "user"), 0)),
			    "??");

	c = at(get(o, "causes"), 2);
	assert_string_equal(get_str(c, "code"), "max_map_count");
	assert_non_null(strstr(get_str(c, "fix"), "sysctl -w vm.max_map_count=131060"));
	assert_non_null(strstr(get_str(c, "fix"), "a process had 65531 mappings"));
	json_object_put(o);
}

static void test_settings_json(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *s, *m;

	f->sink = sink_diagnosis__new(f->out, true);
	send_mix(f);
	o = finish_json(f, 0);
	s = get(o, "settings");
	assert_int_equal(get_int(s, "overcommit_memory"), 0);
	assert_int_equal(get_int(s, "overcommit_ratio"), 50);
	assert_int_equal(get_int(s, "commit_limit_kb"), 6291456);
	assert_int_equal(get_int(s, "committed_as_kb"), 3145728);
	assert_int_equal(get_int(s, "max_map_count"), 65530);
	assert_int_equal(get_int(s, "swap_total_kb"), 2097152);
	assert_int_equal(get_int(s, "swap_free_kb"), 1048576);
	assert_int_equal(len(get(s, "hugepages")), 1);
	assert_int_equal(get_int(at(get(s, "hugepages"), 0), "size_kb"), 2048);
	assert_int_equal(get_int(at(get(s, "hugepages"), 0), "total"), 4);
	/* memory cgroups in order of arrival: /app, / */
	assert_int_equal(len(get(o, "memcgs")), 2);
	m = at(get(o, "memcgs"), 0);
	assert_string_equal(get_str(m, "path"), "/app");
	assert_int_equal(get_int(m, "count"), 4);
	assert_non_null(strstr(get_str(m, "dir"), "/sys/fs/cgroup/memory/app"));
	assert_int_equal(get_int(get(m, "now"), "version"), 1);
	assert_int_equal(get_int(get(m, "now"), "limit_bytes"), 33554432);
	assert_int_equal(get_int(get(m, "now"), "usage_bytes"), 33488896);
	assert_int_equal(get_int(get(m, "now"), "failcnt"), 17);
	assert_true(json_object_is_type(get(m, "at_failure"), json_type_null));
	m = at(get(o, "memcgs"), 1);
	assert_string_equal(get_str(m, "path"), "/");
	assert_true(json_object_is_type(get(get(m, "now"), "limit_bytes"), json_type_null));
	json_object_put(o);
}

static void test_text(void **state)
{
	struct fixture *f = *state;
	const char *out;

	f->sink = sink_diagnosis__new(f->out, false);
	send_mix(f);
	out = finish(f, 0);
	assert_non_null(strstr(out, "--- diagnosis ---\n1. rlimit_as: 3 of 6 events (50.0%)\n"
				    "   why: latest as\n   advice: latest advice\n"
				    "   processes: 101 big2 (2), 100 big (1)\n"
				    "   cgroups: /app (3)\n"
				    "   stacks (innermost first):\n"
				    "          2  do_big_map < main < [libc.so.6]\n"
				    "             kernel: k1 < k2 < k3\n"
				    "          1  other_map < main\n"));
	assert_non_null(strstr(out, "\n2. unknown: 2 of 6 events (33.3%)\n"
				    "   processes: 200 noverdict (2)\n"));
	assert_non_null(strstr(out, "\n3. max_map_count: 1 of 6 events (16.7%)\n"));
	assert_non_null(strstr(out, "\nsettings now:\n  vm.overcommit_memory=0, "
				    "vm.overcommit_ratio=50, vm.overcommit_kbytes=0; "
				    "CommitLimit 6.0 GiB, Committed_AS 3.0 GiB\n"
				    "  vm.max_map_count=65530\n"
				    "  RAM 8.0 GiB; swap 2.0 GiB, 1.0 GiB free\n"
				    "  huge pages: 2048 kB: 4 (1 free, 0 reserved, 0 surplus)\n"));
	assert_non_null(strstr(out, "  memory cgroup /app: v1, usage 31.9 MiB of a 32.0 MiB limit, "
				    "failcnt 17, oom_kill 0\n"));
	assert_non_null(strstr(out, "\nchecklist:\n  [ ] rlimit_as: ulimit -v 526632 before "
				    "starting big2"));
	assert_non_null(strstr(out, "\n  [ ] unknown: no rule explains these"));
	assert_non_null(strstr(out, "\n  [ ] max_map_count: sysctl -w vm.max_map_count=131060"));
}

/* The checklist writes sizes as the causes' sentences do (common__human_bytes()): a request
 * just over 1 GiB is "1.01 GiB" in both, not "1.0 GiB" in the fix. */
static void test_sizes_as_causes(void **state)
{
	struct fixture *f = *state;
	char want[64];
	struct cause c;
	const char *out;

	set_cause(&c, "rlimit_as", "mmap of 1.01 GiB would raise the address space", "raise it");
	kv_str(&c, "syscall", "mmap");
	kv_num(&c, "request_bytes", 1084227584); /* 1.0098 GiB, page-aligned */
	kv_num(&c, "total_vm_bytes", 0);
	kv_num(&c, "rlimit_as_cur", 1 << 30);
	kv_num(&c, "rlimit_as_max", -1);
	f->sink = sink_diagnosis__new(f->out, false);
	send(f, 100, "big", "/app", &c, "main", NULL);
	out = finish(f, 0);
	snprintf(want, sizeof(want), "(RLIMIT_AS to %s)", HUMAN_BYTES(1084227584));
	assert_string_equal(want, "(RLIMIT_AS to 1.01 GiB)");
	assert_non_null(strstr(out, want));
	assert_string_equal(HUMAN_BYTES(0), "0 B");
	assert_string_equal(HUMAN_BYTES(1023), "1023 B");
	assert_string_equal(HUMAN_BYTES(1048575), "1.0 MiB"); /* not "1024.0 KiB" */
	assert_string_equal(HUMAN_BYTES(UINT64_MAX), "16.0 EiB");
}

/* Five distinct stacks with 1..5 failures: the top 3 shown, the other 3 failures counted. */
static void test_top_stacks(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *c;
	struct cause v;
	char spec[64];

	set_cause(&v, "mremap_in_place", "in place", "pass MREMAP_MAYMOVE");
	f->sink = sink_diagnosis__new(f->out, true);
	for (int s = 1; s <= 5; s++) {
		for (int i = 0; i < s; i++) {
			snprintf(spec, sizeof(spec), "grow%d,a,b,c,d,e,main", s);
			send(f, 10, "p", "/", &v, spec, "k");
		}
	}
	o = finish_json(f, 0);
	c = at(get(o, "causes"), 0);
	assert_int_equal(len(get(c, "stacks")), DIAG_TOP_STACKS);
	assert_int_equal(get_int(at(get(c, "stacks"), 0), "count"), 5);
	assert_string_equal(json_object_get_string(at(get(at(get(c, "stacks"), 0), "user"), 0)),
			    "grow5");
	assert_int_equal(get_int(at(get(c, "stacks"), 1), "count"), 4);
	assert_int_equal(get_int(at(get(c, "stacks"), 2), "count"), 3);
	assert_int_equal(get_int(c, "stacks_other"), 3);
	/* 7 frames: DIAG_USER_FRAMES shown, more flagged */
	assert_int_equal(len(get(at(get(c, "stacks"), 0), "user")), DIAG_USER_FRAMES);
	assert_true(json_object_get_boolean(get(at(get(c, "stacks"), 0), "user_more")));
	json_object_put(o);
}

/* Beyond every cap, the rest is counted as other. */
static void test_caps(void **state)
{
	struct fixture *f = *state;
	static struct cause v[CAUSE_NR_CODES];
	struct json_object *o, *c;
	char spec[32], cg[32];
	unsigned int n = DIAG_MAX_STACKS + 4;

	f->sink = sink_diagnosis__new(f->out, true);
	/* the first cause: many processes, cgroups and stacks, so it ranks first */
	set_cause(&v[0], "slab", "s", "a");
	for (unsigned int i = 0; i < n; i++) {
		snprintf(spec, sizeof(spec), "f%u", i);
		snprintf(cg, sizeof(cg), "/cg%u", i);
		send(f, 1000 + i, "p", cg, &v[0], spec, NULL);
	}
	/* every other code once: one row each, none left over */
	for (unsigned int i = 0, k = 1; i < CAUSE_NR_CODES; i++) {
		if (i == CAUSE_SLAB)
			continue;
		set_cause(&v[k], cause__code_name(i), "s", "a");
		send(f, 1, "q", "/", &v[k++], "x", NULL);
	}
	o = finish_json(f, 0);
	assert_int_equal(get_int(o, "events"), n + CAUSE_NR_CODES - 1);
	assert_int_equal(len(get(o, "causes")), CAUSE_NR_CODES);
	assert_int_equal(get_int(o, "causes_other"), 0);
	c = at(get(o, "causes"), 0);
	assert_string_equal(get_str(c, "code"), "slab");
	assert_int_equal(len(get(c, "processes")), DIAG_MAX_PROCS);
	assert_int_equal(get_int(c, "processes_other"), n - DIAG_MAX_PROCS);
	assert_int_equal(len(get(c, "cgroups")), DIAG_MAX_CGROUPS);
	assert_int_equal(get_int(c, "cgroups_other"), n - DIAG_MAX_CGROUPS);
	assert_int_equal(len(get(c, "stacks")), DIAG_TOP_STACKS);
	assert_int_equal(get_int(c, "stacks_other"), n - DIAG_TOP_STACKS);
	assert_int_equal(len(get(o, "memcgs")), DIAG_MAX_MEMCGS);
	/* /cg0../cg19 then "/" for the others: all but the first 16 are beyond */
	assert_int_equal(get_int(o, "memcgs_other"), n - DIAG_MAX_MEMCGS + CAUSE_NR_CODES - 1);
	json_object_put(o);
}

/* The checklist lines computed from evidence and the fake system's settings. */
static void test_fixes(void **state)
{
	struct fixture *f = *state;
	struct cause mc, hp, oc, ms, mh;
	struct json_object *o, *causes;
	static const char *const want[][2] = {
		/* 32 MiB limit, 31.9 MiB used + a 4 MiB charge: 36 MiB rounded up to a MiB */
		{ "memcg_limit", "echo 37748736 > " },
		/* 4 total, 1 free: 3 needed, 2 more */
		{ "hugetlb_pool", "echo 6 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages "
				  "(now 4 pages, 1 free, 0 reserved; 3 needed at once)" },
		{ "overcommit_strict", "vm.overcommit_memory is 0 now, not 2" },
		{ "rlimit_memlock", "ulimit -l 2048 before starting locker (RLIMIT_MEMLOCK to 2.0 "
				    "MiB); or LimitMEMLOCK=" },
		{ "mlock_holes", "/proc/77/maps (while locker runs)" },
	};

	set_cause(&mc, "memcg_limit", "full", "raise it");
	kv_str(&mc, "memcg", "/app");
	kv_num(&mc, "memcg_limit_bytes", 33554432);
	kv_num(&mc, "memcg_usage_bytes", 33488896);
	kv_num(&mc, "charge_bytes", 4194304);
	set_cause(&hp, "hugetlb_pool", "no pages", "reserve");
	kv_num(&hp, "huge_page_bytes", 2097152);
	kv_num(&hp, "huge_pages_needed", 3);
	set_cause(&oc, "overcommit_strict", "strict", "ratio");
	kv_num(&oc, "committed_as_bytes", 1 << 30);
	set_cause(&ms, "rlimit_memlock", "memlock", "ulimit");
	kv_num(&ms, "request_bytes", 1048576);
	kv_num(&ms, "locked_vm_bytes", 1048576);
	kv_num(&ms, "rlimit_memlock_max", -1);
	set_cause(&mh, "mlock_holes", "holes", "maps");
	f->sink = sink_diagnosis__new(f->out, true);
	send(f, 5, "app", "/app", &mc, "a", NULL);
	send(f, 6, "huge", "/", &hp, "b", NULL);
	send(f, 7, "strict", "/", &oc, "c", NULL);
	send(f, 77, "locker", "/", &ms, "d", NULL);
	send(f, 77, "locker", "/", &mh, "e", NULL);
	o = finish_json(f, 0);
	causes = get(o, "causes");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct json_object *c = at(causes, i);

		assert_string_equal(get_str(c, "code"), want[i][0]);
		if (!strstr(get_str(c, "fix"), want[i][1])) {
			print_error("%s: fix \"%s\" lacks \"%s\"\n", want[i][0], get_str(c, "fix"),
				    want[i][1]);
			fail();
		}
	}
	assert_non_null(strstr(get_str(at(causes, 0), "fix"),
			       "/sys/fs/cgroup/memory/app/memory.limit_in_bytes (32.0 MiB now"));
	json_object_put(o);
}

/* The event of svc in /app/svc (no limit of its own) failing with cause c and snapshot mi, fed
 * to a fresh diagnosis sink under the test's root. */
static void svc_event(struct fixture *f, struct cause *c, struct memcg_info *mi)
{
	struct event *ev = &f->ev;

	put("sys/fs/cgroup/memory/app/svc/memory.limit_in_bytes", "9223372036854771712\n");
	put("sys/fs/cgroup/memory/app/svc/memory.usage_in_bytes", "4096\n");
	f->sink = sink_diagnosis__new(f->out, true);
	memset(ev, 0, sizeof(*ev));
	ev->type = AF_EV_SYSCALL;
	ev->pid = ev->tid = 5;
	snprintf(ev->comm, sizeof(ev->comm), "svc");
	ev->cgroup = "/app/svc";
	ev->count = 1;
	ev->cause = c;
	ev->memcg_info = mi;
	assert_int_equal(sink__event(f->sink, ev), 0);
}

/* A child without a limit whose parent's limit bound at the failure (BPF's snapshot): the parent
 * is listed with its state then, and the checklist raises the parent's limit file. */
static void test_binding_ancestor(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *m, *b;
	struct memcg_info mi = {
		.valid = true, .version = 1, .limit_bytes = -1, .usage_bytes = 30 << 20,
		.failcnt = 0, .oom_events = 0, .oom_kill = 0, .oom_kill_disable = 1,
		.at_failure = true, .bind_level = 1, .bind_limit_bytes = 33554432,
		.bind_usage_bytes = 33554432,
	};
	struct cause c;

	set_cause(&c, "memcg_limit", "full", "raise it");
	kv_str(&c, "memcg", "/app");
	kv_num(&c, "memcg_limit_bytes", 33554432);
	kv_num(&c, "memcg_usage_bytes", 33554432);
	kv_num(&c, "charge_bytes", 1 << 20);
	snprintf(f->names[0], sizeof(f->names[0]), "/app");
	mi.bind_path = f->names[0]; /* borrowed: gone after the event */
	svc_event(f, &c, &mi);
	memset(f->names, 'X', sizeof(f->names));
	o = finish_json(f, 0);
	assert_int_equal(len(get(o, "memcgs")), 2);
	m = at(get(o, "memcgs"), 0);
	assert_string_equal(get_str(m, "path"), "/app/svc");
	assert_true(json_object_get_boolean(get(get(m, "at_failure"), "at_failure")));
	assert_int_equal(get_int(get(m, "at_failure"), "usage_bytes"), 30 << 20);
	b = get(get(m, "at_failure"), "binding");
	assert_int_equal(get_int(b, "level"), 1);
	assert_string_equal(get_str(b, "path"), "/app");
	assert_int_equal(get_int(b, "limit_bytes"), 33554432);
	m = at(get(o, "memcgs"), 1);
	assert_string_equal(get_str(m, "path"), "/app");
	assert_int_equal(get_int(m, "count"), 1);
	assert_int_equal(get_int(get(m, "at_failure"), "limit_bytes"), 33554432);
	assert_int_equal(get_int(get(m, "at_failure"), "usage_bytes"), 33554432);
	/* the events' form: its own limit, at level 0, is what bound */
	b = get(get(m, "at_failure"), "binding");
	assert_int_equal(get_int(b, "level"), 0);
	assert_string_equal(get_str(b, "counter"), "memory");
	assert_int_equal(get_int(get(m, "now"), "failcnt"), 17);
	/* 32 MiB + the 1 MiB charge */
	assert_non_null(strstr(get_str(at(get(o, "causes"), 0), "fix"), "echo 34603008 > "));
	assert_non_null(strstr(get_str(at(get(o, "causes"), 0), "fix"),
			       "/sys/fs/cgroup/memory/app/memory.limit_in_bytes (32.0 MiB now"));
	json_object_put(o);
}

/* v1: the parent's memory+swap limit bound, and the walk stopped 8 levels up: the parent is
 * listed with its memsw numbers, the checklist raises its memsw limit then its memory limit
 * and says that levels above were not read. */
static void test_binding_memsw_truncated(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *m, *b;
	struct memcg_info mi = {
		.valid = true, .version = 1, .limit_bytes = -1, .usage_bytes = 30 << 20,
		.failcnt = 0, .oom_events = 0, .oom_kill = 0, .oom_kill_disable = 1,
		.at_failure = true, .bind_level = 1, .bind_path = "/app",
		.bind_limit_bytes = 33554432, .bind_usage_bytes = 33554432, .bind_memsw = true,
		.memsw_read = true, .truncated = true,
	};
	struct cause c;
	const char *fix;

	set_cause(&c, "memcg_limit", "full", "raise it");
	kv_str(&c, "memcg", "/app");
	kv_num(&c, "memcg_limit_bytes", 33554432);
	kv_num(&c, "memcg_usage_bytes", 33554432);
	kv_num(&c, "memcg_memsw", 1);
	kv_num(&c, "memcg_levels_truncated", 1);
	kv_num(&c, "charge_bytes", 1 << 20);
	svc_event(f, &c, &mi);
	o = finish_json(f, 0);
	m = at(get(o, "memcgs"), 0);
	b = get(get(m, "at_failure"), "binding");
	assert_string_equal(get_str(b, "counter"), "memsw");
	assert_true(json_object_get_boolean(get(get(m, "at_failure"), "levels_truncated")));
	m = at(get(o, "memcgs"), 1);
	assert_string_equal(get_str(m, "path"), "/app");
	/* the ancestor's own element: its memsw limit is what bound */
	b = get(get(m, "at_failure"), "binding");
	assert_int_equal(get_int(b, "level"), 0);
	assert_string_equal(get_str(b, "counter"), "memsw");
	fix = get_str(at(get(o, "causes"), 0), "fix");
	/* the paths are under the test's root */
	if (!strstr(fix, "/sys/fs/cgroup/memory/app/memory.memsw.limit_in_bytes; "
			 "echo 34603008 > ") ||
	    !strstr(fix, "/sys/fs/cgroup/memory/app/memory.limit_in_bytes (the memory+swap limit "
			 "was 32.0 MiB at the failure)") ||
	    strncmp(fix, "echo 34603008 > ", 16) ||
	    !strstr(fix, "memory cgroup limits above 8 levels not read")) {
		print_error("fix \"%s\"\n", fix);
		fail();
	}
	json_object_put(o);
}

/* Without a v1 memory hierarchy the cgroup2 mount comes from mountinfo. */
static void test_cgroup2(void **state)
{
	struct fixture *f = *state;
	struct json_object *o, *m;
	struct cause v;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/memory", root);
	assert_int_equal(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	put("proc/self/mountinfo",
	    "25 1 0:23 / /sys rw,nosuid - sysfs sysfs rw\n"
	    "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
	put("sys/fs/cgroup/unified/svc/memory.max", "max\n");
	put("sys/fs/cgroup/unified/svc/memory.current", "4096\n");
	put("sys/fs/cgroup/unified/svc/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
	set_cause(&v, "oom_kill", "killed", "raise");
	kv_str(&v, "constraint", "global");
	f->sink = sink_diagnosis__new(f->out, true);
	send(f, 9, "svc", "/svc", &v, "main", NULL);
	o = finish_json(f, 0);
	m = at(get(o, "memcgs"), 0);
	assert_string_equal(get_str(m, "path"), "/svc");
	assert_non_null(strstr(get_str(m, "dir"), "/sys/fs/cgroup/unified/svc"));
	assert_int_equal(get_int(get(m, "now"), "version"), 2);
	assert_true(json_object_is_type(get(get(m, "now"), "limit_bytes"), json_type_null));
	assert_int_equal(get_int(get(m, "now"), "usage_bytes"), 4096);
	assert_int_equal(get_int(get(m, "now"), "oom_kill"), 1);
	assert_non_null(strstr(get_str(at(get(o, "causes"), 0), "fix"),
			       "add RAM or swap (8.0 GiB RAM; swap 2.0 GiB, 1.0 GiB free now)"));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranking_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizes_as_causes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_stacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding_ancestor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding_memsw_truncated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
