// SPDX-License-Identifier: GPL-2.0
/*
 * The text and JSON Lines sinks: an event built here goes through each sink into memory; the
 * JSON line is parsed back and every field of the contract (docs/events.md) checked with its
 * type, the text output line by line.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "tests/unit/fixtures_events.h"
#include "cause.h"
#include "frag.h"
#include "sink.h"

struct fixture {
	struct af_syscall sc;
	struct cause cause;
	struct event ev;
	char *buf;
	size_t len;
	FILE *out;
};

/* A failed mmap of 1 TiB by pid 1234, with stacks and a cause. */
static int setup(void **state)
{
	static const uint64_t args[6] = FIXTURE_MMAP_1T_ARGS;
	struct fixture *f = calloc(1, sizeof(*f));
	struct event *ev = &f->ev;

	assert_non_null(f);
	f->sc.h.type = AF_EV_SYSCALL;
	f->sc.nr = 9;
	f->sc.ret = -ENOMEM;
	memcpy(f->sc.args, args, sizeof(args));
	set_cause(&f->cause, "rlimit_as", "the address space would exceed RLIMIT_AS",
		  "raise RLIMIT_AS (ulimit -v)");
	kv_num(&f->cause, "rlim_as_cur", 1 << 30);
	kv_str(&f->cause, "limit_name", "RLIMIT_AS");
	ev->type = AF_EV_SYSCALL;
	ev->ts_ns = 123456789012ULL;
	ev->wall = (struct timespec){ FIXTURE_WALL_SEC, FIXTURE_WALL_NSEC };
	ev->pid = 1234;
	ev->tid = 1235;
	ev->uid = 1000;
	strcpy(ev->comm, "testprog");
	ev->cgroup_id = 4242;
	ev->cgroup = "/foo";
	ev->count = 1;
	ev->bytes = 1ULL << 40;
	ev->id = 7;
	ev->raw.sc = &f->sc;
	ev->cause = &f->cause;
	fixture__mmap_stacks(ev, "do_mmap", 0x1c7, "/path/prog", 0);
	ev->ustack.truncated = true;
	f->out = open_memstream(&f->buf, &f->len);
	assert_non_null(f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->out)
		fclose(f->out);
	free(f->buf);
	free(f);
	return 0;
}

/* Runs the event through a new sink of the kind, optionally the summary; returns the output. */
static const char *run_sink(struct fixture *f, struct sink *(*mk)(FILE *),
			    const struct summary *sum)
{
	struct sink *s = mk(f->out);

	assert_non_null(s);
	assert_ptr_equal(s->out, f->out);
	assert_int_equal(sink__event(s, &f->ev), 0);
	if (sum)
		assert_int_equal(sink__end(s, sum, NULL), 0);
	sink__free(s);
	assert_int_equal(fflush(f->out), 0);
	return f->buf;
}

static void fill_summary(struct summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->events = 6;
	sum->by_type[AF_EV_SYSCALL] = 4;
	sum->by_type[AF_EV_PAGE_ALLOC] = 2;
	sum->lost = 5;
	sum->lost_by_type[AF_EV_SYSCALL] = 5;
	sum->duration_ns = 2500000000ULL;
	sum->nprocs = 2;
	sum->procs[0] = (typeof(sum->procs[0])){ .pid = 1234, .comm = "testprog", .events = 1 };
	sum->procs[1] = (typeof(sum->procs[0])){ .pid = 99, .comm = "hog", .events = 5 };
}

/* ---- JSON ---- */

static struct json_object *get(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	if (!json_object_is_type(v, type))
		fail_msg("\"%s\" is %s, expected %s", key,
			 json_type_to_name(json_object_get_type(v)), json_type_to_name(type));
	return v;
}

static const char *get_str(struct json_object *o, const char *key)
{
	return json_object_get_string(get(o, key, json_type_string));
}

