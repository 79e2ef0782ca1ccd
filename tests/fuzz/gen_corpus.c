// SPDX-License-Identifier: GPL-2.0
/* The fuzzer's seed corpus, written by the record sink itself: a session without events, each
 * fixture event alone, all of them, and one without the diagnosis settings. Usage:
 * gen_corpus DIR */
#include <stdio.h>
#include <stdlib.h>
#include "outfile.h"
#include "tests/fuzz/record_fixtures.h"

static int write_seed(const char *dir, const char *name, const struct record_fixture *f,
		      unsigned int first, unsigned int n)
{
	struct record_fixture one = *f;
	char path[4096], why[128];
	FILE *out = NULL;
	int err, fd;

	/* event i alone: the fixture's other events shifted out of the way */
	if (first)
		one.ev[0] = f->ev[first];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = outfile__create(path, 0600, why, sizeof(why));
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: %s\n", path, fd < 0 ? why : "cannot open a stream");
		return -1;
	}
	err = record_fixture__write(&one, n, out);
	if (fclose(out) || err) {
		fprintf(stderr, "%s: cannot write the seed\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct record_fixture *f = malloc(sizeof(*f));
	char name[32];
	int err = 0;

	if (argc != 2 || !f) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	record_fixture__init(f);
	err |= write_seed(argv[1], "empty.afrec", f, 0, 0);
	err |= write_seed(argv[1], "all.afrec", f, 0, FIXTURE_EVENTS);
	/* a session whose diagnosis read no settings: the trailer without them */
	f->settings.valid = false;
	err |= write_seed(argv[1], "nosettings.afrec", f, 0, 1);
	f->settings.valid = true;
	for (unsigned int i = 0; i < FIXTURE_EVENTS; i++) {
		snprintf(name, sizeof(name), "event%u.afrec", i);
		err |= write_seed(argv[1], name, f, i, 1);
	}
	free(f);
	return err ? 1 : 0;
}
