// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks, the input of flamegraph.pl and speedscope's "collapsed" importer: one line per
 * distinct stack, frames outermost first, separated by ';', then a space and the weight:
 *
 *	comm;[type];outer_user;...;inner_user;outer_kernel_[k];...;inner_kernel_[k] WEIGHT
 *
 * - comm first, then the failure source as a synthetic frame ("[syscall]", "[page_alloc]",
 *   ...): a process's failed mmap()s and its failed page allocations are different problems
 *   with different fixes, so they form separate towers rather than mixing under main().
 * - Kernel frames carry flamegraph.pl's "_[k]" suffix, user frames inlined into their caller
 *   "_[i]" (stackcollapse-perf's convention); both tools color by these suffixes.
 * - A frame without a symbol is "[object basename]" when its object is known, else "[unknown]":
 *   its raw address differs from process to process and would split identical towers (the
 *   pprof export keeps the addresses).
 * - A stack cut at its capture limit gets a "[truncated]" (user) or "[truncated]_[k]"
 *   (kernel) frame where the missing outer frames would be.
 * - ';' in a name becomes ':', whitespace and control characters '_', so every line splits
 *   on ';' and its last space whatever the symbols hold.
 * - Weight: failures (ev->count), or with WEIGHT_BYTES the bytes the failed requests asked for
 *   (ev->bytes). A failure of unknown size weighs 0 bytes and is left out of a bytes export.
 * Lines are written at end(), ordered frame by frame.
 */
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include "exporters.h"

struct folded_stack {
	uint64_t weight;
	char text[]; /* frames joined by ';' */
};

struct folded {
	enum weight weight;
	void *root; /* tsearch tree of struct folded_stack, by stack_cmp */
	uint64_t total;
};

int weight__parse(const char *s, enum weight *w)
{
	if (!strcmp(s, "count"))
		*w = WEIGHT_COUNT;
	else if (!strcmp(s, "bytes"))
		*w = WEIGHT_BYTES;
	else
		return -EINVAL;
	return 0;
}

const char *weight__name(enum weight w)
{
	return w == WEIGHT_BYTES ? "bytes" : "count";
}

/* Frame by frame: ';' sorts below every character a sanitized name can hold. */
static int stack_cmp(const void *pa, const void *pb)
{
	const unsigned char *a = (const unsigned char *)((const struct folded_stack *)pa)->text;
	const unsigned char *b = (const unsigned char *)((const struct folded_stack *)pb)->text;

	for (;; a++, b++) {
		int ca = *a == ';' ? 1 : *a, cb = *b == ';' ? 1 : *b;

		if (ca != cb)
			return ca - cb;
		if (!ca)
			return 0;
	}
}

static void put_sanitized(FILE *m, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == ';')
			c = ':';
		else if (c <= ' ' || c == 0x7f)
			c = '_';
		fputc(c, m);
	}
}

static void put_frame(FILE *m, const struct frame *fr, bool kernel)
{
	fputc(';', m);
	if (fr->sym) {
		put_sanitized(m, fr->sym);
	} else if (fr->obj) {
		const char *base = strrchr(fr->obj, '/');

		base = base ? base + 1 : fr->obj;
		/* "[kernel]" is bracketed already */
		if (*base == '[') {
			put_sanitized(m, base);
		} else {
			fputc('[', m);
			put_sanitized(m, base);
			fputc(']', m);
		}
	} else {
		fputs("[unknown]", m);
	}
	if (kernel)
		fputs("_[k]", m);
	else if (fr->inlined)
		fputs("_[i]", m);
}

static void put_stack(FILE *m, const struct stack *st, bool kernel)
{
	if (st->truncated)
		fputs(kernel ? ";[truncated]_[k]" : ";[truncated]", m);
	for (unsigned int i = st->n; i-- > 0;)
		put_frame(m, &st->frames[i], kernel);
}

