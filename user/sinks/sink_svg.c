// SPDX-License-Identifier: GPL-2.0
/*
 * A standalone interactive flamegraph: one SVG file with its style and script inline, no
 * external resource, so it opens from disk in any browser and can be attached to a bug.
 *
 * It draws the folded stacks (sink_folded.c: comm, [type], user frames, kernel frames) as a
 * tree, root "all" at the bottom, each frame as wide as its weight. Hover: the name, weight
 * and share. Click: zoom into a frame (its ancestors span the width, faded). A search box
 * highlights frames whose name matches a regular expression and shows the share they cover.
 * Esc or "Reset" undoes both. The URL fragment "#search=RE&zoom=NAME" does the same on load.
 * Colors follow the frame's kind: process, failure type, user, inlined, kernel, unknown.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "exporters.h"

#define SVG_WIDTH 1200
#define SVG_PAD 10	   /* left and right margins */
#define SVG_TOP 64	   /* title, search box, legend */
#define SVG_BOTTOM 36	   /* hover details */
#define FRAME_H 16
#define CHAR_W 7.2	   /* 12px monospace */
#define MIN_FRAME_W 0.1	   /* narrower frames are left out: invisible, and bulky */

enum kind { K_ROOT, K_PROC, K_TYPE, K_USER, K_INLINE, K_KERNEL, K_UNKNOWN };

static const char *const kind_class[] = {
	[K_ROOT] = "root",     [K_PROC] = "proc",     [K_TYPE] = "type",     [K_USER] = "user",
	[K_INLINE] = "inline", [K_KERNEL] = "kernel", [K_UNKNOWN] = "unknown",
};

struct node {
	char *name; /* as folded, suffix included */
	uint64_t weight;
	struct node *first, *last, *next;
};

struct sink_svg {
	struct sink sink; /* first: the vtable's struct sink * is this */
	enum weight weight;
	char *title;
	struct folded *f;
	struct node root;
	unsigned int max_depth;
};

/* Building the tree from folded stacks, which arrive ordered frame by frame. */

static struct node *child(struct node *parent, const char *name, size_t len)
{
	struct node *n;

	/* stacks sharing a prefix are adjacent: a known child can only be the last one */
	if (parent->last && strlen(parent->last->name) == len &&
	    !memcmp(parent->last->name, name, len))
		return parent->last;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = strndup(name, len);
	if (!n->name) {
		free(n);
		return NULL;
	}
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
	return n;
}

static int add_stack(const char *stack, uint64_t weight, void *ctx)
{
	struct sink_svg *sv = ctx;
	struct node *n = &sv->root;
	unsigned int depth = 0;

	n->weight = weight__add(n->weight, weight);
	while (*stack) {
		size_t len = strcspn(stack, ";");

		n = child(n, stack, len);
		if (!n)
			return -ENOMEM;
		n->weight = weight__add(n->weight, weight);
		depth++;
		stack += len + (stack[len] == ';');
	}
	if (depth > sv->max_depth)
		sv->max_depth = depth;
	return 0;
}

static void free_children(struct node *n)
{
	struct node *c = n->first, *next;

	for (; c; c = next) {
		next = c->next;
		free_children(c);
		free(c->name);
		free(c);
	}
}

/* Writing. */

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

/* The frame's kind and the length of its name without the folded "_[k]" / "_[i]" suffix. */
static enum kind classify(const char *name, unsigned int depth, size_t *len)
{
	*len = strlen(name);
	if (depth == 0)
		return K_ROOT;
	if (depth == 1)
		return K_PROC;
	if (depth == 2)
		return K_TYPE;
	if (has_suffix(name, *len, "_[k]")) {
		*len -= 4;
		return name[0] == '[' ? K_UNKNOWN : K_KERNEL;
	}
	if (has_suffix(name, *len, "_[i]")) {
		*len -= 4;
		return K_INLINE;
	}
	return name[0] == '[' ? K_UNKNOWN : K_USER;
}

