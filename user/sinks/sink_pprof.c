// SPDX-License-Identifier: GPL-2.0
/*
 * pprof export: a perftools.profiles.Profile (proto/profile.proto), packed with protobuf-c and
 * gzip-compressed with zlib, as `go tool pprof` and pprof-format read it.
 *
 * - Two values per sample: ("failures", "count") and ("requested", "bytes"), the bytes the
 *   failed requests asked for (0 when unknown); --weight picks default_sample_type.
 * - Sample stacks are leaf first: kernel frames innermost first, then the user frames.
 * - A Location is one physical frame: its address, its object's Mapping, and one Line per
 *   function at that address, innermost inlined call first, the function they were inlined
 *   into last. The key includes the Lines, since one address of one object can name different
 *   code in two processes (ASLR). A frame without a symbol has no Line.
 * - One Mapping per object path ("[kernel]" for kernel frames); user frames of an unknown
 *   object have mapping_id 0. Address ranges are per process, so they are left 0.
 * - Functions are deduplicated by (name, source file).
 * - Labels: type, cause (its code, "none" before the cause step ran), pid (number), comm and,
 *   when known, cgroup. Samples with the same stack and labels are merged.
 * Everything is interned as it arrives, and the profile is built and written at end().
 */
#include <errno.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "proto/profile.pb-c.h"
#include "cause.h"
#include "exporters.h"

/* An interned key: its id is its 1-based position in insertion order. */
struct blob {
	uint64_t id;
	size_t len;
	unsigned char data[];
};

struct intern {
	void *root; /* tsearch tree of struct blob, by blob_cmp */
	struct blob **items;
	size_t n, cap;
};

/* A growable array of 64-bit words, where keys are assembled. */
struct words {
	uint64_t *v;
	size_t n, cap;
};

/* Which Mapping fields pprof may trust, per mapping id. */
struct mapping_has {
	bool functions, filenames, line_numbers, inline_frames;
};

struct sink_pprof {
	struct sink sink; /* first: the vtable's struct sink * is this */
	enum weight weight;
	struct intern strings;	 /* id - 1 is the string table index: "" goes first */
	struct intern functions; /* { name, file } */
	struct intern mappings;	 /* { filename } */
	struct intern locations; /* { mapping, address, nlines, { function, line }... } */
	struct intern samples;	 /* { nlocs, locations..., type, cause, pid, comm, cgroup } */
	int64_t (*values)[2];	 /* per sample id - 1: failures, bytes */
	size_t values_n, values_cap;
	struct mapping_has *has; /* per mapping id - 1 */
	size_t has_n, has_cap;
	struct words key, locs;	 /* scratch */
	int64_t first_ns;	 /* wall time of the earliest event, 0 before any */
	int err;		 /* first -ENOMEM, reported by end() */
};

enum { SAMPLE_LABELS = 5 };

static int blob_cmp(const void *pa, const void *pb)
{
	const struct blob *a = pa, *b = pb;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->data, b->data, a->len);
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t cap2 = *cap ? *cap : 16;
	void *v2;

	if (need <= *cap)
		return 0;
	while (cap2 < need)
		cap2 *= 2;
	v2 = reallocarray(*v, cap2, size);
	if (!v2)
		return -ENOMEM;
	*v = v2;
	*cap = cap2;
	return 0;
}

/* Grows v to at least need elements, the new ones zeroed. */
static int grow_zeroed(void **v, size_t *n, size_t *cap, size_t need, size_t size)
{
	if (grow(v, cap, need, size))
		return -ENOMEM;
	if (need > *n) {
		memset((char *)*v + *n * size, 0, (need - *n) * size);
		*n = need;
	}
	return 0;
}

/* The id of data[0..len), added if new; 0 without memory. */
static uint64_t intern__id(struct intern *t, const void *data, size_t len)
{
	struct blob *b, **found;

	if (grow((void **)&t->items, &t->cap, t->n + 1, sizeof(*t->items)))
		return 0;
	b = malloc(sizeof(*b) + len);
	if (!b)
		return 0;
	b->id = t->n + 1;
	b->len = len;
	memcpy(b->data, data, len);
	found = tsearch(b, &t->root, blob_cmp);
	if (!found) {
		free(b);
		return 0;
	}
	if (*found != b) {
		free(b);
		return (*found)->id;
	}
	t->items[t->n++] = b;
	return b->id;
}