static int64_t get_int(struct json_object *o, const char *key)
{
	return json_object_get_int64(get(o, key, json_type_int));
}

/* Parses line n (from 0) of the output, which must be one complete JSON object. */
static struct json_object *parse_line(const char *buf, int n)
{
	const char *start = buf, *end;
	struct json_object *o;
	char *line;

	for (int i = 0; i < n; i++) {
		start = strchr(start, '\n');
		assert_non_null(start);
		start++;
	}
	end = strchr(start, '\n');
	assert_non_null(end);
	line = strndup(start, end - start);
	o = json_tokener_parse(line);
	if (!o)
		fail_msg("line %d is not JSON: %s", n, line);
	free(line);
	assert_true(json_object_is_type(o, json_type_object));
	return o;
}

static int count_lines(const char *buf)
{
	int n = 0;

	for (; *buf; buf++)
		n += *buf == '\n';
	return n;
}

static void check_frame(struct json_object *fr, const char *addr, const char *sym, int64_t off,
			const char *obj)
{
	assert_string_equal(get_str(fr, "addr"), addr);
	if (sym) {
		assert_string_equal(get_str(fr, "sym"), sym);
		assert_int_equal(get_int(fr, "off"), off);
	} else {
		get(fr, "sym", json_type_null);
		get(fr, "off", json_type_null);
	}
	if (obj)
		assert_string_equal(get_str(fr, "obj"), obj);
	else
		get(fr, "obj", json_type_null);
}

static void check_stacks(struct json_object *o)
{
	struct json_object *k = get(o, "kstack", json_type_array);
	struct json_object *u = get(o, "ustack", json_type_array);
	struct json_object *fr, *t;

	assert_int_equal(json_object_array_length(k), 2);
	fr = json_object_array_get_idx(k, 0);
	check_frame(fr, "0xffffffff81234567", "do_mmap", 0x1c7, "[kernel]");
	get(fr, "file", json_type_null);
	get(fr, "line", json_type_null);
	assert_false(json_object_object_get_ex(fr, "inlined", NULL));
	assert_int_equal(json_object_array_length(u), 4);
	fr = json_object_array_get_idx(u, 1);
	check_frame(fr, "0x555500001234", "grab", 0, "/path/prog");
	assert_true(json_object_get_boolean(get(fr, "inlined", json_type_boolean)));
	fr = json_object_array_get_idx(u, 2);
	check_frame(fr, "0x555500001234", "fail_here", 0x20, "/path/prog");
	assert_string_equal(get_str(fr, "file"), "prog.c");
	assert_int_equal(get_int(fr, "line"), 42);
	check_frame(json_object_array_get_idx(u, 3), "0x555500009999", NULL, 0, NULL);
	t = get(o, "stack_truncated", json_type_object);
	assert_false(json_object_get_boolean(get(t, "kernel", json_type_boolean)));
	assert_true(json_object_get_boolean(get(t, "user", json_type_boolean)));
}

static void check_cause(struct json_object *o)
{
	struct json_object *c = get(o, "cause", json_type_object);
	struct json_object *e = get(c, "evidence", json_type_object);

	assert_string_equal(get_str(c, "code"), "rlimit_as");
	assert_string_equal(get_str(c, "summary"), "the address space would exceed RLIMIT_AS");
	assert_string_equal(get_str(c, "advice"), "raise RLIMIT_AS (ulimit -v)");
	assert_int_equal(get_int(e, "rlim_as_cur"), 1 << 30);
	assert_string_equal(get_str(e, "limit_name"), "RLIMIT_AS");
}

