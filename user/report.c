// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include "common.h"
#include "outputs.h"
#include "record.h"
#include "report.h"

/* "2026-11-28T16:04:19Z" */
static const char *utc(const struct timespec *ts, char *buf, size_t len)
{
	time_t sec = ts->tv_sec;
	struct tm tm;

	if (!gmtime_r(&sec, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/* Every event to every sink, in the recorded order, then the recorded summary and settings. */
static int replay(struct record_reader *r, struct outputs *out)
{
	unsigned int n;
	struct sink *const *sinks = outputs__sinks(out, &n);
	const struct summary *sum = record_reader__summary(r);
	struct event *ev = malloc(sizeof(*ev)); /* large (stacks) */
	bool failed = false;
	int ret;

	if (!ev)
		return -ENOMEM;
	/* an output that fails says so (sink.h); the others go on */
	while ((ret = record_reader__next(r, ev)) > 0)
		for (unsigned int i = 0; i < n; i++)
			if (sink__event(sinks[i], ev) < 0)
				failed = true;
	free(ev);
	if (ret < 0)
		return ret;
	if (sum->lost)
		elog("WARNING: the recorded session lost %" PRIu64 " events (ring buffer full or "
		     "malformed); counts in the summary", sum->lost);
	ret = outputs__end(out, sum);
	return failed && !ret ? -EIO : ret;
}

int report__run(const struct config *cfg)
{
	const struct record_info *in;
	struct record_reader *r;
	struct outputs *out;
	char why[256], when[32];
	int status = 0, ret;

	r = record_reader__open(cfg->report, why, sizeof(why));
	if (!r) {
		elog("cannot report %s: %s", cfg->report, why);
		return EXIT_USAGE;
	}
	if (record_reader__cut_short(r))
		elog("%s was cut short: its %" PRIu64 " events are reported, without the recorded "
		     "summary (its writer failed)", cfg->report,
		     record_reader__count(r));
	in = record_reader__info(r);
	vlog("%s: recorded by %s on %s (Linux %s, %s) from %s, %" PRIu64 " events", cfg->report,
	     in->tool_version, in->hostname, in->kernel_release, in->machine,
	     utc(&in->start, when, sizeof(when)), record_reader__count(r));
	out = outputs__open(cfg, record_reader__settings(r));
	if (!out) {
		record_reader__free(r);
		return EXIT_USAGE;
	}
	ret = replay(r, out);
	if (ret == -EBADMSG) /* open checked it all: only a bug gets here */
		elog("cannot report %s: it changed while it was read", cfg->report);
	if (ret < 0)
		status = 1;
	if (outputs__close(out) && !status)
		status = 1;
	record_reader__free(r);
	return status;
}