static void intern__free(struct intern *t)
{
	tdestroy(t->root, free);
	free(t->items);
}

static int words__push(struct words *w, uint64_t v)
{
	if (grow((void **)&w->v, &w->cap, w->n + 1, sizeof(*w->v)))
		return -ENOMEM;
	w->v[w->n++] = v;
	return 0;
}

static uint64_t words__intern(struct words *w, struct intern *t)
{
	return intern__id(t, w->v, w->n * sizeof(*w->v));
}

/* String table index of s (with its NUL, so the table can point into the blob). */
static int64_t str_index(struct sink_pprof *p, const char *s)
{
	uint64_t id = intern__id(&p->strings, s, strlen(s) + 1);

	if (!id)
		p->err = -ENOMEM;
	return id ? (int64_t)id - 1 : 0;
}

static uint64_t mapping_id(struct sink_pprof *p, const char *obj)
{
	uint64_t filename, id;

	if (!obj)
		return 0;
	filename = str_index(p, obj);
	id = intern__id(&p->mappings, &filename, sizeof(filename));
	if (!id || grow_zeroed((void **)&p->has, &p->has_n, &p->has_cap, id, sizeof(*p->has))) {
		p->err = -ENOMEM;
		return 0;
	}
	return id;
}

static uint64_t function_id(struct sink_pprof *p, const struct frame *fr)
{
	uint64_t key[2] = { str_index(p, fr->sym), fr->file ? str_index(p, fr->file) : 0 };
	uint64_t id = intern__id(&p->functions, key, sizeof(key));

	if (!id)
		p->err = -ENOMEM;
	return id;
}

/*
 * The location of frames[0..n): inline frames followed by the physical frame they were
 * expanded from (the last one). Returns its id, or 0 without memory.
 */
static uint64_t location_id(struct sink_pprof *p, const struct frame *frames, unsigned int n,
			    bool kernel)
{
	const struct frame *phys = &frames[n - 1];
	const char *obj = phys->obj ? phys->obj : kernel ? "[kernel]" : NULL;
	uint64_t mapping = mapping_id(p, obj), nlines = 0;
	struct mapping_has *has = mapping ? &p->has[mapping - 1] : NULL;
	int err = 0;

	p->key.n = 0;
	err |= words__push(&p->key, mapping);
	err |= words__push(&p->key, phys->addr);
	err |= words__push(&p->key, 0); /* nlines, set below */
	for (unsigned int i = 0; i < n; i++) {
		if (!frames[i].sym)
			continue;
		err |= words__push(&p->key, function_id(p, &frames[i]));
		err |= words__push(&p->key, (uint64_t)frames[i].line);
		nlines++;
		if (has) {
			has->functions = true;
			has->filenames |= frames[i].file != NULL;
			has->line_numbers |= frames[i].line > 0;
		}
	}
	if (err)
		return 0;
	p->key.v[2] = nlines;
	if (has)
		has->inline_frames |= nlines > 1;
	return words__intern(&p->key, &p->locations);
}

/* Appends the stack's locations, innermost first, to p->locs. */
static int push_stack(struct sink_pprof *p, const struct stack *st, bool kernel)
{
	unsigned int i = 0;

	while (i < st->n) {
		unsigned int j = i;
		uint64_t id;

		/* inline frames precede the physical frame they were expanded from */
		while (j + 1 < st->n && st->frames[j].inlined)
			j++;
		id = location_id(p, &st->frames[i], j - i + 1, kernel);
		if (!id || words__push(&p->locs, id))
			return -ENOMEM;
		i = j + 1;
	}
	return 0;
}

