// SPDX-License-Identifier: GPL-2.0
/*
 * Folded, pprof and SVG exporters over events with known stacks: the exact folded text under
 * both weights, the pprof file gunzipped and unpacked with the generated protobuf-c code, the
 * SVG's names, escaping and XML well-formedness (xmllint).
 *
 * With AF_EXPORT_DIR set, runs no test: writes the fixture's exports there instead (folded,
 * pprof, SVG), for tests/consumers/run.sh to hand to pprof-format, speedscope and Chromium.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>
#include "proto/profile.pb-c.h"
#include "tests/unit/fixtures_pprof.h"
#include "cause.h"
#include "exporters.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char libc[] = "/usr/lib/x86_64-linux-gnu/libc.so.6";
static const char prog[] = "/usr/bin/prog";
static const struct cause rlimit_as = { .code = "rlimit_as" };

#define KFRAME(a, s) { .addr = (a), .sym = (s), .obj = "[kernel]" }
#define UFRAME(a, s, o, f, l, inl) \
	{ .addr = (a), .sym = (s), .obj = (o), .file = (f), .line = (l), .inlined = (inl) }

static void set_stack(struct stack *st, const struct frame *frames, unsigned int n, bool trunc)
{
	memcpy(st->frames, frames, n * sizeof(*frames));
	st->n = n;
	st->truncated = trunc;
}

static void base_event(struct event *ev, enum af_event_type type, const char *comm,
		       uint64_t count, uint64_t bytes)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = 100;
	strcpy(ev->comm, comm);
	ev->count = count;
	ev->bytes = bytes;
	ev->wall.tv_sec = 1700000000;
}

/*
 * The fixture, in arrival order:
 * 0, 1: one failed mmap stack twice (4096 + 8192 bytes), an inline frame, cause rlimit_as.
 * 2: a page allocation under a user frame without a symbol, user stack truncated, 0 bytes.
 * 3: three slab failures of a kernel thread whose comm and symbol need sanitizing/escaping.
 * 4: a stack whose last frame "main0" sorts, byte-wise, between "main" and "main;...".
 */
#define NEVENTS 5

static void fixture(struct event ev[NEVENTS])
{
	static const struct frame mmap_k[] = {
		KFRAME(0xffffffff81000100, "do_mmap"),
		KFRAME(0xffffffff81000200, "vm_mmap_pgoff"),
		KFRAME(0xffffffff81000300, "entry_SYSCALL_64"),
	};
	static const struct frame mmap_u[] = {
		UFRAME(0x7f00000010a0, "__mmap64", libc, NULL, 0, false),
		UFRAME(0x401136, "alloc_buf", prog, "prog.c", 12, true),
		UFRAME(0x401136, "do_alloc", prog, "prog.c", 20, false),
		UFRAME(0x401200, "main", prog, "prog.c", 30, false),
	};
	static const struct frame pa_k[] = {
		KFRAME(0xffffffff81000400, "__alloc_pages"),
		KFRAME(0xffffffff81000500, "handle_mm_fault"),
		KFRAME(0xffffffff81000600, "exc_page_fault"),
	};
	static const struct frame pa_u[] = {
		UFRAME(0x7f0000002000, NULL, libc, NULL, 0, false),
		UFRAME(0x401250, "main", prog, "prog.c", 31, false),
	};
	static const struct frame slab_k[] = {
		KFRAME(0xffffffff81000700, "kmalloc<&>\"' x;y\xff"),
	};
	static const struct frame main0_u[] = {
		UFRAME(0x401300, "main0", prog, "prog.c", 40, false),
	};

	for (int i = 0; i < 2; i++) {
		base_event(&ev[i], AF_EV_SYSCALL, "prog", 1, 4096 << i);
		set_stack(&ev[i].kstack, mmap_k, ARRAY_SIZE(mmap_k), false);
		set_stack(&ev[i].ustack, mmap_u, ARRAY_SIZE(mmap_u), false);
		ev[i].cause = &rlimit_as;
		ev[i].cgroup = "/test";
	}
	base_event(&ev[2], AF_EV_PAGE_ALLOC, "prog", 1, 0);
	set_stack(&ev[2].kstack, pa_k, ARRAY_SIZE(pa_k), false);
	set_stack(&ev[2].ustack, pa_u, ARRAY_SIZE(pa_u), true);
	ev[2].cgroup = "/test";
	base_event(&ev[3], AF_EV_SLAB, "we;ird name", 3, 96);
	ev[3].pid = 7;
	set_stack(&ev[3].kstack, slab_k, ARRAY_SIZE(slab_k), false);
	base_event(&ev[4], AF_EV_SYSCALL, "prog", 1, 64);
	set_stack(&ev[4].ustack, main0_u, ARRAY_SIZE(main0_u), false);
}