static void check_syscall(struct json_object *o)
{
	struct json_object *sc = get(o, "syscall", json_type_object);
	struct json_object *a = get(sc, "args", json_type_object);

	assert_string_equal(get_str(sc, "name"), "mmap");
	assert_int_equal(get_int(sc, "nr"), 9);
	assert_string_equal(get_str(sc, "abi"), "x86_64");
	assert_int_equal(get_int(sc, "ret"), -ENOMEM);
	assert_string_equal(get_str(sc, "errno"), "ENOMEM");
	assert_false(json_object_get_boolean(get(sc, "silent", json_type_boolean)));
	assert_int_equal(json_object_object_length(a), 6);
	assert_string_equal(get_str(a, "addr"), "0x0");
	assert_int_equal(get_int(a, "length"), 1LL << 40);
	assert_string_equal(get_str(a, "prot"), "PROT_READ|PROT_WRITE");
	assert_string_equal(get_str(a, "flags"), "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_int_equal(get_int(a, "fd"), -1);
	assert_int_equal(get_int(a, "offset"), 0);
}

static void test_json_event(void **state)
{
	struct fixture *f = *state;
	struct json_object *o;
	const char *out = run_sink(f, sink_json__new, NULL);

	assert_int_equal(count_lines(out), 1);
	o = parse_line(out, 0);
	assert_string_equal(get_str(o, "type"), "syscall");
	assert_int_equal(get_int(o, "ts_ns"), 123456789012LL);
	assert_string_equal(get_str(o, "time"), "2026-11-22T12:34:56.789012Z");
	assert_int_equal(get_int(o, "pid"), 1234);
	assert_int_equal(get_int(o, "tid"), 1235);
	assert_string_equal(get_str(o, "comm"), "testprog");
	assert_int_equal(get_int(o, "uid"), 1000);
	assert_string_equal(get_str(o, "cgroup"), "/foo");
	assert_int_equal(get_int(o, "cgroup_id"), 4242);
	assert_int_equal(get_int(o, "count"), 1);
	assert_int_equal(get_int(o, "id"), 7);
	get(o, "chain_id", json_type_null);
	get(o, "caused_by", json_type_null);
	get(o, "cause_site", json_type_null);
	assert_int_equal(get_int(o, "bytes"), 1LL << 40);
	check_syscall(o);
	check_stacks(o);
	check_cause(o);
	json_object_put(o);
}

static void test_json_nulls_and_silent_brk(void **state)
{
	static const uint64_t args[6] = { 0x555556000000ULL };
	struct fixture *f = *state;
	struct json_object *o, *sc;

	memcpy(f->sc.args, args, sizeof(args));
	f->sc.nr = 12;
	f->sc.ret = 0x555555000000LL;
	f->sc.flags = AF_SC_BRK_SILENT;
	f->ev.cause = NULL;
	f->ev.cgroup = NULL;
	f->ev.chain_id = 3;
	f->ev.caused_by = 2;
	f->ev.kstack.n = 0;
	f->ev.kstack.truncated = true;
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	get(o, "cause", json_type_null);
	get(o, "cgroup", json_type_null);
	assert_int_equal(get_int(o, "chain_id"), 3);
	assert_int_equal(get_int(o, "caused_by"), 2);
	assert_int_equal(json_object_array_length(get(o, "kstack", json_type_array)), 0);
	sc = get(o, "syscall", json_type_object);
	assert_string_equal(get_str(sc, "name"), "brk");
	assert_int_equal(get_int(sc, "ret"), 0x555555000000LL);
	assert_string_equal(get_str(sc, "errno"), "ENOMEM");
	assert_true(json_object_get_boolean(get(sc, "silent", json_type_boolean)));
	assert_string_equal(get_str(get(sc, "args", json_type_object), "addr"), "0x555556000000");
	json_object_put(o);
}

static void test_json_summary(void **state)
{
	struct fixture *f = *state;
	struct summary sum;
	struct json_object *o, *p;
	const char *out;

	fill_summary(&sum);
	out = run_sink(f, sink_json__new, &sum);
	assert_int_equal(count_lines(out), 2);
	o = parse_line(out, 1);
	assert_string_equal(get_str(o, "type"), "summary");
	assert_int_equal(get_int(o, "events"), 6);
	assert_int_equal(get_int(o, "lost"), 5);
	assert_int_equal(get_int(get(o, "lost_by_type", json_type_object), "syscall"), 5);
	assert_int_equal(get_int(get(o, "lost_by_type", json_type_object), "slab"), 0);
	assert_int_equal(get_int(get(o, "by_type", json_type_object), "syscall"), 4);
	assert_int_equal(get_int(get(o, "by_type", json_type_object), "page_alloc"), 2);
	assert_int_equal(get_int(get(o, "by_type", json_type_object), "memcg_charge"), 0);
	assert_float_equal(json_object_get_double(get(o, "duration_s", json_type_double)), 2.5,
			   1e-9);
	p = get(o, "processes", json_type_array);
	assert_int_equal(json_object_array_length(p), 2);
	p = json_object_array_get_idx(p, 1);
	assert_int_equal(get_int(p, "pid"), 99);
	assert_string_equal(get_str(p, "comm"), "hog");
	assert_int_equal(get_int(p, "events"), 5);
	json_object_put(o);
}

/* A page_alloc event: its payload sits under "page_alloc", the common fields stay. */
static void test_json_page_alloc(void **state)
{
	struct fixture *f = *state;
	struct af_page_alloc pa = { .order = 3, .gfp = 0, .node = 0, .migratetype = 0 };
	struct json_object *o, *p;

	f->ev.type = AF_EV_PAGE_ALLOC;
	f->ev.raw.pa = &pa;
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	assert_string_equal(get_str(o, "type"), "page_alloc");
	assert_false(json_object_object_get_ex(o, "syscall", NULL));
	p = get(o, "page_alloc", json_type_object);
	assert_int_equal(get_int(p, "order"), 3);
	get(p, "gfp", json_type_string);
	get(p, "frag", json_type_null);
	get(o, "kstack", json_type_array);
	json_object_put(o);
}

/* With the zone seen at the failure: issue 3's `frag` object, numbers passed through. */
static void test_json_page_alloc_frag(void **state)
{
	struct fixture *f = *state;
	struct af_page_alloc pa = { .order = 10, .flags = AF_PA_RECLAIM_SEEN | AF_PA_COMPACT_SEEN,
				    .nr_reclaimed = 7, .compact_result = 2, .compact_retries = 1 };
	struct frag_info fi = { .present = true, .snapshot = "at_failure", .zone = "Normal",
				.free_blocks = { 5, 4, 3, 2, 1 }, .free_pages = 30,
				.wmark_min = 10, .wmark_low = 12, .wmark_high = 14,
				.fragindex = 960, .unusable_index = 1000 };
	struct json_object *o, *z, *w, *r, *c, *blocks;

	pa.zone.flags = AF_ZONE_VALID;
	pa.zone.reclaimable = 99;
	f->ev.type = AF_EV_PAGE_ALLOC;
	f->ev.raw.pa = &pa;
	f->ev.frag = &fi;
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	z = get(get(o, "page_alloc", json_type_object), "frag", json_type_object);
	assert_string_equal(get_str(z, "snapshot"), "at_failure");
	assert_string_equal(get_str(z, "zone"), "Normal");
	assert_int_equal(get_int(z, "fragindex"), 960);
	assert_int_equal(get_int(z, "unusable_index"), 1000);
	blocks = get(z, "free_blocks", json_type_array);
	assert_int_equal(json_object_array_length(blocks), AF_NR_ORDERS);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(blocks, 0)), 5);
	w = get(z, "watermarks", json_type_object);
	assert_int_equal(get_int(w, "min"), 10);
	assert_int_equal(get_int(w, "high"), 14);
	r = get(z, "reclaim", json_type_object);
	assert_true(json_object_get_boolean(get(r, "ran", json_type_boolean)));
	assert_int_equal(get_int(r, "nr_reclaimed"), 7);
	assert_int_equal(get_int(r, "reclaimable"), 99);
	c = get(z, "compaction", json_type_object);
	assert_int_equal(get_int(c, "result"), 2);
	json_object_put(o);
	f->ev.frag = NULL;
}

