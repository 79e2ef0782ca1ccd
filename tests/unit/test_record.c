// SPDX-License-Identifier: GPL-2.0
/*
 * The record file: events of every type written by the record sink read back equal field by
 * field and print the same through the text and JSON sinks; a file cut at any byte, any single
 * bit flipped, a dropped chunk, a wrong magic, format version, ABI version or machine are all
 * refused at open with a reason; the file is created 0600; payload bytes past the declared
 * struct never reach the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>
#include "tests/fuzz/record_fixtures.h"
#include "outfile.h"
#include "record.h"

struct image {
	uint8_t *buf;
	size_t size;
};

/* The first n fixture events and the summary as a record image in memory. */
static struct image write_image(const struct record_fixture *f, unsigned int n)
{
	struct image im = { 0 };
	FILE *out = open_memstream((char **)&im.buf, &im.size);

	assert_non_null(out);
	assert_int_equal(record_fixture__write(f, n, out), 0);
	assert_int_equal(fclose(out), 0);
	return im;
}

static struct record_reader *open_image(const struct image *im, char *why, size_t len)
{
	why[0] = '\0';
	return record_reader__open_mem(im->buf, im->size, why, len);
}

/* Opening must fail, with a reason containing `want` (NULL: any reason). */
static void assert_refused(const uint8_t *buf, size_t size, const char *want)
{
	char why[256] = "";
	struct record_reader *r = record_reader__open_mem(buf, size, why, sizeof(why));

	if (r) {
		record_reader__free(r);
		fail_msg("a %zu-byte image was accepted (expected: %s)", size, want ? want : "any");
	}
	assert_true(why[0] != '\0');
	assert_null(strchr(why, '\n'));
	if (want && !strstr(why, want))
		fail_msg("reason \"%s\" lacks \"%s\"", why, want);
}

static struct record_fixture *new_fixture(void)
{
	struct record_fixture *f = malloc(sizeof(*f));

	assert_non_null(f);
	record_fixture__init(f);
	return f;
}

/* ---- equality, field by field ---- */

static void assert_str_same(const char *a, const char *b)
{
	if (!a || !b) {
		assert_null(a);
		assert_null(b);
		return;
	}
	assert_string_equal(a, b);
}

static void assert_stack_equal(const struct stack *a, const struct stack *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->truncated, b->truncated);
	assert_int_equal(a->unwind, b->unwind);
	assert_int_equal(a->end, b->end);
	for (unsigned int i = 0; i < a->n; i++) {
		const struct frame *x = &a->frames[i], *y = &b->frames[i];

		assert_int_equal(x->addr, y->addr);
		assert_int_equal(x->off, y->off);
		assert_int_equal(x->line, y->line);
		assert_int_equal(x->inlined, y->inlined);
		assert_str_same(x->sym, y->sym);
		assert_str_same(x->obj, y->obj);
		assert_str_same(x->file, y->file);
	}
}

static void assert_cause_equal(const struct cause *a, const struct cause *b)
{
	if (!a || !b) {
		assert_null(a);
		assert_null(b);
		return;
	}
	assert_string_equal(a->code, b->code);
	assert_string_equal(a->summary, b->summary);
	assert_string_equal(a->advice, b->advice);
	assert_int_equal(a->nevidence, b->nevidence);
	for (unsigned int i = 0; i < a->nevidence; i++) {
		const struct cause_kv *x = &a->evidence[i], *y = &b->evidence[i];

		assert_string_equal(x->key, y->key);
		assert_int_equal(x->is_str, y->is_str);
		if (x->is_str)
			assert_string_equal(x->str, y->str);
		else
			assert_int_equal(x->num, y->num);
	}
}

static void assert_memcg_info_equal(const struct memcg_info *a, const struct memcg_info *b)
{
	if (!a || !b) {
		assert_null(a);
		assert_null(b);
		return;
	}
	assert_int_equal(a->valid, b->valid);
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->limit_bytes, b->limit_bytes);
	assert_int_equal(a->usage_bytes, b->usage_bytes);
	assert_int_equal(a->failcnt, b->failcnt);
	assert_int_equal(a->oom_events, b->oom_events);
	assert_int_equal(a->oom_kill, b->oom_kill);
	assert_int_equal(a->oom_kill_disable, b->oom_kill_disable);
	assert_int_equal(a->at_failure, b->at_failure);
	assert_int_equal(a->bind_level, b->bind_level);
	assert_str_same(a->bind_path, b->bind_path);
	assert_int_equal(a->bind_limit_bytes, b->bind_limit_bytes);
	assert_int_equal(a->bind_usage_bytes, b->bind_usage_bytes);
	assert_int_equal(a->bind_memsw, b->bind_memsw);
	assert_int_equal(a->memsw_read, b->memsw_read);
	assert_int_equal(a->truncated, b->truncated);
}