/* The sample key: the stack, then the label values in SAMPLE_LABELS order. */
static int sample_key(struct sink_pprof *p, const struct event *ev)
{
	const char *type = event_type__name(ev->type);
	int err = 0;

	p->key.n = 0;
	err |= words__push(&p->key, p->locs.n);
	for (size_t i = 0; i < p->locs.n; i++)
		err |= words__push(&p->key, p->locs.v[i]);
	err |= words__push(&p->key, str_index(p, type ? type : "unknown"));
	err |= words__push(&p->key, str_index(p, ev->cause ? ev->cause->code : "none"));
	err |= words__push(&p->key, ev->pid);
	err |= words__push(&p->key, str_index(p, ev->comm));
	err |= words__push(&p->key, ev->cgroup ? str_index(p, ev->cgroup) : 0);
	return err ? -ENOMEM : p->err;
}

static int pprof_event(struct sink *s, const struct event *ev)
{
	struct sink_pprof *p = (struct sink_pprof *)s;
	int64_t wall = ev->wall.tv_sec * 1000000000LL + ev->wall.tv_nsec;
	uint64_t id;
	int err;

	if (p->err)
		return p->err;
	p->locs.n = 0;
	err = push_stack(p, &ev->kstack, true);
	if (!err)
		err = push_stack(p, &ev->ustack, false);
	if (!err)
		err = sample_key(p, ev);
	if (err)
		return p->err = err;
	id = words__intern(&p->key, &p->samples);
	if (!id || grow_zeroed((void **)&p->values, &p->values_n, &p->values_cap, id,
			       sizeof(*p->values)))
		return p->err = -ENOMEM;
	/* profile.proto's values are int64: saturate there rather than wrap negative */
	for (int i = 0; i < 2; i++) {
		uint64_t v = weight__add((uint64_t)p->values[id - 1][i], i ? ev->bytes : ev->count);

		p->values[id - 1][i] = v > INT64_MAX ? INT64_MAX : (int64_t)v;
	}
	if (!p->first_ns || (wall > 0 && wall < p->first_ns))
		p->first_ns = wall;
	return 0;
}

/* Building the profile at end(): every allocation is recorded and freed after packing. */

struct build {
	struct sink_pprof *p;
	Perftools__Profiles__Profile prof;
	void **allocs;
	size_t nallocs, cap;
	int err;
};

static void *build__alloc(struct build *b, size_t n, size_t size)
{
	void *v;

	if (b->err || grow((void **)&b->allocs, &b->cap, b->nallocs + 1, sizeof(*b->allocs)))
		goto nomem;
	v = calloc(n ? n : 1, size);
	if (!v)
		goto nomem;
	b->allocs[b->nallocs++] = v;
	return v;
nomem:
	b->err = -ENOMEM;
	return NULL;
}

static void build__free(struct build *b)
{
	for (size_t i = 0; i < b->nallocs; i++)
		free(b->allocs[i]);
	free(b->allocs);
}

/* n structs and a pointer array to them, as protobuf-c's repeated message fields want. */
static void *build__array(struct build *b, size_t n, size_t size, void ***ptrs)
{
	char *v = build__alloc(b, n, size);

	*ptrs = build__alloc(b, n, sizeof(void *));
	if (!v || !*ptrs)
		return NULL;
	for (size_t i = 0; i < n; i++)
		(*ptrs)[i] = v + i * size;
	return v;
}

static const uint64_t *blob_words(const struct intern *t, size_t i)
{
	return (const uint64_t *)t->items[i]->data;
}

static void build_sample_types(struct build *b)
{
	struct sink_pprof *p = b->p;
	Perftools__Profiles__ValueType *vt;

	vt = build__array(b, 3, sizeof(*vt), (void ***)&b->prof.sample_type);
	if (!vt)
		return;
	for (int i = 0; i < 3; i++)
		perftools__profiles__value_type__init(&vt[i]);
	vt[0].type = str_index(p, "failures");
	vt[0].unit = str_index(p, "count");
	vt[1].type = str_index(p, "requested");
	vt[1].unit = str_index(p, "bytes");
	b->prof.n_sample_type = 2;
	/* every failure is recorded: a period of one failure */
	vt[2] = vt[0];
	b->prof.period_type = &vt[2];
	b->prof.period = 1;
	b->prof.default_sample_type = p->weight == WEIGHT_BYTES ? vt[1].type : vt[0].type;
	b->prof.n_comment = 1;
	b->prof.comment = build__alloc(b, 1, sizeof(int64_t));
	if (b->prof.comment)
		b->prof.comment[0] = str_index(p, "allocation failures traced by allocfail");
}