struct membuf {
	char *buf;
	size_t len;
};

static FILE *memout(struct membuf *m)
{
	FILE *f = open_memstream(&m->buf, &m->len);

	assert_non_null(f);
	return f;
}

static char *export(struct sink *(*mk)(FILE *, enum weight), enum weight w, size_t *len)
{
	struct membuf m = { 0 };
	struct sink *s = mk(memout(&m), w);
	struct event ev[NEVENTS];
	struct summary sum = { .duration_ns = 2000000000 };
	FILE *out;

	assert_non_null(s);
	out = s->out;
	fixture(ev);
	for (int i = 0; i < NEVENTS; i++)
		assert_int_equal(sink__event(s, &ev[i]), 0);
	assert_int_equal(sink__end(s, &sum, NULL), 0);
	sink__free(s);
	assert_int_equal(fclose(out), 0);
	*len = m.len;
	return m.buf;
}

static struct sink *svg_new(FILE *out, enum weight w)
{
	return sink_svg__new(out, w, "Test <flamegraph>");
}

static void test_folded_count(void **state)
{
	size_t len;
	char *text = export(sink_folded__new, WEIGHT_COUNT, &len);

	(void)state;
	/* frame by frame: "[page_alloc]" < "[syscall]", and "main;..." < "main0" */
	assert_string_equal(text, "prog;[page_alloc];[truncated];main;[libc.so.6];"
				  "exc_page_fault_[k];handle_mm_fault_[k];__alloc_pages_[k] 1\n"
				  "prog;[syscall];main;do_alloc;alloc_buf_[i];__mmap64;"
				  "entry_SYSCALL_64_[k];vm_mmap_pgoff_[k];do_mmap_[k] 2\n"
				  "prog;[syscall];main0 1\n"
				  "we:ird_name;[slab];kmalloc<&>\"'_x:y\xff_[k] 3\n");
	assert_int_equal(len, strlen(text));
	free(text);
}

static void test_folded_bytes(void **state)
{
	size_t len;
	char *text = export(sink_folded__new, WEIGHT_BYTES, &len);

	(void)state;
	/* the page allocation of unknown size weighs nothing and is left out */
	assert_string_equal(text, "prog;[syscall];main;do_alloc;alloc_buf_[i];__mmap64;"
				  "entry_SYSCALL_64_[k];vm_mmap_pgoff_[k];do_mmap_[k] 12288\n"
				  "prog;[syscall];main0 64\n"
				  "we:ird_name;[slab];kmalloc<&>\"'_x:y\xff_[k] 96\n");
	free(text);
}

static void test_weight_parse(void **state)
{
	enum weight w;

	(void)state;
	assert_int_equal(weight__parse("bytes", &w), 0);
	assert_int_equal(w, WEIGHT_BYTES);
	assert_string_equal(weight__name(w), "bytes");
	assert_int_equal(weight__parse("count", &w), 0);
	assert_int_equal(w, WEIGHT_COUNT);
	assert_int_equal(weight__parse("pages", &w), -EINVAL);
}

/* pprof: gunzip, unpack, then look samples up by their labels. */

static Perftools__Profiles__Profile *pprof_export(enum weight w)
{
	Perftools__Profiles__Profile *prof;
	size_t len;
	char *gz = export(sink_pprof__new, w, &len);

	prof = pprof_unpack(gz, len);
	free(gz);
	return prof;
}

static const char *str(const Perftools__Profiles__Profile *p, int64_t i)
{
	assert_in_range(i, 0, p->n_string_table - 1);
	return p->string_table[i];
}

/* The value of the label named key, as text ("" if absent). */
static const char *label(const Perftools__Profiles__Profile *p,
			 const Perftools__Profiles__Sample *s, const char *key, int64_t *num)
{
	for (size_t i = 0; i < s->n_label; i++) {
		if (strcmp(str(p, s->label[i]->key), key))
			continue;
		if (num)
			*num = s->label[i]->num;
		return str(p, s->label[i]->str);
	}
	return "";
}