static void assert_frag_equal(const struct frag_info *a, const struct frag_info *b)
{
	if (!a || !b) {
		assert_null(a);
		assert_null(b);
		return;
	}
	assert_int_equal(a->present, b->present);
	assert_str_same(a->snapshot, b->snapshot);
	assert_string_equal(a->zone, b->zone);
	assert_int_equal(a->node, b->node);
	assert_memory_equal(a->free_blocks, b->free_blocks, sizeof(a->free_blocks));
	assert_int_equal(a->free_pages, b->free_pages);
	assert_int_equal(a->wmark_min, b->wmark_min);
	assert_int_equal(a->wmark_low, b->wmark_low);
	assert_int_equal(a->wmark_high, b->wmark_high);
	assert_int_equal(a->wmark_boost, b->wmark_boost);
	assert_int_equal(a->fragindex, b->fragindex);
	assert_int_equal(a->unusable_index, b->unusable_index);
	assert_int_equal(a->have_reclaim, b->have_reclaim);
	assert_int_equal(a->reclaimable, b->reclaimable);
	assert_int_equal(a->available, b->available);
	assert_int_equal(a->nr_reclaimed, b->nr_reclaimed);
	assert_int_equal(a->no_progress_loops, b->no_progress_loops);
	assert_int_equal(a->have_compaction, b->have_compaction);
	assert_int_equal(a->compact_result, b->compact_result);
	assert_int_equal(a->compact_priority, b->compact_priority);
	assert_int_equal(a->compact_retries, b->compact_retries);
}

static void assert_event_equal(const struct event *a, const struct event *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->ts_ns, b->ts_ns);
	assert_int_equal(a->wall.tv_sec, b->wall.tv_sec);
	assert_int_equal(a->wall.tv_nsec, b->wall.tv_nsec);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->uid, b->uid);
	assert_string_equal(a->comm, b->comm);
	assert_int_equal(a->cgroup_id, b->cgroup_id);
	assert_str_same(a->cgroup, b->cgroup);
	assert_int_equal(a->count, b->count);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->chain_id, b->chain_id);
	assert_int_equal(a->caused_by, b->caused_by);
	assert_stack_equal(&a->kstack, &b->kstack);
	assert_stack_equal(&a->ustack, &b->ustack);
	assert_cause_equal(a->cause, b->cause);
	assert_int_equal(a->raw.h->size, b->raw.h->size);
	assert_memory_equal(a->raw.h, b->raw.h, a->raw.h->size);
	assert_str_same(a->memcg, b->memcg);
	assert_str_same(a->victim_cgroup, b->victim_cgroup);
	assert_str_same(a->oom_constraint, b->oom_constraint);
	assert_memcg_info_equal(a->memcg_info, b->memcg_info);
	assert_frag_equal(a->frag, b->frag);
	assert_int_equal(a->site, b->site);
	assert_int_equal(a->site_update, b->site_update);
	assert_int_equal(a->site_detail, b->site_detail);
	assert_int_equal(a->site_total, b->site_total);
	assert_int_equal(a->cause_site, b->cause_site);
}

static void assert_summary_equal(const struct summary *a, const struct summary *b)
{
	assert_int_equal(a->events, b->events);
	assert_memory_equal(a->by_type, b->by_type, sizeof(a->by_type));
	assert_int_equal(a->lost, b->lost);
	assert_memory_equal(a->lost_by_type, b->lost_by_type, sizeof(a->lost_by_type));
	assert_int_equal(a->duration_ns, b->duration_ns);
	assert_int_equal(a->nprocs, b->nprocs);
	for (unsigned int i = 0; i < a->nprocs; i++) {
		assert_int_equal(a->procs[i].pid, b->procs[i].pid);
		assert_string_equal(a->procs[i].comm, b->procs[i].comm);
		assert_int_equal(a->procs[i].events, b->procs[i].events);
	}
	assert_int_equal(a->procs_other, b->procs_other);
	assert_int_equal(a->sites, b->sites);
	assert_int_equal(a->aggregated, b->aggregated);
	assert_int_equal(a->sites_full, b->sites_full);
	assert_int_equal(a->detail_lost, b->detail_lost);
	assert_int_equal(a->skipped, b->skipped);
	assert_memory_equal(a->skipped_by_type, b->skipped_by_type, sizeof(a->skipped_by_type));
	assert_int_equal(a->skipped_other, b->skipped_other);
}

