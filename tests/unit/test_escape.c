// SPDX-License-Identifier: GPL-2.0
/*
 * Names from the traced machine in the text outputs: control characters (C0, DEL, UTF-8 C1)
 * come out as \xNN from escape.h, from the text sink (command name, cgroup, cause, symbol,
 * object, source file, summary) and from the diagnosis block; plain text and UTF-8 are left as
 * they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tests/fuzz/record_fixtures.h"
#include "diagnosis.h"
#include "escape.h"

static void test_escape_str(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(escape__str("plain /a/b-c.service", buf, sizeof(buf)),
			    "plain /a/b-c.service");
	assert_string_equal(escape__str("a\nb\x1b[2Jc\x7f", buf, sizeof(buf)),
			    "a\\x0ab\\x1b[2Jc\\x7f");
	/* UTF-8 stays, its C1 controls (U+009B, a CSI) do not; systemd's own \x2d stays */
	assert_string_equal(escape__str("caf\xc3\xa9 \xc2\x9b" "1m x\\x2d", buf, sizeof(buf)),
			    "caf\xc3\xa9 \\xc2\\x9b1m x\\x2d");
	/* cut before an escape that does not fit, never inside it */
	assert_string_equal(escape__str("abc\n", buf, 6), "abc");
	assert_string_equal(escape__str("ab\ncd", buf, 7), "ab\\x0a");
	assert_string_equal(escape__str("x", buf, 1), "");
}

static void test_escape_fwrite(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	escape__fputs("tab\there", out);
	escape__fwrite("\r\nXYZ", 3, out); /* at most 3 bytes */
	escape__fwrite("ok\0hidden", 9, out); /* stops at the NUL */
	escape__fputs(NULL, out);
	assert_int_equal(fclose(out), 0);
	assert_string_equal(text, "tab\\x09here\\x0d\\x0aXok");
	free(text);
}

/* No byte below 0x20 but the line ends, no DEL, no ESC. */
static void assert_no_controls(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("control byte 0x%02x at offset %td", *p,
				 (const char *)p - text);
}

static size_t lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Every fixture event, the summary and the settings through a sink, into a string (caller
 * frees). */
static char *render(struct sink *s, FILE *out, char **text, const struct record_fixture *f,
		    const struct diag_settings *settings)
{
	assert_non_null(s);
	assert_int_equal(record_fixture__through(f, FIXTURE_EVENTS, s, settings), 0);
	assert_int_equal(fclose(out), 0);
	return *text;
}

static char *text_of(const struct record_fixture *f, bool diagnosis)
{
	struct diag_settings *settings = calloc(1, sizeof(*settings));
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct sink *s;

	assert_non_null(settings);
	assert_non_null(out);
	*settings = f->settings;
	settings->recorded = true; /* nothing read from this machine */
	s = diagnosis ? sink_diagnosis__new(out, false) : sink_text__new(out);
	render(s, out, &text, f, settings);
	free(settings);
	return text;
}

/* The fixture with control characters in every name the text outputs show. */
static void poison(struct record_fixture *f)
{
	struct event *ev = &f->ev[0];

	memcpy(ev->comm, "ev\nil\x1b[2J", 10);
	ev->cgroup = "/app\n2026-01-01T00:00:00Z syscall forged";
	ev->kstack.frames[0].sym = "sym\x1b]0;title\x07";
	ev->ustack.frames[2].obj = "/srv/\rprog";
	ev->ustack.frames[2].file = "prog\t.c";
	ev->ustack.frames[1].sym = "inl\x7fined";
	f->cause[0].code = "rlimit_as\n";
	snprintf(f->cause[0].summary, sizeof(f->cause[0].summary), "summary\nforged line");
	snprintf(f->cause[0].advice, sizeof(f->cause[0].advice), "advice \xc2\x9b" "31m");
	snprintf(f->cause[0].evidence[1].str, sizeof(f->cause[0].evidence[1].str), "RLIMIT\nAS");
	memcpy(f->sum.procs[0].comm, "sum\x1b", 5);
	f->settings.memcgs[1].path = "/system.slice/app.service";
}

static void test_text_sink(void **state)
{
	struct record_fixture *f = malloc(sizeof(*f));
	char *clean, *text;

	(void)state;
	assert_non_null(f);
	record_fixture__init(f);
	clean = text_of(f, false);
	poison(f);
	text = text_of(f, false);
	assert_no_controls(text);
	/* nothing forged a line: as many as with clean names */
	assert_int_equal(lines(text), lines(clean));
	assert_non_null(strstr(text, " comm ev\\x0ail\\x1b[2J uid "));
	assert_non_null(strstr(text, " cgroup /app\\x0a2026-01-01T00:00:00Z syscall forged\n"));
	assert_non_null(strstr(text, "cause: rlimit_as\\x0a: summary\\x0aforged line\n"));
	assert_non_null(strstr(text, "advice: advice \\xc2\\x9b31m\n"));
	assert_non_null(strstr(text, "limit_name=RLIMIT\\x0aAS"));
	assert_non_null(strstr(text, " sym\\x1b]0;title\\x07+0x2f1 [kernel]\n"));
	assert_non_null(strstr(text, " inl\\x7fined (/srv/prog) prog.c:12 (inlined)\n"));
	assert_non_null(strstr(text, " fail_here+0x20 (/srv/\\x0dprog) prog\\x09.c:42\n"));
	assert_non_null(strstr(text, "  sum\\x1b  "));
	free(clean);
	free(text);
	free(f);
}

static void test_diagnosis_text(void **state)
{
	struct record_fixture *f = malloc(sizeof(*f));
	char *clean, *text;

	(void)state;
	assert_non_null(f);
	record_fixture__init(f);
	clean = text_of(f, true);
	poison(f);
	text = text_of(f, true);
	assert_no_controls(text);
	/* no forged line (the longer names may wrap a list, so the count can differ) */
	assert_null(strstr(text, "\nforged"));
	assert_null(strstr(text, "\n2026-01-01T"));
	assert_true(lines(text) >= lines(clean));
	/* the diagnosis names a cause by its code's own name (cause__code_name()), never by the
	 * string an event carried */
	assert_non_null(strstr(text, ". rlimit_as: 1 of 21 events"));
	assert_non_null(strstr(text, "   why: summary\\x0aforged line\n"));
	assert_non_null(strstr(text, "1001 ev\\x0ail\\x1b[2J (1)"));
	assert_non_null(strstr(text, "/app\\x0a2026-01-01T00:00:00Z syscall forged (1)"));
	assert_non_null(strstr(text, "kernel: sym\\x1b]0;title\\x07 < do_syscall_64"));
	free(clean);
	free(text);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_str),
		cmocka_unit_test(test_escape_fwrite),
		cmocka_unit_test(test_text_sink),
		cmocka_unit_test(test_diagnosis_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