static const Perftools__Profiles__Sample *sample_of(const Perftools__Profiles__Profile *p,
						     const char *type, const char *comm)
{
	for (size_t i = 0; i < p->n_sample; i++)
		if (!strcmp(label(p, p->sample[i], "type", NULL), type) &&
		    !strcmp(label(p, p->sample[i], "comm", NULL), comm))
			return p->sample[i];
	fail_msg("no %s sample of %s", type, comm);
	return NULL;
}

static const Perftools__Profiles__Location *location(const Perftools__Profiles__Profile *p,
						      uint64_t id)
{
	/* ids are positions + 1: check it rather than assume it */
	assert_in_range(id, 1, p->n_location);
	assert_int_equal(p->location[id - 1]->id, id);
	return p->location[id - 1];
}

static const char *mapping_file(const Perftools__Profiles__Profile *p,
				const Perftools__Profiles__Location *loc)
{
	assert_in_range(loc->mapping_id, 1, p->n_mapping);
	assert_int_equal(p->mapping[loc->mapping_id - 1]->id, loc->mapping_id);
	return str(p, p->mapping[loc->mapping_id - 1]->filename);
}

static const Perftools__Profiles__Function *function(const Perftools__Profiles__Profile *p,
						      const Perftools__Profiles__Line *line)
{
	assert_in_range(line->function_id, 1, p->n_function);
	assert_int_equal(p->function[line->function_id - 1]->id, line->function_id);
	return p->function[line->function_id - 1];
}

/* The location's functions, innermost first, as "name@file:line|..." */
static void lines_of(const Perftools__Profiles__Profile *p,
		     const Perftools__Profiles__Location *loc, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < loc->n_line; i++) {
		const Perftools__Profiles__Function *f = function(p, loc->line[i]);

		off += snprintf(buf + off, size - off, "%s%s@%s:%ld", i ? "|" : "",
				str(p, f->name), str(p, f->filename), (long)loc->line[i]->line);
		assert_true(off < size);
	}
}

static void assert_stack(const Perftools__Profiles__Profile *p,
			 const Perftools__Profiles__Sample *s, const char *const *want, size_t n)
{
	char buf[256];

	assert_int_equal(s->n_location_id, n);
	for (size_t i = 0; i < n; i++) {
		const Perftools__Profiles__Location *loc = location(p, s->location_id[i]);

		lines_of(p, loc, buf, sizeof(buf));
		/* "-" stands for a frame without a symbol: no Line, address kept */
		assert_string_equal(buf, strcmp(want[i], "-") ? want[i] : "");
	}
}

static void test_pprof_header(void **state)
{
	Perftools__Profiles__Profile *p = pprof_export(WEIGHT_BYTES);

	(void)state;
	assert_true(p->n_string_table > 0);
	assert_string_equal(p->string_table[0], "");
	assert_int_equal(p->n_sample_type, 2);
	assert_string_equal(str(p, p->sample_type[0]->type), "failures");
	assert_string_equal(str(p, p->sample_type[0]->unit), "count");
	assert_string_equal(str(p, p->sample_type[1]->type), "requested");
	assert_string_equal(str(p, p->sample_type[1]->unit), "bytes");
	assert_string_equal(str(p, p->default_sample_type), "requested");
	assert_int_equal(p->time_nanos, 1700000000LL * 1000000000LL);
	assert_int_equal(p->duration_nanos, 2000000000LL);
	perftools__profiles__profile__free_unpacked(p, NULL);

	p = pprof_export(WEIGHT_COUNT);
	assert_string_equal(str(p, p->default_sample_type), "failures");
	perftools__profiles__profile__free_unpacked(p, NULL);
}