static void assert_settings_equal(const struct diag_settings *a, const struct diag_settings *b)
{
	struct sysinfo x = a->sys, y = b->sys;

	assert_true(b->recorded);
	assert_int_equal(a->valid, b->valid);
	x.read_ns = y.read_ns = 0;
	assert_memory_equal(&x, &y, sizeof(x));
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->mount, b->mount);
	assert_int_equal(a->nmemcgs, b->nmemcgs);
	for (unsigned int i = 0; i < a->nmemcgs; i++) {
		assert_string_equal(a->memcgs[i].path, b->memcgs[i].path);
		assert_memcg_info_equal(&a->memcgs[i].now, &b->memcgs[i].now);
	}
}

/* ---- round trip ---- */

static void test_round_trip(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, FIXTURE_EVENTS);
	struct event *ev = malloc(sizeof(*ev));
	char why[256];
	struct record_reader *r = open_image(&im, why, sizeof(why));
	struct frame first;

	(void)state;
	assert_non_null(ev);
	if (!r)
		fail_msg("refused: %s", why);
	assert_int_equal(record_reader__count(r), FIXTURE_EVENTS);
	for (unsigned int i = 0; i < FIXTURE_EVENTS; i++) {
		assert_int_equal(record_reader__next(r, ev), 1);
		assert_event_equal(&f->ev[i], ev);
		if (!i)
			first = *ev->kstack.frames;
	}
	assert_int_equal(record_reader__next(r, ev), 0);
	assert_int_equal(record_reader__next(r, ev), 0);
	/* strings outlive their event, as the symbolizer's do in a live session */
	assert_string_equal(first.sym, f->ev[0].kstack.frames[0].sym);
	assert_string_equal(first.obj, f->ev[0].kstack.frames[0].obj);
	assert_summary_equal(&f->sum, record_reader__summary(r));
	assert_settings_equal(&f->settings, record_reader__settings(r));
	record_reader__free(r);
	free(ev);
	free(im.buf);
	free(f);
}

/* A session without events read no settings: the reader says so, and still marks them recorded
 * so that a report never reads its own machine. */
static void test_no_settings(void **state)
{
	struct record_fixture *f = new_fixture();
	struct diag_settings *s;
	struct image im;
	char why[256];
	struct record_reader *r;

	(void)state;
	f->settings.valid = false;
	im = write_image(f, 0);
	r = open_image(&im, why, sizeof(why));
	if (!r)
		fail_msg("refused: %s", why);
	s = record_reader__settings(r);
	assert_true(s->recorded);
	assert_false(s->valid);
	assert_int_equal(s->nmemcgs, 0);
	record_reader__free(r);
	free(im.buf);
	free(f);
}

/* The events through a diagnosis sink and a record sink, both ended with the settings read
 * once (as a live `record` session: r NULL, the record in *rec), or from the record r and its
 * settings; returns the diagnosis's output. */
static char *diagnose(const struct record_fixture *f, struct record_reader *r, bool json,
		      struct image *rec)
{
	struct diag_settings *live = calloc(1, sizeof(*live));
	struct event *ev = malloc(sizeof(*ev));
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len), *rout;
	struct sink *d, *rs;
	int ret;

	assert_non_null(live);
	assert_non_null(ev);
	assert_non_null(out);
	d = sink_diagnosis__new(out, json);
	assert_non_null(d);
	if (!r) {
		rout = open_memstream((char **)&rec->buf, &rec->size);
		rs = sink_record__new(rout);
		assert_non_null(rs);
		for (unsigned int i = 0; i < FIXTURE_EVENTS; i++) {
			assert_int_equal(sink__event(d, &f->ev[i]), 0);
			assert_int_equal(sink__event(rs, &f->ev[i]), 0);
		}
		sink_diagnosis__read_settings(d, NULL, live);
		assert_true(live->valid);
		assert_int_equal(sink__end(rs, &f->sum, live), 0);
		assert_int_equal(sink__end(d, &f->sum, live), 0);
		assert_true(sink_record__ended(rs));
		assert_int_equal(sink_record__count(rs), FIXTURE_EVENTS);
		sink__free(rs);
		assert_int_equal(fclose(rout), 0);
	} else {
		while ((ret = record_reader__next(r, ev)) > 0)
			assert_int_equal(sink__event(d, ev), 0);
		assert_int_equal(ret, 0);
		assert_int_equal(sink__end(d, record_reader__summary(r),
					   record_reader__settings(r)), 0);
	}
	sink__free(d);
	assert_int_equal(fclose(out), 0);
	free(ev);
	free(live);
	return buf;
}

/* A report's diagnosis is the live one: the settings the live diagnosis read at its end travel
 * in the record, and the reader's diagnosis uses them and reads nothing of its own. */