static void assert_prefix(const char *out, const char *want)
{
	if (strncmp(out, want, strlen(want)))
		fail_msg("output does not start with \"%s\":\n%.200s", want, out);
}

/* The kernel-side types: payload under the type's name, headline naming what failed. */
static void test_kernel_types(void **state)
{
	struct fixture *f = *state;
	struct af_slab slab = { .bytes_req = 200, .bytes_alloc = 256, .node = -1,
				.call_site = 0xffffffff81abcdefULL, .cache = "kmalloc-256" };
	struct af_oom_kill oom = { .victim_pid = 77, .victim_comm = "victim", .order = 2 };
	struct af_memcg_charge mc = { .memcg_id = 9, .nr_pages = 512, .ret = -ENOMEM };
	struct json_object *o, *p;
	const char *out;

	f->ev.type = AF_EV_SLAB;
	f->ev.raw.slab = &slab;
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	p = get(o, "slab", json_type_object);
	assert_string_equal(get_str(p, "cache"), "kmalloc-256");
	assert_int_equal(get_int(p, "bytes_req"), 200);
	assert_string_equal(get_str(p, "call_site"), "0xffffffff81abcdef");
	json_object_put(o);

	f->ev.type = AF_EV_OOM_KILL;
	f->ev.raw.oom = &oom;
	f->ev.oom_constraint = "memcg";
	rewind(f->out);
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	p = get(o, "oom_kill", json_type_object);
	assert_string_equal(get_str(p, "constraint"), "memcg");
	assert_int_equal(get_int(get(p, "victim", json_type_object), "pid"), 77);
	assert_string_equal(get_str(get(p, "victim", json_type_object), "comm"), "victim");
	get(p, "order", json_type_null); /* only known from oom_control (fentry) */
	json_object_put(o);

	f->ev.type = AF_EV_MEMCG_CHARGE;
	f->ev.raw.memcg = &mc;
	f->ev.memcg = "/lim";
	rewind(f->out);
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	p = get(o, "memcg_charge", json_type_object);
	assert_string_equal(get_str(p, "memcg"), "/lim");
	assert_int_equal(get_int(p, "nr_pages"), 512);
	json_object_put(o);

	rewind(f->out);
	out = run_sink(f, sink_text__new, NULL);
	assert_prefix(out, "2026-11-22T12:34:56.789012Z memcg_charge /lim pid 1234 ");
	f->ev.type = AF_EV_OOM_KILL;
	f->ev.raw.oom = &oom;
	rewind(f->out);
	out = run_sink(f, sink_text__new, NULL);
	assert_prefix(out, "2026-11-22T12:34:56.789012Z oom_kill victim 77 (victim) memcg pid");
	f->ev.type = AF_EV_SLAB;
	f->ev.raw.slab = &slab;
	rewind(f->out);
	out = run_sink(f, sink_text__new, NULL);
	assert_prefix(out, "2026-11-22T12:34:56.789012Z slab kmalloc-256 200 bytes pid");
}