static void build_functions(struct build *b)
{
	const struct intern *t = &b->p->functions;
	Perftools__Profiles__Function *f;

	f = build__array(b, t->n, sizeof(*f), (void ***)&b->prof.function);
	if (!f)
		return;
	for (size_t i = 0; i < t->n; i++) {
		perftools__profiles__function__init(&f[i]);
		f[i].id = i + 1;
		f[i].name = f[i].system_name = blob_words(t, i)[0];
		f[i].filename = blob_words(t, i)[1];
	}
	b->prof.n_function = t->n;
}

static void build_mappings(struct build *b)
{
	const struct intern *t = &b->p->mappings;
	Perftools__Profiles__Mapping *m;

	m = build__array(b, t->n, sizeof(*m), (void ***)&b->prof.mapping);
	if (!m)
		return;
	for (size_t i = 0; i < t->n; i++) {
		perftools__profiles__mapping__init(&m[i]);
		m[i].id = i + 1;
		m[i].filename = blob_words(t, i)[0];
		m[i].has_functions = b->p->has[i].functions;
		m[i].has_filenames = b->p->has[i].filenames;
		m[i].has_line_numbers = b->p->has[i].line_numbers;
		m[i].has_inline_frames = b->p->has[i].inline_frames;
	}
	b->prof.n_mapping = t->n;
}

static void build_location(struct build *b, Perftools__Profiles__Location *loc,
			   const uint64_t *key)
{
	Perftools__Profiles__Line *lines;
	size_t n = key[2];

	loc->mapping_id = key[0];
	loc->address = key[1];
	lines = build__array(b, n, sizeof(*lines), (void ***)&loc->line);
	if (!lines)
		return;
	for (size_t i = 0; i < n; i++) {
		perftools__profiles__line__init(&lines[i]);
		lines[i].function_id = key[3 + 2 * i];
		lines[i].line = (int64_t)key[4 + 2 * i];
	}
	loc->n_line = n;
}

static void build_locations(struct build *b)
{
	const struct intern *t = &b->p->locations;
	Perftools__Profiles__Location *loc;

	loc = build__array(b, t->n, sizeof(*loc), (void ***)&b->prof.location);
	if (!loc)
		return;
	for (size_t i = 0; i < t->n; i++) {
		perftools__profiles__location__init(&loc[i]);
		loc[i].id = i + 1;
		build_location(b, &loc[i], blob_words(t, i));
	}
	b->prof.n_location = t->n;
}

static void build_labels(struct build *b, Perftools__Profiles__Sample *s, const uint64_t *vals)
{
	static const char *const keys[SAMPLE_LABELS] = { "type", "cause", "pid", "comm",
							  "cgroup" };
	Perftools__Profiles__Label *l;
	size_t n = 0;

	l = build__array(b, SAMPLE_LABELS, sizeof(*l), (void ***)&s->label);
	if (!l)
		return;
	for (size_t i = 0; i < SAMPLE_LABELS; i++) {
		bool num = !strcmp(keys[i], "pid");

		/* string index 0 is "": a label whose value is unknown */
		if (!num && !vals[i])
			continue;
		perftools__profiles__label__init(&l[n]);
		l[n].key = str_index(b->p, keys[i]);
		if (num)
			l[n].num = (int64_t)vals[i];
		else
			l[n].str = (int64_t)vals[i];
		n++;
	}
	s->n_label = n;
}