static void test_diagnosis_settings_travel(void **state)
{
	struct record_fixture *f = new_fixture();

	(void)state;
	for (int json = 0; json <= 1; json++) {
		struct image rec = { 0 };
		char *live = diagnose(f, NULL, json, &rec), *rep, why[256];
		struct record_reader *r = open_image(&rec, why, sizeof(why));

		if (!r)
			fail_msg("refused: %s", why);
		rep = diagnose(f, r, json, NULL);
		if (json)
			assert_string_equal(live, rep);
		else /* the same but for the heading of the settings */
			assert_non_null(strstr(rep, "settings when the recording ended:\n"));
		record_reader__free(r);
		free(live);
		free(rep);
		free(rec.buf);
	}
	free(f);
}

/* The recorded settings are shown, not this machine's (the fixture's vm.max_map_count is not a
 * kernel's default). */
static void test_diagnosis_uses_recorded(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, FIXTURE_EVENTS);
	char why[256], *text;
	struct record_reader *r = open_image(&im, why, sizeof(why));

	(void)state;
	if (!r)
		fail_msg("refused: %s", why);
	text = diagnose(f, r, false, NULL);
	assert_non_null(strstr(text, "vm.max_map_count=123456\n"));
	assert_non_null(strstr(text, "vm.overcommit_memory=2,"));
	assert_non_null(strstr(text, "memory cgroup /test/hog: v1, usage 1.0 MiB of a 64.0 MiB"));
	record_reader__free(r);
	free(text);
	free(im.buf);
	free(f);
}

/* Settings no machine has (a crafted record) give saturated numbers, not wrapped ones (and no
 * signed overflow: `make fuzz` runs this code under UBSan). */
static void test_diagnosis_extreme_settings(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im;
	char why[256], *text;
	struct record_reader *r;

	(void)state;
	f->settings.sys.commit_limit_kb = INT64_MAX / 2;
	f->settings.sys.mem_total_kb = INT64_MAX - 1;
	f->settings.sys.swap_total_kb = INT64_MAX - 1;
	f->settings.sys.hstates[0].total = INT64_MAX;
	f->settings.sys.max_map_count = INT64_MAX;
	im = write_image(f, FIXTURE_EVENTS);
	r = open_image(&im, why, sizeof(why));
	if (!r)
		fail_msg("refused: %s", why);
	text = diagnose(f, r, false, NULL);
	assert_non_null(strstr(text, "CommitLimit 8.0 EiB,"));
	assert_non_null(strstr(text, "RAM 8.0 EiB; swap 8.0 EiB,"));
	record_reader__free(r);
	free(text);
	free(im.buf);
	free(f);
}

static void test_header(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 0);
	const struct record_info *in;
	struct timespec now;
	struct utsname u;
	char why[256];
	struct record_reader *r = open_image(&im, why, sizeof(why));

	(void)state;
	if (!r)
		fail_msg("refused: %s", why);
	in = record_reader__info(r);
	assert_int_equal(uname(&u), 0);
	clock_gettime(CLOCK_REALTIME, &now);
	assert_int_equal(in->format_version, RECORD_FORMAT_VERSION);
	assert_int_equal(in->abi_version, AF_ABI_VERSION);
	assert_non_null(strstr(in->tool_version, "allocfail"));
	assert_string_equal(in->hostname, u.nodename);
	assert_string_equal(in->kernel_release, u.release);
	assert_string_equal(in->machine, u.machine);
	assert_true(in->start.tv_sec <= now.tv_sec && in->start.tv_sec > now.tv_sec - 60);
	/* a session without events */
	assert_int_equal(record_reader__count(r), 0);
	assert_int_equal(record_reader__next(r, &f->ev[0]), 0);
	assert_summary_equal(&f->sum, record_reader__summary(r));
	record_reader__free(r);
	free(im.buf);
	free(f);
}

/* Every event and the summary through a sink made by mk, into a string (caller frees). */
static char *render(struct sink *(*mk)(FILE *), const struct event *const *evs, unsigned int n,
		    const struct summary *sum)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct sink *s = mk(out);

	assert_non_null(s);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(sink__event(s, evs[i]), 0);
	assert_int_equal(sink__end(s, sum, NULL), 0);
	sink__free(s);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/* What the sinks print from the read events is byte for byte what they print live. The read
 * events live in the reader only until the next call, so each is rendered on its own. */
static void test_sinks_print_the_same(void **state)
{
	static struct sink *(*const sinks[])(FILE *) = { sink_text__new, sink_json__new };
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, FIXTURE_EVENTS);
	struct event *ev = malloc(sizeof(*ev));
	char why[256];
	struct record_reader *r = open_image(&im, why, sizeof(why));

	(void)state;
	assert_non_null(ev);
	assert_non_null(r);
	for (unsigned int i = 0; i < FIXTURE_EVENTS; i++) {
		const struct event *live = &f->ev[i];
		const struct event *read = ev;

		assert_int_equal(record_reader__next(r, ev), 1);
		for (unsigned int k = 0; k < sizeof(sinks) / sizeof(sinks[0]); k++) {
			char *a = render(sinks[k], &live, 1, &f->sum);
			char *b = render(sinks[k], &read, 1, record_reader__summary(r));

			assert_string_equal(a, b);
			free(a);
			free(b);
		}
	}
	record_reader__free(r);
	free(ev);
	free(im.buf);
	free(f);
}