/* The JSON memcg_state of f's memcg_charge event has these flags and binding counter; returns
 * the event's text output. */
static const char *memcg_state_out(struct fixture *f, bool memsw_read, bool truncated,
				   const char *counter)
{
	struct json_object *o, *s;

	rewind(f->out);
	o = parse_line(run_sink(f, sink_json__new, NULL), 0);
	s = get(get(o, "memcg_charge", json_type_object), "memcg_state", json_type_object);
	assert_int_equal(json_object_get_boolean(get(s, "memsw_read", json_type_boolean)),
			 memsw_read);
	assert_int_equal(json_object_get_boolean(get(s, "levels_truncated", json_type_boolean)),
			 truncated);
	assert_string_equal(get_str(get(s, "binding", json_type_object), "counter"), counter);
	json_object_put(o);
	rewind(f->out);
	return run_sink(f, sink_text__new, NULL);
}

/* BPF's memcg snapshot: the binding counter (v1's memsw or memory) and a walk that stopped
 * 8 levels up, in both outputs. */
static void test_memcg_snapshot(void **state)
{
	struct fixture *f = *state;
	struct af_memcg_charge mc = { .memcg_id = 9, .nr_pages = 1, .ret = -ENOMEM };
	struct memcg_info mi = {
		.valid = true, .version = 1, .limit_bytes = 1 << 20, .usage_bytes = 1 << 20,
		.failcnt = 0, .oom_events = -1, .oom_kill = 0, .oom_kill_disable = 1,
		.at_failure = true, .bind_level = 0, .bind_path = "/lim",
		.bind_limit_bytes = 1 << 20, .bind_usage_bytes = 1 << 20, .bind_memsw = true,
		.memsw_read = true, .truncated = true,
	};
	const char *out;

	f->ev.type = AF_EV_MEMCG_CHARGE;
	f->ev.raw.memcg = &mc;
	f->ev.memcg = "/lim";
	f->ev.memcg_info = &mi;
	out = memcg_state_out(f, true, true, "memsw");
	assert_non_null(strstr(out, "\n    limited by its memory+swap limit: usage 1048576 of "
				    "1048576 bytes\n    memory cgroup limits above 8 levels not "
				    "read\n"));

	/* the memory limit of an ancestor, every level read */
	mi.bind_memsw = mi.memsw_read = mi.truncated = false;
	mi.bind_level = 2;
	out = memcg_state_out(f, false, false, "memory");
	assert_non_null(strstr(out, "limited by ancestor /lim (2 up): usage 1048576 of limit "));
	assert_null(strstr(out, "not read"));
	f->ev.memcg_info = NULL;
}