/* The event's folded stack in a new struct folded_stack, or NULL without memory. */
static struct folded_stack *fold(const struct event *ev, uint64_t weight)
{
	const char *type = event_type__name(ev->type);
	struct folded_stack head = { .weight = weight };
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	/* the header first, so the text lands right after it */
	fwrite(&head, sizeof(head), 1, m);
	if (ev->comm[0])
		put_sanitized(m, ev->comm);
	else
		fputs("[unknown]", m);
	fputs(";[", m);
	put_sanitized(m, type ? type : "unknown");
	fputc(']', m);
	put_stack(m, &ev->ustack, false);
	put_stack(m, &ev->kstack, true);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return (struct folded_stack *)buf;
}

struct folded *folded__new(enum weight w)
{
	struct folded *f = calloc(1, sizeof(*f));

	if (f)
		f->weight = w;
	return f;
}

int folded__add(struct folded *f, const struct event *ev)
{
	uint64_t weight = f->weight == WEIGHT_BYTES ? ev->bytes : ev->count;
	struct folded_stack *fs, **found;

	if (!weight)
		return 0;
	fs = fold(ev, weight);
	if (!fs)
		return -ENOMEM;
	found = tsearch(fs, &f->root, stack_cmp);
	if (!found) {
		free(fs);
		return -ENOMEM;
	}
	if (*found != fs) {
		(*found)->weight = weight__add((*found)->weight, weight);
		free(fs);
	}
	f->total = weight__add(f->total, weight);
	return 0;
}

uint64_t folded__total(const struct folded *f)
{
	return f->total;
}

struct walk {
	int (*fn)(const char *stack, uint64_t weight, void *ctx);
	void *ctx;
	int err;
};

static void walk_one(const void *node, VISIT which, void *closure)
{
	const struct folded_stack *fs = *(const struct folded_stack *const *)node;
	struct walk *w = closure;

	/* in order: a node between its subtrees, a leaf once */
	if ((which != postorder && which != leaf) || w->err)
		return;
	w->err = w->fn(fs->text, fs->weight, w->ctx);
}

int folded__foreach(struct folded *f, int (*fn)(const char *stack, uint64_t weight, void *ctx),
		    void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx };

	twalk_r(f->root, walk_one, &w);
	return w.err;
}

void folded__free(struct folded *f)
{
	if (!f)
		return;
	tdestroy(f->root, free);
	free(f);
}

/* The sink: aggregate, then print every line at end(). */

struct sink_folded {
	struct sink sink; /* first: the vtable's struct sink * is this */
	struct folded *f;
};

static int folded_event(struct sink *s, const struct event *ev)
{
	return folded__add(((struct sink_folded *)s)->f, ev);
}

static int print_line(const char *stack, uint64_t weight, void *ctx)
{
	FILE *out = ctx;

	return fprintf(out, "%s %" PRIu64 "\n", stack, weight) < 0 ? -EIO : 0;
}

static int folded_end(struct sink *s, const struct summary *sum,
		       const struct diag_settings *settings)
{
	int err;

	(void)sum;
	(void)settings; /* a profile: the machine does not show in it */
	err = folded__foreach(((struct sink_folded *)s)->f, print_line, s->out);
	if (fflush(s->out) && !err)
		err = -errno;
	return err;
}

static void folded_free(struct sink *s)
{
	folded__free(((struct sink_folded *)s)->f);
	free(s);
}

static const struct sink_ops folded_ops = {
	.name = "folded",
	.event = folded_event,
	.end = folded_end,
	.free = folded_free,
	.writes_at_end = true,
};

struct sink *sink_folded__new(FILE *out, enum weight w)
{
	struct sink_folded *sf = calloc(1, sizeof(*sf));

	if (!sf)
		return NULL;
	sf->f = folded__new(w);
	if (!sf->f) {
		free(sf);
		return NULL;
	}
	sf->sink.ops = &folded_ops;
	sf->sink.out = out;
	return &sf->sink;
}
