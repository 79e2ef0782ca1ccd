/* SPDX-License-Identifier: GPL-2.0 */
/* A pprof export read back for the tests of the exporters: gunzipped, then unpacked with the
 * protobuf-c code generated from proto/profile.proto. */
#ifndef ALLOCFAIL_TESTS_FIXTURES_PPROF_H
#define ALLOCFAIL_TESTS_FIXTURES_PPROF_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>
#include <cmocka.h>
#include "proto/profile.pb-c.h"

/* The gzip stream gz of len bytes inflated whole, into a buffer the caller frees. */
static inline uint8_t *gunzip(const char *gz, size_t len, size_t *out_len)
{
	z_stream zs = { .next_in = (Bytef *)gz, .avail_in = len };
	size_t cap = 4096;
	uint8_t *out = malloc(cap);
	int zerr;

	assert_non_null(out);
	assert_int_equal(inflateInit2(&zs, MAX_WBITS + 16), Z_OK); /* gzip only */
	do {
		if (zs.total_out == cap) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		zs.next_out = out + zs.total_out;
		zs.avail_out = cap - zs.total_out;
		zerr = inflate(&zs, Z_NO_FLUSH);
	} while (zerr == Z_OK);
	assert_int_equal(zerr, Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	return out;
}

/* The profile of a pprof export (gzipped protobuf); free with
 * perftools__profiles__profile__free_unpacked(). */
static inline Perftools__Profiles__Profile *pprof_unpack(const char *gz, size_t len)
{
	size_t raw_len;
	uint8_t *raw = gunzip(gz, len, &raw_len);
	Perftools__Profiles__Profile *prof = perftools__profiles__profile__unpack(NULL, raw_len,
										   raw);

	assert_non_null(prof);
	free(raw);
	return prof;
}

#endif