/* ---- text ---- */

static void assert_has_line(const char *out, const char *line)
{
	const char *p = out;
	size_t n = strlen(line);

	for (; (p = strstr(p, line)); p++)
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("no line \"%s\" in:\n%s", line, out);
}

static void test_text_event(void **state)
{
	struct fixture *f = *state;
	const char *out = run_sink(f, sink_text__new, NULL);

	assert_has_line(out, "2026-11-22T12:34:56.789012Z syscall mmap ENOMEM pid 1234 tid 1235 "
			     "comm testprog uid 1000 cgroup /foo");
	assert_prefix(out, "2026-11-22T12:34:56.789012Z syscall mmap");
	assert_has_line(out, "    mmap(addr=0x0, length=1099511627776, prot=PROT_READ|PROT_WRITE, "
			     "flags=MAP_PRIVATE|MAP_ANONYMOUS, fd=-1, offset=0) = -ENOMEM");
	assert_has_line(out, "    cause: rlimit_as: the address space would exceed RLIMIT_AS");
	assert_has_line(out, "      advice: raise RLIMIT_AS (ulimit -v)");
	assert_has_line(out, "      evidence: rlim_as_cur=1073741824 limit_name=RLIMIT_AS");
	assert_has_line(out, "    kernel stack:");
	assert_has_line(out, "      #0  0xffffffff81234567 do_mmap+0x1c7 [kernel]");
	assert_has_line(out, "      #1  0xffffffff81000100 do_syscall_64+0x7f [kernel]");
	assert_has_line(out, "    user stack:");
	assert_has_line(out, "      #0  0x00007f0011223344 __mmap64+0x13 "
			     "(/usr/lib/x86_64-linux-gnu/libc.so.6)");
	assert_has_line(out, "      #1  0x0000555500001234 grab (/path/prog) prog.c:12 (inlined)");
	assert_has_line(out, "      #2  0x0000555500001234 fail_here+0x20 (/path/prog) prog.c:42");
	assert_has_line(out, "      #3  0x0000555500009999 ??");
	assert_has_line(out, "      ... (truncated)");
	/* the user stack comes after the kernel stack, and ends the event */
	assert_true(strstr(out, "kernel stack:") < strstr(out, "user stack:"));
	assert_string_equal(out + strlen(out) - strlen("(truncated)\n"), "(truncated)\n");
}