/* ---- refusals ---- */

static size_t chunk_at(const struct image *im, unsigned int index);

/* Whether len ends an image after a whole chunk past the header, before its trailer. */
static bool chunk_boundary(const struct image *im, size_t len)
{
	size_t pos = chunk_at(im, 1);

	while (pos < im->size) {
		size_t next = pos + 12 + fixture__le32(im->buf + pos + 4);

		if (len == pos)
			return next < im->size || len < im->size; /* not the trailer's end */
		pos = next;
	}
	return false;
}

/* A file cut anywhere is refused whole: nothing of it is returned. */
static void test_truncated_anywhere(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 2);
	char why[256];
	struct record_reader *r;

	(void)state;
	for (size_t len = 0; len < im.size; len++)
		if (!chunk_boundary(&im, len)) /* those are records cut short: test_cut_short */
			assert_refused(im.buf, len, NULL);
	assert_refused(im.buf, 0, "empty file");
	assert_refused(im.buf, 12, "shorter than the preamble");
	assert_refused(im.buf, 16, "no header");
	assert_refused(im.buf, im.size - 1, "truncated or corrupt");
	r = open_image(&im, why, sizeof(why));
	assert_non_null(r);
	record_reader__free(r);
	free(im.buf);
	free(f);
}

static void test_bit_flips(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 2);

	(void)state;
	for (size_t i = 0; i < im.size; i++) {
		for (int bit = 0; bit < 8; bit++) {
			im.buf[i] ^= 1 << bit;
			assert_refused(im.buf, im.size, NULL);
			im.buf[i] ^= 1 << bit;
		}
	}
	im.buf[im.size / 2] ^= 0x10;
	assert_refused(im.buf, im.size, "checksum mismatch");
	free(im.buf);
	free(f);
}

static void test_wrong_magic_and_version(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 1);
	static const char text[] = "{\"type\":\"syscall\"}\n";
	char want[96];

	(void)state;
	assert_refused((const uint8_t *)text, sizeof(text) - 1, "not an allocfail record");
	im.buf[1] = 'X';
	assert_refused(im.buf, im.size, "bad magic");
	im.buf[1] = 'A';
	im.buf[8] = RECORD_FORMAT_VERSION + 1;
	snprintf(want, sizeof(want), "format version %d is not supported (this allocfail reads %d)",
		 RECORD_FORMAT_VERSION + 1, RECORD_FORMAT_VERSION);
	assert_refused(im.buf, im.size, want);
	im.buf[8] = RECORD_FORMAT_VERSION;
	/* the header's ABI version, CRCs repaired: refused for what it says, not as corrupt */
	im.buf[16 + 8] = AF_ABI_VERSION + 1;
	record_fixture__fix_crcs(im.buf, im.size);
	snprintf(want, sizeof(want), "recorded with BPF ABI version %d", AF_ABI_VERSION + 1);
	assert_refused(im.buf, im.size, want);
	free(im.buf);
	free(f);
}

static void test_other_machine(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 1);
	uint8_t *m = memmem(im.buf, im.size, "x86_64", 7);

	(void)state;
	assert_non_null(m);
	memcpy(m, "arm_64", 7);
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "recorded on arm_64; this allocfail reads x86_64 records");
	free(im.buf);
	free(f);
}

/* Offset of chunk `index` (0: the header) in an image. */
static size_t chunk_at(const struct image *im, unsigned int index)
{
	size_t pos = 16;

	while (index--)
		pos += 12 + fixture__le32(im->buf + pos + 4);
	assert_true(pos + 12 <= im->size);
	return pos;
}

/* The CRC chain catches a chunk taken out; the trailer's count catches it behind repaired CRCs. */
static void test_dropped_chunk(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 3);
	size_t at = chunk_at(&im, 2), next = chunk_at(&im, 3);

	(void)state;
	memmove(im.buf + at, im.buf + next, im.size - next);
	im.size -= next - at;
	assert_refused(im.buf, im.size, "checksum mismatch");
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "the trailer counts 3 events, the file holds 2");
	free(im.buf);
	free(f);
}