static void test_pprof_samples(void **state)
{
	static const char *const mmap_stack[] = {
		"do_mmap@:0", "vm_mmap_pgoff@:0", "entry_SYSCALL_64@:0", "__mmap64@:0",
		/* one Location, the inlined call first */
		"alloc_buf@prog.c:12|do_alloc@prog.c:20", "main@prog.c:30",
	};
	static const char *const pa_stack[] = {
		"__alloc_pages@:0", "handle_mm_fault@:0", "exc_page_fault@:0", "-",
		"main@prog.c:31",
	};
	static const char *const slab_stack[] = { "kmalloc<&>\"' x;y\xff@:0" };
	Perftools__Profiles__Profile *p = pprof_export(WEIGHT_COUNT);
	const Perftools__Profiles__Sample *s;
	int64_t pid = 0;

	(void)state;
	/* events 0 and 1 share stack and labels: one sample */
	assert_int_equal(p->n_sample, 4);

	s = sample_of(p, "syscall", "prog");
	assert_int_equal(s->n_value, 2);
	assert_int_equal(s->value[0], 2);
	assert_int_equal(s->value[1], 4096 + 8192);
	assert_stack(p, s, mmap_stack, ARRAY_SIZE(mmap_stack));
	assert_string_equal(label(p, s, "cause", NULL), "rlimit_as");
	assert_string_equal(label(p, s, "cgroup", NULL), "/test");
	label(p, s, "pid", &pid);
	assert_int_equal(pid, 100);
	assert_string_equal(mapping_file(p, location(p, s->location_id[0])), "[kernel]");
	assert_string_equal(mapping_file(p, location(p, s->location_id[3])), libc);
	assert_string_equal(mapping_file(p, location(p, s->location_id[4])), prog);
	assert_int_equal(location(p, s->location_id[4])->address, 0x401136);

	s = sample_of(p, "page_alloc", "prog");
	assert_int_equal(s->value[0], 1);
	assert_int_equal(s->value[1], 0);
	assert_stack(p, s, pa_stack, ARRAY_SIZE(pa_stack));
	assert_string_equal(label(p, s, "cause", NULL), "none");
	assert_int_equal(location(p, s->location_id[3])->address, 0x7f0000002000);
	assert_string_equal(mapping_file(p, location(p, s->location_id[3])), libc);

	/* names are pprof's strings: kept as they are, nothing to escape */
	s = sample_of(p, "slab", "we;ird name");
	assert_int_equal(s->value[0], 3);
	assert_int_equal(s->value[1], 96);
	assert_stack(p, s, slab_stack, ARRAY_SIZE(slab_stack));
	assert_string_equal(label(p, s, "cgroup", NULL), ""); /* unknown: no label */
	label(p, s, "pid", &pid);
	assert_int_equal(pid, 7);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

static void test_pprof_dedup(void **state)
{
	Perftools__Profiles__Profile *p = pprof_export(WEIGHT_COUNT);
	int prog_mappings = 0;

	(void)state;
	/* 3 + 4 mmap frames (alloc_buf and do_alloc in one), 3 + 2 page_alloc, 1 slab, main0 */
	assert_int_equal(p->n_location, 6 + 5 + 1 + 1);
	/* main at two addresses is one function */
	assert_int_equal(p->n_function, 12);
	assert_int_equal(p->n_mapping, 3);
	for (size_t i = 0; i < p->n_mapping; i++) {
		const Perftools__Profiles__Mapping *m = p->mapping[i];

		if (strcmp(str(p, m->filename), prog))
			continue;
		prog_mappings++;
		assert_true(m->has_functions);
		assert_true(m->has_filenames);
		assert_true(m->has_line_numbers);
		assert_true(m->has_inline_frames);
	}
	assert_int_equal(prog_mappings, 1);
	perftools__profiles__profile__free_unpacked(p, NULL);
}

static void test_pprof_empty(void **state)
{
	struct membuf m = { 0 };
	struct sink *s = sink_pprof__new(memout(&m), WEIGHT_COUNT);
	Perftools__Profiles__Profile *p;
	FILE *out = s->out;

	(void)state;
	assert_int_equal(sink__end(s, NULL, NULL), 0);
	sink__free(s);
	assert_int_equal(fclose(out), 0);
	p = pprof_unpack(m.buf, m.len);
	assert_int_equal(p->n_sample, 0);
	assert_int_equal(p->n_sample_type, 2);
	perftools__profiles__profile__free_unpacked(p, NULL);
	free(m.buf);
}

/* SVG */

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Returns xmllint's exit status on text, or -1 when xmllint is not installed. */
static int xmllint(const char *text, size_t len)
{
	char path[] = "/tmp/test_exporters_XXXXXX", cmd[128];
	int fd, rc;

	if (system("command -v xmllint >/dev/null 2>&1"))
		return -1;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	rc = system(cmd);
	unlink(path);
	return rc;
}

static void test_svg(void **state)
{
	static const char *const names[] = {
		"data-n=\"do_mmap\"", "data-n=\"alloc_buf\"", "data-n=\"__mmap64\"",
		"data-n=\"[page_alloc]\"", "data-n=\"[libc.so.6]\"", "data-n=\"[truncated]\"",
		"data-n=\"we:ird_name\"", "data-n=\"main0\"", "data-n=\"all\"",
		/* escaped, the invalid byte replaced */
		"data-n=\"kmalloc&lt;&amp;&gt;&quot;&apos;_x:y?\"",
	};
	size_t len;
	char *svg = export(svg_new, WEIGHT_COUNT, &len);
	int rc;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_non_null(strstr(svg, names[i]));
	/* main under [syscall] and main under [page_alloc]: the tree merged its prefixes */
	assert_int_equal(count(svg, "data-n=\"main\""), 2);
	assert_int_equal(count(svg, "data-n=\"prog\""), 1);
	assert_non_null(strstr(svg, "class=\"f kernel\""));
	assert_non_null(strstr(svg, "class=\"f inline\""));
	assert_non_null(strstr(svg, "do_mmap (kernel): 2 failures, 28.57%</title>"));
	assert_non_null(strstr(svg, "Test &lt;flamegraph&gt;: 7 failures</text>"));
	/* self-contained: the only URLs are the XML namespaces */
	assert_null(strstr(svg, "href"));
	assert_int_equal(count(svg, "http"), count(svg, "http://www.w3.org/"));
	rc = xmllint(svg, len);
	if (rc < 0) {
		free(svg);
		skip(); /* libxml2-utils: scripts/install-deps.sh installs it */
	}
	assert_int_equal(rc, 0);
	free(svg);
}

static void test_svg_bytes_and_empty(void **state)
{
	struct membuf m = { 0 };
	struct sink *s;
	size_t len;
	char *svg = export(svg_new, WEIGHT_BYTES, &len);
	FILE *out;
	int rc;

	(void)state;
	assert_non_null(strstr(svg, ": 12448 bytes (12.2 KiB) requested</text>"));
	assert_null(strstr(svg, "[page_alloc]")); /* weighs 0 bytes */
	free(svg);

	s = sink_svg__new(memout(&m), WEIGHT_COUNT, NULL);
	out = s->out;
	assert_int_equal(sink__end(s, NULL, NULL), 0);
	sink__free(s);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(m.buf, "no failures to show"));
	assert_int_equal(count(m.buf, "<g class=\"f"), 0);
	rc = xmllint(m.buf, m.len);
	free(m.buf);
	if (rc < 0)
		skip(); /* libxml2-utils: scripts/install-deps.sh installs it */
	assert_int_equal(rc, 0);
}