static void test_text_brk_count_and_abi(void **state)
{
	static const uint64_t args[6] = { 0x5000 };
	struct fixture *f = *state;
	const char *out;

	memcpy(f->sc.args, args, sizeof(args));
	f->sc.nr = 45;
	f->sc.ret = 0x4000;
	f->sc.flags = AF_SC_IA32 | AF_SC_BRK_SILENT;
	f->ev.count = 3;
	f->ev.cause = NULL;
	f->ev.cgroup = NULL;
	out = run_sink(f, sink_text__new, NULL);
	assert_has_line(out, "2026-11-22T12:34:56.789012Z syscall brk ENOMEM ia32 x3 pid 1234 "
			     "tid 1235 comm testprog uid 1000");
	assert_has_line(out, "    brk(addr=0x5000) = 0x4000 (no errno; failed: ENOMEM as glibc "
			     "reports)");
	assert_null(strstr(out, "cause:"));
}

/* run_sink() on an empty output. */
static const char *run_fresh(struct fixture *f, struct sink *(*mk)(FILE *))
{
	fclose(f->out);
	free(f->buf);
	f->buf = NULL;
	f->out = open_memstream(&f->buf, &f->len);
	assert_non_null(f->out);
	return run_sink(f, mk, NULL);
}

/* A chained failure counted in a site names the site below it: text and JSON, record and count. */
static void test_cause_site(void **state)
{
	struct fixture *f = *state;
	struct json_object *o;
	const char *out;

	f->ev.chain_id = 1;
	f->ev.id = 7;
	f->ev.caused_by = 3;
	f->ev.site = 5;
	f->ev.cause_site = 2;
	out = run_fresh(f, sink_text__new);
	assert_has_line(out, "    chain 1, event 7, follows event 3 (a record of site 2)");
	o = parse_line(run_fresh(f, sink_json__new), 0);
	assert_int_equal(get_int(o, "cause_site"), 2);
	assert_int_equal(get_int(o, "caused_by"), 3);

	f->ev.caused_by = 0; /* every record of site 2 found the ring buffer full */
	out = run_fresh(f, sink_text__new);
	assert_has_line(out, "    chain 1, event 7, follows site 2");

	f->ev.site_update = true;
	f->ev.site_detail = true;
	f->ev.count = 746;
	f->ev.site_total = 747;
	f->ev.id = f->ev.chain_id = 0;
	out = run_fresh(f, sink_text__new);
	assert_prefix(out, "2026-11-22T12:34:56.789012Z syscall mmap ENOMEM +746 at site 5 caused "
			   "by site 2 (747 in all) pid 1234 comm testprog");
	o = parse_line(run_fresh(f, sink_json__new), 0);
	assert_string_equal(get_str(o, "type"), "count");
	assert_int_equal(get_int(o, "site"), 5);
	assert_int_equal(get_int(o, "cause_site"), 2);
	assert_string_equal(get_str(o, "cause"), "rlimit_as");
	f->ev.cause_site = 0;
	o = parse_line(run_fresh(f, sink_json__new), 0);
	get(o, "cause_site", json_type_null);
}

static void test_text_summary(void **state)
{
	struct fixture *f = *state;
	struct summary sum;
	const char *out;

	fill_summary(&sum);
	out = run_sink(f, sink_text__new, &sum);
	assert_has_line(out, "--- summary ---");
	assert_has_line(out, "events: 6 (syscall 4, page_alloc 2)");
	assert_has_line(out, "lost: 5");
	assert_has_line(out, "WARNING: 5 events lost (syscall 5): the ring buffer was full; the "
			     "counts above miss them");
	assert_has_line(out, "duration: 2.500 s");
	assert_has_line(out, "top processes:");
	/* by events, most first */
	assert_has_line(out, "        99  hog              5");
	assert_has_line(out, "      1234  testprog         1");
	assert_true(strstr(out, "  99  hog") < strstr(out, "  1234  testprog"));
}