/* A stable color per name, in the kind's range, so a function keeps its color across files. */
static void color(FILE *out, enum kind k, const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	unsigned int a, b;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	a = h % 64;
	b = (h >> 8) % 64;
	switch (k) {
	case K_ROOT:
		fprintf(out, "rgb(%u,%u,%u)", 200, 200, 205);
		break;
	case K_PROC:
		fprintf(out, "rgb(%u,%u,%u)", 150 + a / 2, 170 + a / 2, 215);
		break;
	case K_TYPE:
		fprintf(out, "rgb(%u,%u,%u)", 185 + a / 2, 140 + b / 2, 225);
		break;
	case K_USER: /* warm: red to yellow */
		fprintf(out, "rgb(%u,%u,%u)", 225 + a / 3, 80 + 2 * b, 55 + a / 3);
		break;
	case K_INLINE: /* yellow-green, next to the warm user frames */
		fprintf(out, "rgb(%u,%u,%u)", 150 + a, 205 + b / 2, 90 + b / 2);
		break;
	case K_KERNEL: /* cool: blue to green */
		fprintf(out, "rgb(%u,%u,%u)", 70 + a / 2, 150 + b, 215 + a / 3);
		break;
	case K_UNKNOWN:
		fprintf(out, "rgb(%u,%u,%u)", 175 + a / 4, 175 + a / 4, 175 + a / 4);
		break;
	}
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	size_t n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 :
				   (*s & 0xf8) == 0xf0 ? 4 : 0;

	if (!n || n > avail || (n == 2 && *s < 0xc2))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * s[0..len) as XML character data, at most max characters, ".." ending a cut. Symbols are
 * bytes, not text: invalid UTF-8 and control characters become '?' so the file stays
 * well-formed XML.
 */
static void put_xml(FILE *out, const char *s, size_t len, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t chars = 0, total = 0;

	for (const unsigned char *q = p; q < end; total++) {
		size_t n = utf8_len(q, end - q);

		q += n ? n : 1;
	}
	if (total > max)
		max = max >= 2 ? max - 2 : 0;
	while (p < end && chars < max) {
		size_t n = utf8_len(p, end - p);

		if (!n || (n == 1 && (*p < 0x20 || *p == 0x7f)))
			fputc('?', out);
		else if (*p == '&')
			fputs("&amp;", out);
		else if (*p == '<')
			fputs("&lt;", out);
		else if (*p == '>')
			fputs("&gt;", out);
		else if (*p == '"')
			fputs("&quot;", out);
		else if (*p == '\'')
			fputs("&apos;", out);
		else
			fwrite(p, 1, n, out);
		p += n ? n : 1;
		chars++;
	}
	if (total > chars && chars)
		fputs("..", out);
}

static void put_weight(FILE *out, enum weight w, uint64_t v)
{
	if (w == WEIGHT_COUNT) {
		fprintf(out, "%" PRIu64 " failure%s", v, v == 1 ? "" : "s");
		return;
	}
	fprintf(out, "%" PRIu64 " bytes", v);
	if (v >= 1024)
		fprintf(out, " (%s)", HUMAN_BYTES(v));
}

static const char *const kind_title[] = {
	[K_ROOT] = "",		      [K_PROC] = " (process)", [K_TYPE] = " (failure type)",
	[K_USER] = "",		      [K_INLINE] = " (inlined)", [K_KERNEL] = " (kernel)",
	[K_UNKNOWN] = " (no symbol)",
};

static void put_frame(struct sink_svg *sv, const struct node *n, unsigned int depth,
		      uint64_t offset)
{
	const double scale = (double)(SVG_WIDTH - 2 * SVG_PAD) / sv->root.weight;
	double x = SVG_PAD + offset * scale, w = n->weight * scale;
	int y = SVG_TOP + (sv->max_depth - depth) * FRAME_H;
	FILE *out = sv->sink.out;
	size_t len, fit;
	enum kind k;

	k = classify(n->name, depth, &len);
	fit = w > 6 ? (size_t)((w - 6) / CHAR_W) : 0;
	fprintf(out, "<g class=\"f %s\" data-o=\"%" PRIu64 "\" data-v=\"%" PRIu64 "\" "
		"data-d=\"%u\" data-n=\"", kind_class[k], offset, n->weight, depth);
	put_xml(out, n->name, len, SIZE_MAX);
	fputs("\"><title>", out);
	put_xml(out, n->name, len, SIZE_MAX);
	fprintf(out, "%s: ", kind_title[k]);
	put_weight(out, sv->weight, n->weight);
	fprintf(out, ", %.2f%%</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
		"fill=\"", 100.0 * n->weight / sv->root.weight, x, y, w, FRAME_H - 1);
	color(out, k, n->name, len);
	fprintf(out, "\"/><text x=\"%.2f\" y=\"%.1f\">", x + 3, y + FRAME_H - 4.5);
	put_xml(out, n->name, len, fit >= 3 ? fit : 0);
	fputs("</text></g>\n", out);
}

static void put_tree(struct sink_svg *sv, const struct node *n, unsigned int depth,
		     uint64_t offset)
{
	const double scale = (double)(SVG_WIDTH - 2 * SVG_PAD) / sv->root.weight;

	if (n->weight * scale < MIN_FRAME_W)
		return;
	put_frame(sv, n, depth, offset);
	for (const struct node *c = n->first; c; c = c->next) {
		put_tree(sv, c, depth + 1, offset);
		offset = weight__add(offset, c->weight);
	}
}

static const char svg_style[] =
	"<style>\n"
	"text { font: 12px monospace; fill: #000; }\n"
	"#title { font-size: 17px; }\n"
	"#reset, .f { cursor: pointer; }\n"
	"#reset { fill: #1a55c0; }\n"
	".f text { pointer-events: none; }\n"
	".f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	".f.a rect { opacity: 0.5; }\n"
	".f.m rect { fill: rgb(230,0,230); }\n"
	"input { font: 12px monospace; width: 250px; box-sizing: border-box; }\n"
	"</style>\n";

/* The script holds no "]]>", so it sits in a CDATA section. */
static const char svg_script[] =
	"<script type=\"text/ecmascript\"><![CDATA[\n"
	"(function () {\n"
	"'use strict';\n"
	"var svg = document.documentElement;\n"
	"var W = +svg.getAttribute('data-w'), PAD = +svg.getAttribute('data-pad');\n"
	"var total = +svg.getAttribute('data-total');\n"
	"var frames = Array.prototype.slice.call(document.querySelectorAll('g.f'));\n"
	"var details = document.getElementById('details');\n"
	"var matched = document.getElementById('matched');\n"
	"var reset = document.getElementById('reset');\n"
	"var input = document.getElementById('search');\n"
	"var zoomed = null, query = '';\n"
	"function num(g, a) { return +g.getAttribute(a); }\n"
	"function label(name, w) {\n"
	"	var n = Math.floor((w - 6) / 7.2);\n"
	"	if (n < 3) return '';\n"
	"	return name.length <= n ? name : name.slice(0, n - 2) + '..';\n"
	"}\n"
	"function place(g, x, w) {\n"
	"	var r = g.querySelector('rect'), t = g.querySelector('text');\n"
	"	r.setAttribute('x', x.toFixed(2));\n"
	"	r.setAttribute('width', w.toFixed(2));\n"
	"	t.setAttribute('x', (x + 3).toFixed(2));\n"
	"	t.textContent = label(g.getAttribute('data-n'), w);\n"
	"	g.style.display = w < 0.1 ? 'none' : '';\n"
	"}\n"
	"function zoom(z) {\n"
	"	var zo = z ? num(z, 'data-o') : 0, zv = z ? num(z, 'data-v') : total;\n"
	"	var zd = z ? num(z, 'data-d') : 0;\n"
	"	frames.forEach(function (g) {\n"
	"		var o = num(g, 'data-o'), v = num(g, 'data-v'), d = num(g, 'data-d');\n"
	"		var below = o >= zo && o + v <= zo + zv && d >= zd;\n"
	"		var above = d < zd && o <= zo && o + v >= zo + zv;\n"
	"		g.classList.toggle('a', above);\n"
	"		if (below) place(g, PAD + (o - zo) / zv * W, v / zv * W);\n"
	"		else if (above) place(g, PAD, W);\n"
	"		else g.style.display = 'none';\n"
	"	});\n"
	"	zoomed = z;\n"
	"	reset.style.display = zoomed || query ? '' : 'none';\n"
	"}\n"
	"function search(q) {\n"
	"	var re = null, spans = [], covered = 0, end = -1;\n"
	"	query = q;\n"
	"	if (q) { try { re = new RegExp(q); } catch (e) { re = null; } }\n"
	"	frames.forEach(function (g) {\n"
	"		var m = !!re && re.test(g.getAttribute('data-n'));\n"
	"		g.classList.toggle('m', m);\n"
	"		if (m) spans.push([num(g, 'data-o'), num(g, 'data-v')]);\n"
	"	});\n"
	"	/* matches nest or are disjoint: count each stretch of weight once */\n"
	"	spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
	"	spans.forEach(function (s) {\n"
	"		if (s[0] >= end) { covered += s[1]; end = s[0] + s[1]; }\n"
	"	});\n"
	"	matched.textContent = re ? 'Matched: ' + (total ? 100 * covered / total : 0)\n"
	"		.toFixed(2) + '%' : (q ? 'invalid regular expression' : '');\n"
	"	reset.style.display = zoomed || query ? '' : 'none';\n"
	"}\n"
	"function frameOf(e) { return e.target.closest ? e.target.closest('g.f') : null; }\n"
	"svg.addEventListener('click', function (e) { var g = frameOf(e); if (g) zoom(g); });\n"
	"svg.addEventListener('mouseover', function (e) {\n"
	"	var g = frameOf(e);\n"
	"	if (g) details.textContent = g.querySelector('title').textContent;\n"
	"});\n"
	"svg.addEventListener('mouseout', function () { details.textContent = ' '; });\n"
	"function clear() { input.value = ''; search(''); zoom(null); }\n"
	"reset.addEventListener('click', clear);\n"
	"input.addEventListener('input', function () { search(input.value); });\n"
	"document.addEventListener('keydown', function (e) {\n"
	"	if (e.key === 'Escape') {\n"
	"		clear();\n"
	"	} else if ((e.ctrlKey || e.metaKey) && e.key === 'f') {\n"
	"		e.preventDefault();\n"
	"		input.focus();\n"
	"	}\n"
	"});\n"
	"location.hash.replace(/^#/, '').split('&').forEach(function (kv) {\n"
	"	var i = kv.indexOf('='), k = kv.slice(0, i), v;\n"
	"	if (i < 0) return;\n"
	"	v = decodeURIComponent(kv.slice(i + 1));\n"
	"	if (k === 'search') { input.value = v; search(v); }\n"
	"	if (k === 'zoom') {\n"
	"		var z = frames.filter(function (g) {\n"
	"			return g.getAttribute('data-n') === v;\n"
	"		});\n"
	"		if (z.length) zoom(z[0]);\n"
	"	}\n"
	"});\n"
	"})();\n"
	"]]></script>\n";

static void put_legend(FILE *out, int x, int y)
{
	static const enum kind kinds[] = { K_PROC, K_TYPE, K_USER, K_INLINE, K_KERNEL, K_UNKNOWN };
	static const char *const names[] = { "process", "type", "user", "inlined", "kernel",
					     "no symbol" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++, x += 90) {
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"", x, y);
		color(out, kinds[i], "", 0);
		fprintf(out, "\"/><text x=\"%d\" y=\"%d\">%s</text>\n", x + 16, y + 10, names[i]);
	}
}

