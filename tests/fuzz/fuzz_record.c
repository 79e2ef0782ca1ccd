// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the record reader (`make fuzz`, tests/fuzz/fuzz.mk). Each input is
 * opened as it is, then again with its CRC chain repaired, so that mutations also reach the
 * parser behind the checksums. Whatever opens is read to its end and printed through every sink
 * `allocfail report` can use, into /dev/null: a crafted file must crash neither the reader nor
 * what prints it. A refusal must give one line of reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fuzz/record_fixtures.h"
#include "diagnosis.h"
#include "exporters.h"
#include "record.h"

static FILE *devnull;
static struct event ev; /* large: one, reused */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}

static void print_all(struct record_reader *r)
{
	/* the recorded settings: the diagnosis reads nothing of this machine, as in report */
	struct diag_settings *settings = record_reader__settings(r);
	struct sink *sinks[] = {
		sink_text__new(devnull),
		sink_diagnosis__new(devnull, false),
		sink_json__new(devnull),
		sink_diagnosis__new(devnull, true),
		sink_folded__new(devnull, WEIGHT_COUNT),
		sink_pprof__new(devnull, WEIGHT_BYTES),
		sink_svg__new(devnull, WEIGHT_COUNT, "fuzz"),
	};
	const unsigned int n = sizeof(sinks) / sizeof(sinks[0]);
	int ret;

	for (unsigned int i = 0; i < n; i++)
		if (!sinks[i])
			abort();
	while ((ret = record_reader__next(r, &ev)) > 0)
		for (unsigned int i = 0; i < n; i++)
			sink__event(sinks[i], &ev);
	if (ret < 0) /* open checked it all: next cannot fail */
		abort();
	for (unsigned int i = 0; i < n; i++) {
		sink__end(sinks[i], record_reader__summary(r), settings);
		sink__free(sinks[i]);
	}
}

static void open_and_print(const uint8_t *data, size_t size)
{
	char why[256] = "";
	struct record_reader *r = record_reader__open_mem(data, size, why, sizeof(why));
	const struct record_info *in;

	if (!r) {
		if (!why[0] || strchr(why, '\n'))
			abort();
		return;
	}
	in = record_reader__info(r);
	fprintf(devnull, "%s %s %s %s\n", in->tool_version, in->hostname, in->kernel_release,
		in->machine);
	print_all(r);
	record_reader__free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed = malloc(size ? size : 1);

	if (!fixed)
		return 0;
	open_and_print(data, size);
	memcpy(fixed, data, size);
	record_fixture__fix_crcs(fixed, size);
	if (memcmp(fixed, data, size))
		open_and_print(fixed, size);
	free(fixed);
	return 0;
}