static void test_text_summary_nothing_lost(void **state)
{
	struct fixture *f = *state;
	struct summary sum = { .duration_ns = 1000000000ULL };
	struct sink *s = sink_text__new(f->out);

	assert_int_equal(sink__end(s, &sum, NULL), 0);
	assert_int_equal(sink__end(s, NULL, NULL), 0);
	sink__free(s);
	fflush(f->out);
	assert_string_equal(f->buf, "--- summary ---\nevents: 0\nlost: 0\nduration: 1.000 s\n");
}

/* Outputs that failed: a line each in the text summary, "output_errors" in JSON (and neither
 * when none did: test_text_summary_nothing_lost, test_json_summary). */
static void test_summary_output_errors(void **state)
{
	struct fixture *f = *state;
	struct summary sum;
	struct json_object *o, *e;
	const char *out;

	fill_summary(&sum);
	sum.noutput_errors = 2;
	sum.output_errors[0] = (typeof(sum.output_errors[0])){ "record", ENOSPC, 40 };
	sum.output_errors[1] = (typeof(sum.output_errors[0])){ "folded", EIO, 6 };
	out = run_sink(f, sink_text__new, &sum);
	assert_has_line(out, "WARNING: the record output failed (No space left on device): 40 "
			     "events not written to it");
	assert_has_line(out, "WARNING: the folded output failed (Input/output error): 6 events "
			     "not written to it");
	f->buf[0] = '\0';
	rewind(f->out);
	out = run_sink(f, sink_json__new, &sum);
	o = parse_line(out, 1);
	e = get(o, "output_errors", json_type_object);
	assert_int_equal(json_object_object_length(e), 2);
	assert_int_equal(get_int(e, "record"), 40);
	assert_int_equal(get_int(e, "folded"), 6);
	json_object_put(o);
	fill_summary(&sum);
	rewind(f->out);
	out = run_sink(f, sink_json__new, &sum);
	o = parse_line(out, 1);
	assert_false(json_object_object_get_ex(o, "output_errors", NULL));
	json_object_put(o);
}

static ssize_t failing_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	(void)buf;
	(void)size;
	errno = ENOSPC;
	return -1;
}

/* A sink whose write fails: its failure once, then nothing more is handed to it, each event
 * counted as not written; its end is not tried. */
static void test_failed_sink_takes_nothing_more(void **state)
{
	static const cookie_io_functions_t io = { .write = failing_write };
	struct fixture *f = *state;
	FILE *out = fopencookie(NULL, "w", io);
	struct sink *s = sink_json__new(out);
	struct summary sum;

	assert_non_null(s);
	fill_summary(&sum);
	assert_int_equal(sink__event(s, &f->ev), -EIO);
	assert_int_equal(sink__event(s, &f->ev), 0);
	assert_int_equal(sink__event(s, &f->ev), 0);
	assert_int_equal(s->given, 3);
	assert_int_equal(s->unwritten, 3);
	assert_int_equal(s->err, -EIO);
	assert_int_equal(sink__end(s, &sum, NULL), -EIO);
	sink__free(s);
	fclose(out);
}

static void test_new_without_output(void **state)
{
	(void)state;
	assert_null(sink_text__new(NULL));
	assert_null(sink_json__new(NULL));
	sink__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_nulls_and_silent_brk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_page_alloc_frag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_page_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memcg_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_brk_count_and_abi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cause_site, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_summary_nothing_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary_output_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_sink_takes_nothing_more, setup, teardown),
		cmocka_unit_test(test_new_without_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