static void put_header(struct sink_svg *sv, int height)
{
	FILE *out = sv->sink.out;
	const char *title = sv->title ? sv->title : "Allocation failures";

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" data-w=\"%d\" data-pad=\"%d\" "
		"data-total=\"%" PRIu64 "\">\n",
		SVG_WIDTH, height, SVG_WIDTH, height, SVG_WIDTH - 2 * SVG_PAD, SVG_PAD,
		sv->root.weight);
	fputs(svg_style, out);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#f6f6f2\"/>\n"
		"<text id=\"title\" x=\"%d\" y=\"22\" text-anchor=\"middle\">",
		SVG_WIDTH / 2);
	put_xml(out, title, strlen(title), SIZE_MAX);
	fputs(": ", out);
	put_weight(out, sv->weight, sv->root.weight);
	fprintf(out, "%s</text>\n", sv->weight == WEIGHT_BYTES ? " requested" : "");
	fprintf(out, "<text id=\"reset\" x=\"%d\" y=\"22\" style=\"display:none\">"
		"Reset zoom and search</text>\n"
		"<foreignObject x=\"%d\" y=\"6\" width=\"254\" height=\"24\">"
		"<input xmlns=\"http://www.w3.org/1999/xhtml\" id=\"search\" type=\"search\" "
		"placeholder=\"search (regular expression)\"/></foreignObject>\n"
		"<text id=\"matched\" x=\"%d\" y=\"52\" text-anchor=\"end\"> </text>\n",
		SVG_PAD, SVG_WIDTH - SVG_PAD - 254, SVG_WIDTH - SVG_PAD);
	put_legend(out, SVG_PAD, 40);
}