/* AF_EXPORT_DIR: the fixture's files for the consumer tests. */
static int write_exports(const char *dir)
{
	static const struct {
		const char *name;
		struct sink *(*mk)(FILE *, enum weight);
	} files[] = {
		{ "allocfail.folded", sink_folded__new },
		{ "allocfail.pb.gz", sink_pprof__new },
		{ "allocfail.svg", svg_new },
	};
	struct summary sum = { .duration_ns = 2000000000 };
	struct event ev[NEVENTS];
	char path[4096];

	fixture(ev);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct sink *s;
		FILE *out;
		int err = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		out = fopen(path, "w");
		s = out ? files[i].mk(out, WEIGHT_COUNT) : NULL;
		for (int j = 0; s && j < NEVENTS && !err; j++)
			err = sink__event(s, &ev[j]);
		if (!s || err || sink__end(s, &sum, NULL) || fclose(out)) {
			fprintf(stderr, "test_exporters: cannot write %s\n", path);
			return 1;
		}
		sink__free(s);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folded_count),
		cmocka_unit_test(test_folded_bytes),
		cmocka_unit_test(test_weight_parse),
		cmocka_unit_test(test_pprof_header),
		cmocka_unit_test(test_pprof_samples),
		cmocka_unit_test(test_pprof_dedup),
		cmocka_unit_test(test_pprof_empty),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_svg_bytes_and_empty),
	};
	const char *dir = getenv("AF_EXPORT_DIR");

	if (dir)
		return write_exports(dir);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