static void test_unfinished_and_trailing(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = { 0 };
	FILE *out = open_memstream((char **)&im.buf, &im.size);
	struct sink *s = sink_record__new(out);
	uint8_t *longer;

	(void)state;
	char why[256];
	struct record_reader *r;

	assert_non_null(s);
	assert_int_equal(sink__event(s, &f->ev[0]), 0);
	sink__free(s); /* stopped before end(): whole chunks, no trailer */
	assert_int_equal(fclose(out), 0);
	r = open_image(&im, why, sizeof(why));
	assert_non_null(r);
	assert_true(record_reader__cut_short(r));
	assert_int_equal(record_reader__count(r), 1);
	record_reader__free(r);
	assert_refused(im.buf, im.size - 1, "runs past the end"); /* not cut after a chunk */
	free(im.buf);

	im = write_image(f, 1);
	longer = calloc(1, im.size + 1);
	assert_non_null(longer);
	memcpy(longer, im.buf, im.size);
	assert_refused(longer, im.size + 1, "data after the trailer (1 bytes)");
	free(longer);
	free(im.buf);
	free(f);
}

/* A stream that takes `room` bytes, then fails as a full disk does. */
struct full_disk {
	size_t room;
	struct image *im;
};

static ssize_t full_write(void *cookie, const char *buf, size_t size)
{
	struct full_disk *d = cookie;
	size_t n = size < d->room ? size : d->room;
	uint8_t *p = realloc(d->im->buf, d->im->size + n + 1);

	assert_non_null(p);
	memcpy(p + d->im->size, buf, n);
	d->im->buf = p;
	d->im->size += n;
	d->room -= n;
	if (n < size && !n) {
		errno = ENOSPC;
		return -1;
	}
	return n;
}

/* A file cut after whole chunks (its writer failed) is read whole, and says so; its summary
 * is the events' own count. */
static void test_cut_short(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, FIXTURE_EVENTS);
	struct event *ev = malloc(sizeof(*ev));
	const struct summary *sum;
	uint64_t counted = 0, by_type[AF_EV_TYPE_MAX] = { 0 };
	char why[256];
	struct record_reader *r;

	(void)state;
	assert_non_null(ev);
	for (unsigned int i = 0; i < FIXTURE_EVENTS; i++) {
		counted += f->ev[i].count;
		by_type[f->ev[i].type] += f->ev[i].count;
	}
	/* the trailer taken off */
	im.size = chunk_at(&im, FIXTURE_EVENTS + 1);
	r = open_image(&im, why, sizeof(why));
	if (!r)
		fail_msg("refused: %s", why);
	assert_true(record_reader__cut_short(r));
	assert_int_equal(record_reader__count(r), FIXTURE_EVENTS);
	for (unsigned int i = 0; i < FIXTURE_EVENTS; i++) {
		assert_int_equal(record_reader__next(r, ev), 1);
		assert_int_equal(ev->id, f->ev[i].id);
	}
	assert_int_equal(record_reader__next(r, ev), 0);
	sum = record_reader__summary(r);
	assert_int_equal(sum->events, counted);
	for (int t = 0; t < AF_EV_TYPE_MAX; t++)
		assert_int_equal(sum->by_type[t], by_type[t]);
	assert_int_equal(sum->lost, 0);
	assert_false(record_reader__settings(r)->valid);
	record_reader__free(r);

	/* after the header alone: a record of no events */
	im.size = chunk_at(&im, 1);
	r = open_image(&im, why, sizeof(why));
	assert_non_null(r);
	assert_true(record_reader__cut_short(r));
	assert_int_equal(record_reader__count(r), 0);
	assert_int_equal(record_reader__next(r, ev), 0);
	record_reader__free(r);

	/* a finished record is not cut short */
	free(im.buf);
	im = write_image(f, FIXTURE_EVENTS);
	r = open_image(&im, why, sizeof(why));
	assert_non_null(r);
	assert_false(record_reader__cut_short(r));
	record_reader__free(r);
	free(im.buf);
	free(ev);
	free(f);
}

/* The writer on a disk that fills up: the event whose write fails, and every one after it, is
 * refused; what it kept whole (sink_record__whole_bytes()) reads as a record cut short. */