static int svg_end(struct sink *s, const struct summary *sum,
		    const struct diag_settings *settings)
{
	struct sink_svg *sv = (struct sink_svg *)s;
	FILE *out = s->out;
	int height, err;

	(void)sum;
	(void)settings; /* a profile: the machine does not show in it */
	free_children(&sv->root);
	sv->root = (struct node){ .name = (char *)"all" };
	sv->max_depth = 0;
	err = folded__foreach(sv->f, add_stack, sv);
	if (err)
		return err;
	height = SVG_TOP + (sv->max_depth + 1) * FRAME_H + SVG_BOTTOM;
	put_header(sv, height);
	fputs("<g id=\"frames\">\n", out);
	if (sv->root.weight)
		put_tree(sv, &sv->root, 0, 0);
	else
		fprintf(out, "<text x=\"%d\" y=\"%d\">no failures to show</text>\n", SVG_PAD,
			SVG_TOP + FRAME_H);
	fprintf(out, "</g>\n<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", SVG_PAD,
		height - 12);
	fputs(svg_script, out);
	fputs("</svg>\n", out);
	if (fflush(out))
		return -errno;
	return ferror(out) ? -EIO : 0;
}

static int svg_event(struct sink *s, const struct event *ev)
{
	return folded__add(((struct sink_svg *)s)->f, ev);
}

static void svg_free(struct sink *s)
{
	struct sink_svg *sv = (struct sink_svg *)s;

	free_children(&sv->root);
	folded__free(sv->f);
	free(sv->title);
	free(sv);
}

static const struct sink_ops svg_ops = {
	.name = "svg",
	.event = svg_event,
	.end = svg_end,
	.free = svg_free,
	.writes_at_end = true,
};

struct sink *sink_svg__new(FILE *out, enum weight w, const char *title)
{
	struct sink_svg *sv = calloc(1, sizeof(*sv));

	if (!sv)
		return NULL;
	sv->sink.ops = &svg_ops;
	sv->sink.out = out;
	sv->weight = w;
	sv->f = folded__new(w);
	sv->title = title ? strdup(title) : NULL;
	if (!sv->f || (title && !sv->title)) {
		svg_free(&sv->sink);
		return NULL;
	}
	return &sv->sink;
}