static void build_samples(struct build *b)
{
	const struct intern *t = &b->p->samples;
	Perftools__Profiles__Sample *s;

	s = build__array(b, t->n, sizeof(*s), (void ***)&b->prof.sample);
	if (!s)
		return;
	for (size_t i = 0; i < t->n; i++) {
		const uint64_t *key = blob_words(t, i);
		size_t nlocs = key[0];

		perftools__profiles__sample__init(&s[i]);
		/* the key's location ids are the repeated field as is */
		s[i].location_id = (uint64_t *)&key[1];
		s[i].n_location_id = nlocs;
		s[i].value = b->p->values[i];
		s[i].n_value = 2;
		build_labels(b, &s[i], &key[1 + nlocs]);
	}
	b->prof.n_sample = t->n;
}

/* Last: every string is interned by now. */
static void build_strings(struct build *b)
{
	const struct intern *t = &b->p->strings;

	b->prof.string_table = build__alloc(b, t->n, sizeof(char *));
	if (!b->prof.string_table)
		return;
	for (size_t i = 0; i < t->n; i++)
		b->prof.string_table[i] = (char *)t->items[i]->data;
	b->prof.n_string_table = t->n;
}

static int write_gzip(FILE *out, const uint8_t *buf, size_t len)
{
	unsigned char chunk[16384];
	z_stream zs = { 0 };
	int zerr, err = 0;

	if (len > UINT32_MAX)
		return -EFBIG;
	/* windowBits + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, MAX_WBITS + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	zs.next_in = (Bytef *)buf;
	zs.avail_in = len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zerr = deflate(&zs, Z_FINISH);
		if (fwrite(chunk, 1, sizeof(chunk) - zs.avail_out, out) !=
		    sizeof(chunk) - zs.avail_out) {
			err = -EIO;
			break;
		}
	} while (zerr == Z_OK);
	if (!err && zerr != Z_STREAM_END)
		err = -EIO;
	deflateEnd(&zs);
	return err;
}

static int pack_and_write(struct build *b, FILE *out)
{
	size_t len = perftools__profiles__profile__get_packed_size(&b->prof);
	uint8_t *buf = malloc(len ? len : 1);
	int err;

	if (!buf)
		return -ENOMEM;
	perftools__profiles__profile__pack(&b->prof, buf);
	err = write_gzip(out, buf, len);
	free(buf);
	if (fflush(out) && !err)
		err = -errno;
	return err;
}

static int pprof_end(struct sink *s, const struct summary *sum,
		      const struct diag_settings *settings)
{
	struct build b = { .p = (struct sink_pprof *)s };
	int err;

	(void)settings; /* a profile: the machine does not show in it */
	if (b.p->err)
		return b.p->err;
	perftools__profiles__profile__init(&b.prof);
	b.prof.time_nanos = b.p->first_ns;
	b.prof.duration_nanos = sum ? (int64_t)sum->duration_ns : 0;
	build_sample_types(&b);
	build_functions(&b);
	build_mappings(&b);
	build_locations(&b);
	build_samples(&b);
	build_strings(&b);
	err = b.err ? b.err : b.p->err;
	if (!err)
		err = pack_and_write(&b, s->out);
	build__free(&b);
	return err;
}

static void pprof_free(struct sink *s)
{
	struct sink_pprof *p = (struct sink_pprof *)s;

	intern__free(&p->strings);
	intern__free(&p->functions);
	intern__free(&p->mappings);
	intern__free(&p->locations);
	intern__free(&p->samples);
	free(p->values);
	free(p->has);
	free(p->key.v);
	free(p->locs.v);
	free(p);
}

static const struct sink_ops pprof_ops = {
	.name = "pprof",
	.event = pprof_event,
	.end = pprof_end,
	.free = pprof_free,
	.writes_at_end = true,
};

struct sink *sink_pprof__new(FILE *out, enum weight w)
{
	struct sink_pprof *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->sink.ops = &pprof_ops;
	p->sink.out = out;
	p->weight = w;
	/* string_table[0] must be "" */
	str_index(p, "");
	if (p->err) {
		pprof_free(&p->sink);
		return NULL;
	}
	return &p->sink;
}