static void test_writer_on_full_disk(void **state)
{
	static const cookie_io_functions_t io = { .write = full_write };
	struct record_fixture *f = new_fixture();
	struct image whole = write_image(f, FIXTURE_EVENTS);
	size_t rooms[] = { chunk_at(&whole, 2) + 5, chunk_at(&whole, 3) - 1, chunk_at(&whole, 3) };

	(void)state;
	for (unsigned int k = 0; k < sizeof(rooms) / sizeof(rooms[0]); k++) {
		struct image im = { 0 };
		struct full_disk d = { .room = rooms[k], .im = &im };
		FILE *out = fopencookie(&d, "w", io);
		struct sink *s;
		struct record_reader *r;
		unsigned int ok = 0;
		char why[256];

		assert_non_null(out);
		s = sink_record__new(out);
		assert_non_null(s);
		for (unsigned int i = 0; i < FIXTURE_EVENTS; i++)
			if (!sink__event(s, &f->ev[i]) && !s->err)
				ok++;
		assert_true(ok < FIXTURE_EVENTS);
		assert_int_equal(sink_record__count(s), ok);
		assert_int_equal(s->unwritten, FIXTURE_EVENTS - ok);
		assert_int_not_equal(sink__end(s, &f->sum, NULL), 0);
		assert_false(sink_record__ended(s));
		assert_true(sink_record__whole_bytes(s) <= im.size);
		im.size = sink_record__whole_bytes(s); /* what outputs__close() cuts it to */
		r = open_image(&im, why, sizeof(why));
		if (!r)
			fail_msg("room %zu: refused: %s", rooms[k], why);
		assert_true(record_reader__cut_short(r));
		assert_int_equal(record_reader__count(r), ok);
		record_reader__free(r);
		sink__free(s);
		fclose(out);
		free(im.buf);
	}
	free(whole.buf);
	free(f);
}

/* Counts adding up to more than the summary's events (which the pipeline counts first). */
static void test_counts_over_summary(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im;

	(void)state;
	f->sum.events = 20; /* the fixture's counts add up to 21 */
	im = write_image(f, FIXTURE_EVENTS);
	assert_refused(im.buf, im.size, "the events count 21 failures, the summary 20");
	free(im.buf);
	f->ev[0].count = UINT64_MAX; /* with 20 more: the sum would wrap */
	f->sum.events = UINT64_MAX;
	im = write_image(f, FIXTURE_EVENTS);
	assert_refused(im.buf, im.size, "the counts add up to more than 2^64");
	free(im.buf);
	free(f);
}

/* Skips a string field (u32 length with its NUL, then the bytes) at *pos. */
static void skip_str(const uint8_t *body, size_t *pos)
{
	*pos += 4 + fixture__le32(body + *pos);
}

/* Inconsistent content behind valid CRCs: what the fuzzer does at random, once on purpose. */
static void test_bad_content(void **state)
{
	struct record_fixture *f = new_fixture();
	struct image im = write_image(f, 1);
	uint8_t *body = im.buf + chunk_at(&im, 1) + 8;
	size_t comm = 84, kstack = comm;

	(void)state;
	for (int i = 0; i < 5; i++) /* comm, cgroup, memcg, victim_cgroup, oom_constraint */
		skip_str(body, &kstack);
	body[0] = AF_EV_MALLOC; /* a type without a payload */
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "unknown event type 6");
	body[0] = AF_EV_SYSCALL;

	body[comm + 4 + 5] = 'x'; /* comm "prog1" without its NUL */
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "comm is not one NUL-terminated string");
	body[comm + 4 + 5] = '\0';
	body[comm + 4 + 2] = '\0'; /* a NUL inside */
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "comm is not one NUL-terminated string");
	body[comm + 4 + 2] = 'o';

	body[kstack] = 129;
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "129 kernel frames (at most 128)");
	body[kstack] = 0xff;
	body[kstack + 3] = 0xff;
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "kernel frames (at most 128)");
	body[kstack] = 2;
	body[kstack + 3] = 0;
	record_fixture__fix_crcs(im.buf, im.size);
	body[kstack + 4 + 8 + 8 + 4] = 2; /* the first frame's inlined flag */
	record_fixture__fix_crcs(im.buf, im.size);
	assert_refused(im.buf, im.size, "inlined flag is 2, not a boolean");
	free(im.buf);
	free(f);
}

/* A payload its type's descriptor refuses (a page order the kernel never gives). */
static void test_payload_check(void **state)
{
	struct record_fixture *f = new_fixture();
	struct record_reader *r;
	struct image im;
	char why[256];

	(void)state;
	f->pa.order = 32;
	im = write_image(f, 2);
	assert_refused(im.buf, im.size, "page allocation of order 32");
	free(im.buf);
	f->pa.order = 31; /* the largest it takes */
	im = write_image(f, 2);
	r = open_image(&im, why, sizeof(why));
	assert_non_null(r);
	record_reader__free(r);
	free(im.buf);
	free(f);
}

/* ---- what reaches the disk ---- */

