// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "escape.h"

/* How many bytes at s[0..n) are one thing to escape: 0 (a plain byte), 1 or 2 (UTF-8 C1). */
static size_t control_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (s[0] == 0xc2 && n > 1 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	return 0;
}

static size_t bounded_len(const char *s, size_t n)
{
	const char *nul = memchr(s, '\0', n);

	return nul ? (size_t)(nul - s) : n;
}

void escape__fwrite(const char *s, size_t n, FILE *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, c;

	if (!s)
		return;
	n = bounded_len(s, n);
	while (i < n) {
		c = control_len(p + i, n - i);
		if (!c) {
			i++;
			continue;
		}
		fwrite(p + start, 1, i - start, out);
		for (size_t k = 0; k < c; k++)
			fprintf(out, "\\x%02x", p[i + k]);
		i += c;
		start = i;
	}
	fwrite(p + start, 1, i - start, out);
}

void escape__fputs(const char *s, FILE *out)
{
	if (s)
		escape__fwrite(s, strlen(s), out);
}

const char *escape__str(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n = strlen(s);

	if (!len)
		return buf;
	for (size_t i = 0; i < n;) {
		size_t c = control_len(p + i, n - i);

		if (!c) {
			if (o + 1 >= len)
				break;
			buf[o++] = p[i++];
			continue;
		}
		if (o + 4 * c >= len)
			break;
		for (size_t k = 0; k < c; k++, i++) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[p[i] >> 4];
			buf[o++] = hex[p[i] & 15];
		}
	}
	buf[o] = '\0';
	return buf;
}