/* Bytes a payload carries past its declared struct (a later ABI's raw stack copy) stay out. */
static void test_payload_tail_not_written(void **state)
{
	struct record_fixture *f = new_fixture();
	size_t tail = 4096;
	struct af_syscall *big = calloc(1, sizeof(*big) + tail);
	static const uint8_t secret[16] = { 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
					    0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5 };
	struct event *ev = malloc(sizeof(*ev));
	struct image im;
	char why[256];
	struct record_reader *r;

	(void)state;
	assert_non_null(big);
	assert_non_null(ev);
	memcpy(big, &f->sc, sizeof(*big));
	memset((uint8_t *)big + sizeof(*big), 0xa5, tail);
	big->h.size = sizeof(*big) + tail;
	f->ev[0].raw.sc = big;
	im = write_image(f, 1);
	assert_null(memmem(im.buf, im.size, secret, sizeof(secret)));
	r = open_image(&im, why, sizeof(why));
	assert_non_null(r);
	assert_int_equal(record_reader__next(r, ev), 1);
	assert_int_equal(ev->raw.h->size, sizeof(struct af_syscall));
	big->h.size = sizeof(*big);
	assert_memory_equal(ev->raw.sc, big, sizeof(*big));
	record_reader__free(r);
	free(im.buf);
	free(ev);
	free(big);
	free(f);
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_record.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static FILE *create(const char *path)
{
	char why[128];
	int fd = outfile__create(path, 0600, why, sizeof(why));

	return fd < 0 ? NULL : fdopen(fd, "w");
}

/* Written to disk and read back by path; mode 0600 whatever the umask or an old file's mode. */
static void test_file_mode_0600(void **state)
{
	struct record_fixture *f = new_fixture();
	char path[128], link[128], why[256];
	mode_t old = umask(0);
	struct record_reader *r;
	FILE *out;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.afrec", tmpdir);
	out = create(path);
	assert_non_null(out);
	assert_int_equal(record_fixture__write(f, FIXTURE_EVENTS, out), 0);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(mode_of(path), 0600);
	r = record_reader__open(path, why, sizeof(why));
	if (!r)
		fail_msg("refused: %s", why);
	assert_int_equal(record_reader__count(r), FIXTURE_EVENTS);
	record_reader__free(r);

	/* an old world-readable file: truncated and made private before anything is written */
	assert_int_equal(chmod(path, 0644), 0);
	out = create(path);
	assert_non_null(out);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(ftell(out), 0);
	assert_int_equal(record_fixture__write(f, 1, out), 0);
	assert_int_equal(fclose(out), 0);

	/* a symbolic link is not followed */
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	assert_int_equal(symlink(path, link), 0);
	errno = 0;
	assert_null(create(link));
	assert_int_equal(errno, ELOOP);

	umask(old);
	free(f);
}

/* Outputs refuse what is not a regular file of the tracer's user, without blocking on a FIFO
 * and without truncating what they refuse. */
static void test_create_refuses(void **state)
{
	char path[128], why[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(outfile__create(path, 0600, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not a regular file"));
	assert_int_equal(outfile__create(tmpdir, 0600, why, sizeof(why)), -1);
	if (geteuid() == 0) {
		int fd;

		snprintf(path, sizeof(path), "%s/theirs", tmpdir);
		fd = open(path, O_WRONLY | O_CREAT, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "x", 1), 1);
		close(fd);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(outfile__create(path, 0600, why, sizeof(why)), -1);
		assert_string_equal(why, "it is owned by another user (uid 65534)");
		assert_int_equal(mode_of(path), 0644);
	}
	assert_true(outfile__create("/dev/null", 0600, why, sizeof(why)) >= 0);
}

static void test_open_errors(void **state)
{
	char path[128], why[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	errno = 0;
	assert_null(record_reader__open(path, why, sizeof(why)));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(why, "cannot read it: No such file or directory");
	assert_null(record_reader__open(tmpdir, why, sizeof(why)));
	assert_int_equal(errno, EISDIR);
	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	fclose(fopen(path, "w"));
	assert_null(record_reader__open(path, why, sizeof(why)));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(why, "empty file");
	/* endless input: refused from its first bytes */
	assert_null(record_reader__open("/dev/zero", why, sizeof(why)));
	assert_int_equal(errno, EBADMSG);
	assert_string_equal(why, "not an allocfail record (bad magic)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_settings),
		cmocka_unit_test(test_diagnosis_settings_travel),
		cmocka_unit_test(test_diagnosis_uses_recorded),
		cmocka_unit_test(test_diagnosis_extreme_settings),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_sinks_print_the_same),
		cmocka_unit_test(test_truncated_anywhere),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_wrong_magic_and_version),
		cmocka_unit_test(test_other_machine),
		cmocka_unit_test(test_dropped_chunk),
		cmocka_unit_test(test_unfinished_and_trailing),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_writer_on_full_disk),
		cmocka_unit_test(test_counts_over_summary),
		cmocka_unit_test(test_bad_content),
		cmocka_unit_test(test_payload_check),
		cmocka_unit_test(test_payload_tail_not_written),
		cmocka_unit_test(test_file_mode_0600),
		cmocka_unit_test(test_create_refuses),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
