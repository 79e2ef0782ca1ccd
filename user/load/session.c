// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "allocfail.skel.h"
#include "common.h"
#include "gfp.h"
#include "hooks.h"
#include "kallsyms.h"
#include "probe.h"
#include "procinfo.h"
#include "session.h"

struct session {
	struct allocfail_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
	struct af_site_count *counts; /* ncpus: one site's site_counts entry */
	uint64_t *vals;		      /* ncpus: one entry of a per-CPU counter map */
	bool skips_told;	      /* session__tell_skips() said it once */
	bool full_told;		      /* the traced map's filling, said once */
	char hooks[1024];	      /* session__hooks() */
	int (*on_site)(void *ctx, const struct af_site_key *k, const struct af_site_val *v,
		       bool final);
	void *ctx;
};

/*
 * A tracepoint with more than one probe calls them through its __traceiter_ function, with one
 * straight from the static call: a frame that comes and goes as other tracers attach. The
 * kernel-side site keys hash the kernel stack without it (sites.bpf.h).
 */
static void skip_traceiters(struct allocfail_bpf__rodata *ro, const struct session_opts *o)
{
	static const char *const names[] = {
		"__traceiter_mm_page_alloc", "__traceiter_kmalloc", "__traceiter_kmem_cache_alloc",
	};
	unsigned int n = 0;

	_Static_assert(sizeof(names) / sizeof(names[0]) <= sizeof(ro->site_kstack_skip) /
								   sizeof(ro->site_kstack_skip[0]),
		       "site_kstack_skip too small");
	for (unsigned int i = 0; o->ksyms && i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t start, end;

		if (kallsyms__func(o->ksyms, names[i], &start, &end))
			continue;
		ro->site_kstack_skip[n][0] = start;
		ro->site_kstack_skip[n++][1] = end;
	}
}

static void configure(struct allocfail_bpf *skel, const struct session_opts *o)
{
	struct allocfail_bpf__rodata *ro = skel->rodata;

	ro->filter_pids = o->pid_filter || o->npids;
	ro->follow_forks = o->follow_forks;
	ro->filter_cgroup = o->cgroup_filter;
	ro->filter_cgroup_id = o->cgroup_id;
	ro->filter_cgroup_ssid = o->cgroup_ssid;
	ro->filter_comm = o->comm != NULL;
	if (o->comm)
		strncpy((char *)ro->filter_comm_str, o->comm, sizeof(ro->filter_comm_str) - 1);
	ro->capture_kstack = o->kstack;
	ro->capture_ustack = o->ustack;
	ro->ustack_dwarf = o->ustack_dwarf;
	ro->ustack_size = o->ustack_size;
	ro->self_tgid = getpid();
	ro->gfp_account_mask = gfp__mask("__GFP_ACCOUNT");
	ro->slab_account_flag = probe__slab_account_flag();
	ro->huge_page_bytes = sysinfo__huge_page_bytes();
	ro->aggregate = !o->no_aggregate;
	ro->detail_interval_ns = o->detail_interval_ns ? o->detail_interval_ns : 1000000000ULL;
	ro->max_sites = o->max_sites ? o->max_sites : AF_MAX_SITES_DEFAULT;
	bpf_map__set_max_entries(skel->maps.sites, ro->max_sites);
	bpf_map__set_max_entries(skel->maps.site_vals, ro->max_sites + 1);
	bpf_map__set_max_entries(skel->maps.site_counts, ro->max_sites + 1);
	/* a test knob (docs/events.md, traced_full): a map that fills at once */
	if (getenv("ALLOCFAIL_TEST_TRACED_MAX") && atoi(getenv("ALLOCFAIL_TEST_TRACED_MAX")) > 0)
		bpf_map__set_max_entries(skel->maps.traced,
					 atoi(getenv("ALLOCFAIL_TEST_TRACED_MAX")));
	skip_traceiters(ro, o);
}

static int last_rung(const struct hook_source *src)
{
	int r = 0;

	while (r + 1 < HOOK_MAX_RUNGS && src->rungs[r + 1].prog)
		r++;
	return r;
}

static bool source_needed(const struct hook_source *src, const struct session_opts *o)
{
	return !src->follow_only || o->follow_forks || o->npids || o->pid_filter;
}

/* Autoload exactly the best working rung of each needed source; every other one is off. The
 * choices go to c[] (chosen -1 for sources not needed or unavailable). */
static int choose_hooks(struct allocfail_bpf *skel, const struct session_opts *o,
			const struct hook_bans *bans, struct hook_choice *c)
{
	for (unsigned int i = 0; i < hook_nsources; i++) {
		const struct hook_source *src = &hook_sources[i];
		bool needed = source_needed(src, o);

		memset(&c[i], 0, sizeof(c[i]));
		c[i].src = src;
		c[i].chosen = -1;
		if (needed)
			hooks__choose(src, false, o->max_hook, bans, &c[i]);
		for (int r = 0; r < HOOK_MAX_RUNGS && src->rungs[r].prog; r++) {
			struct bpf_program *p =
				bpf_object__find_program_by_name(skel->obj, src->rungs[r].prog);

			if (!p) {
				elog("internal: no BPF program %s", src->rungs[r].prog);
				return -ENOENT;
			}
			bpf_program__set_autoload(p, r == c[i].chosen);
			if (r == c[i].chosen && src->infers_below_fentry)
				skel->rodata->memcg_infer = src->rungs[r].kind != AF_HOOK_FENTRY;
		}
		if (needed && c[i].chosen < 0 && src->required) {
			elog("no usable hook for %s on this kernel (%s)", src->name,
			     c[i].why[last_rung(src)]);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* Once loaded: the choice of each source under -v and in hooks, a warning for a source left
 * out. */
static void report_hooks(const struct session_opts *o, const struct hook_choice *c, char *hooks,
			 size_t len)
{
	size_t at = 0;

	hooks[0] = '\0';
	for (unsigned int i = 0; i < hook_nsources; i++) {
		const struct hook_source *src = &hook_sources[i];

		if (!source_needed(src, o))
			continue;
		for (int r = 0; r < HOOK_MAX_RUNGS && src->rungs[r].prog; r++)
			if ((c[i].chosen < 0 || r < c[i].chosen) && c[i].err[r] != -ECANCELED)
				vlog("%s: %s %s unusable: %s", src->name,
				     hook_kind__name(src->rungs[r].kind), src->rungs[r].target,
				     c[i].why[r]);
		if (c[i].chosen >= 0) {
			const char *kind = hook_kind__name(src->rungs[c[i].chosen].kind);
			const char *target = src->rungs[c[i].chosen].target;
			int n;

			vlog("%s: using %s %s", src->name, kind, target);
			n = snprintf(hooks + at, len - at, "%s%s %s %s", at ? ", " : "", src->name,
				     kind, target);
			at = n > 0 && (size_t)n < len - at ? at + n : at;
		} else if (src->enrichment)
			vlog("%s: unavailable here, events go without it (%s)", src->name,
			     c[i].why[last_rung(src)]);
		else
			elog("warning: %s unavailable on this kernel (%s): not traced", src->what,
			     c[i].why[last_rung(src)]);
	}
}

/*
 * Which program the kernel refused. libbpf loads a program without a verifier log and, when the
 * kernel refuses it, again with one, into the program's own buffer if it was given one: after a
 * failed load the program whose buffer holds a log is the one refused, and the log's last line
 * that is not a statistic the verifier's verdict. A failed attach is the first program of the
 * skeleton loaded but left without a link (libbpf attaches them in order and stops at a failure).
 */
#define VERIFIER_LOG_SIZE (1u << 20) /* not touched unless written: only a refusal costs it */

struct refusal {
	struct bpf_program *prog; /* NULL: none found */
	char why[160];
};

struct verifier_logs {
	unsigned int n;
	struct bpf_program **progs;
	char **bufs;
};

/* A buffer of its own for every program to be loaded. 0, or -ENOMEM. */
static int logs_give(struct verifier_logs *l, struct allocfail_bpf *skel)
{
	const struct bpf_object_skeleton *sk = skel->skeleton;

	memset(l, 0, sizeof(*l));
	l->progs = calloc(sk->prog_cnt, sizeof(*l->progs));
	l->bufs = calloc(sk->prog_cnt, sizeof(*l->bufs));
	if (!l->progs || !l->bufs)
		return -ENOMEM;
	for (int i = 0; i < sk->prog_cnt; i++) {
		struct bpf_program *prog = *sk->progs[i].prog;
		char *buf;

		if (!bpf_program__autoload(prog))
			continue;
		buf = malloc(VERIFIER_LOG_SIZE);
		if (!buf)
			return -ENOMEM;
		buf[0] = '\0';
		l->progs[l->n] = prog;
		l->bufs[l->n++] = buf;
		bpf_program__set_log_buf(prog, buf, VERIFIER_LOG_SIZE);
	}
	return 0;
}

/* libbpf reads a program's log buffer only while it loads the object, once. */
static void logs_free(struct verifier_logs *l)
{
	for (unsigned int i = 0; i < l->n; i++)
		free(l->bufs[i]);
	free(l->progs);
	free(l->bufs);
}

/* The verifier's verdict: the last line of its log that is not a statistic. */
static void verifier_verdict(const char *log, char *out, size_t len)
{
	const char *p, *line = NULL;
	size_t n = 0;

	for (p = log; *p;) {
		size_t l = strcspn(p, "\n");

		if (l && strncmp(p, "processed ", 10) && strncmp(p, "verification time", 17) &&
		    strncmp(p, "stack depth", 11)) {
			line = p;
			n = l;
		}
		p += l + (p[l] == '\n');
	}
	if (line)
		snprintf(out, len, "%.*s", (int)n, line);
}

/* The program the kernel refused at load, by its log; printed whole under -vvv. */
static void refused_at_load(const struct verifier_logs *l, int err, struct refusal *r)
{
	for (unsigned int i = 0; i < l->n; i++) {
		if (!l->bufs[i][0])
			continue;
		r->prog = l->progs[i];
		snprintf(r->why, sizeof(r->why), "%s", strerror(-err));
		verifier_verdict(l->bufs[i], r->why, sizeof(r->why));
		if (verbosity >= 3)
			elog("verifier log of %s:\n%s", bpf_program__name(r->prog), l->bufs[i]);
		return;
	}
}

/* The program whose attach failed: the first loaded one left without a link. */
static void refused_at_attach(struct allocfail_bpf *skel, int err, struct refusal *r)
{
	const struct bpf_object_skeleton *sk = skel->skeleton;

	for (int i = 0; i < sk->prog_cnt; i++) {
		if (!bpf_program__autoload(*sk->progs[i].prog) || *sk->progs[i].link)
			continue;
		r->prog = *sk->progs[i].prog;
		snprintf(r->why, sizeof(r->why), "attach: %s", strerror(-err));
		return;
	}
}

/* Attempts at loading: each refusal bans one rung, so the ladders bound them. */
#define LOAD_ATTEMPTS 12

/* The clock repeats of a known site read (bpf/sites.bpf.h site_clock_ns): CLOCK_BOOTTIME, the
 * BPF programs' clock. Set before attach and at every poll, so it lags by at most a poll. */
static void site_clock_set(struct allocfail_bpf *skel)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	skel->bss->site_clock_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Open, configure, choose, load and attach the skeleton. When the kernel refuses one program
 * (the probe loads a two-instruction program, the verifier may still refuse the real one), its
 * rung is banned in bans, with a warning, and everything starts again from the open: a
 * skeleton whose load failed cannot be loaded again. NULL after one line of error.
 */
static struct allocfail_bpf *load_skeleton(const struct session_opts *o, struct hook_bans *bans,
					   bool quiet, struct hook_choice *c)
{
	for (int attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
		struct allocfail_bpf *skel = allocfail_bpf__open();
		struct refusal r = { NULL, "" };
		struct verifier_logs logs;
		const char *stage = "load";
		char why[160];
		unsigned int si;
		int err, rung;

		if (!skel) {
			elog("cannot open the BPF object: %s", strerror(errno));
			return NULL;
		}
		configure(skel, o);
		if (choose_hooks(skel, o, bans, c)) {
			allocfail_bpf__destroy(skel);
			return NULL;
		}
		/* libbpf parses its own copy: not two at once (a refusal may parse it again) */
		probe__free_btf();
		err = logs_give(&logs, skel);
		if (!err)
			err = allocfail_bpf__load(skel);
		if (err)
			refused_at_load(&logs, err, &r);
		logs_free(&logs);
		if (!err) {
			site_clock_set(skel);
			stage = "attach";
			err = allocfail_bpf__attach(skel);
			if (err)
				refused_at_attach(skel, err, &r);
		}
		if (!err)
			return skel;
		if (r.prog && !hooks__find_prog(bpf_program__name(r.prog), &si, &rung))
			r.prog = NULL;
		allocfail_bpf__destroy(skel);
		if (!r.prog || rung != c[si].chosen) {
			elog("cannot %s the BPF programs: %s (run with -vvv for the verifier log)",
			     stage, strerror(-err));
			return NULL;
		}
		/* On stderr only when it costs something: a function hook (fentry) sees what the
		 * tracepoints do not; tp_btf, raw_tp and the classic format read the same
		 * tracepoint, and Debian 12's own kernel refuses two tp_btf programs on every run.
		 * A source left with nothing is warned about once loaded; check shows it all. */
		(quiet || hook_sources[si].rungs[rung].kind > AF_HOOK_KPROBE ? vlog : elog)(
			"warning: %s: the kernel refused the %s program on %s (%s); trying the "
			"next hook",
			hook_sources[si].name, hook_kind__name(hook_sources[si].rungs[rung].kind),
			hook_sources[si].rungs[rung].target, r.why);
		snprintf(why, sizeof(why), "the kernel refused the program: %.120s",
			 r.why[0] ? r.why : strerror(-err));
		hooks__ban(bans, si, rung, err, why);
	}
	elog("cannot load the BPF programs: %d refusals in a row", LOAD_ATTEMPTS);
	return NULL;
}

static int add_pids(struct allocfail_bpf *skel, const uint32_t *pids, unsigned int n)
{
	__u8 one = 1;

	for (unsigned int i = 0; i < n; i++)
		if (bpf_map__update_elem(skel->maps.traced, &pids[i], sizeof(pids[i]), &one,
					 sizeof(one), BPF_ANY))
			return -errno;
	return 0;
}

int session__learn_bans(struct hook_bans *bans)
{
	struct session_opts o = { .pid_filter = true, .follow_forks = true };
	struct hook_choice c[HOOK_MAX_SOURCES];
	struct allocfail_bpf *skel;

	/* a pid filter with no pid: attached, the programs match nothing */
	skel = load_skeleton(&o, bans, true, c);
	if (!skel)
		return -EOPNOTSUPP;
	allocfail_bpf__destroy(skel);
	return 0;
}

struct session *session__open(const struct session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));
	struct hook_choice c[HOOK_MAX_SOURCES];
	struct hook_bans bans;
	int err;

	if (!s) {
		elog("cannot open a session: %s", strerror(errno));
		return NULL;
	}
	memset(&bans, 0, sizeof(bans));
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		elog("cannot count the possible CPUs: %s", strerror(-s->ncpus));
		goto fail;
	}
	/* allocated now: the counters are read at the end, when memory may be what ran out */
	s->counts = calloc(s->ncpus, sizeof(*s->counts));
	s->vals = calloc(s->ncpus, sizeof(*s->vals));
	if (!s->counts || !s->vals) {
		elog("cannot open a session: %s", strerror(errno));
		goto fail;
	}
	/* The pid filter is filled after the attach: a run command is held until the session is
	 * open, and -p processes' failures before the fill were before the session anyway. */
	s->skel = load_skeleton(o, &bans, false, c);
	/* loaded and attached (or failed): the kernel's BTF and the probes are of no more use */
	probe__release();
	if (!s->skel)
		goto fail;
	report_hooks(o, c, s->hooks, sizeof(s->hooks));
	s->on_site = o->on_site;
	s->ctx = o->ctx;
	err = add_pids(s->skel, o->pids, o->npids);
	if (err) {
		elog("cannot fill the pid filter: %s",
		     err == -E2BIG ? "the traced-process map is full" : strerror(-err));
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events),
				 (ring_buffer_sample_fn)o->on_record, o->ctx, NULL);
	if (!s->rb) {
		elog("cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	session__close(s);
	return NULL;
}

const char *session__hooks(const struct session *s)
{
	return s->hooks;
}

int session__poll(struct session *s, int timeout_ms)
{
	int n;

	site_clock_set(s->skel);
	n = ring_buffer__poll(s->rb, timeout_ms);

	return n == -EINTR ? 0 : n;
}

int session__drain(struct session *s)
{
	return ring_buffer__consume(s->rb);
}

/* Entry key of a per-CPU counter map, summed over the CPUs; -1 with a line if unreadable. */
static int percpu_sum(struct session *s, struct bpf_map *map, __u32 key, uint64_t *sum)
{
	int err = bpf_map__lookup_elem(map, &key, sizeof(key), s->vals,
				       s->ncpus * sizeof(*s->vals), 0);

	*sum = 0;
	if (err) {
		elog("cannot read the counters of map %s: %s", bpf_map__name(map), strerror(-err));
		return -1;
	}
	for (int c = 0; c < s->ncpus; c++)
		*sum += s->vals[c];
	return 0;
}

int session__counts(struct session *s, uint64_t seen[AF_EV_TYPE_MAX],
		    uint64_t lost[AF_EV_TYPE_MAX])
{
	for (__u32 key = 0; key < AF_STAT_SEEN_BASE + AF_EV_TYPE_MAX; key++) {
		uint64_t *to = key >= AF_STAT_SEEN_BASE ? &seen[key - AF_STAT_SEEN_BASE] :
							   &lost[key - AF_STAT_LOST_BASE];

		if (percpu_sum(s, s->skel->maps.stats, key, to))
			return -1;
	}
	return 0;
}

/*
 * The kernel runs a program at most once per CPU at a time: a run that finds it running already
 * is skipped and counted (recursion_misses). That is an interrupt nesting in it, or, where the
 * kernel runs syscall tracepoint programs preemptibly (Debian's 7.3, PREEMPT_LAZY), any task
 * preempted inside it: until that task runs again, every syscall exit on its CPU goes unseen.
 */
int session__skipped(struct session *s, uint64_t by_type[AF_EV_TYPE_MAX], uint64_t *other)
{
	struct bpf_program *prog;

	memset(by_type, 0, AF_EV_TYPE_MAX * sizeof(*by_type));
	*other = 0;
	bpf_object__for_each_program(prog, s->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		unsigned int si;
		int fd = bpf_program__fd(prog), rung, err;

		if (fd < 0) /* not loaded: another rung serves its source */
			continue;
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		if (err) {
			elog("cannot read what the kernel skipped of program %s: %s",
			     bpf_program__name(prog), strerror(-err));
			return -1;
		}
		if (hooks__find_prog(bpf_program__name(prog), &si, &rung) && hook_sources[si].type)
			by_type[hook_sources[si].type] += info.recursion_misses;
		else
			*other += info.recursion_misses;
	}
	return 0;
}

int session__traced_full(struct session *s, uint64_t *n)
{
	if (percpu_sum(s, s->skel->maps.stats, AF_STAT_TRACED_FULL, n))
		return -1;
	if (*n && !s->full_told)
		elog("warning: the traced-process map is full (%u processes): %llu children of "
		     "traced processes go untraced; the summary counts them",
		     bpf_map__max_entries(s->skel->maps.traced), (unsigned long long)*n);
	s->full_told |= *n != 0;
	return 0;
}

void session__tell_chains(struct session *s)
{
	int fd = bpf_map__fd(s->skel->maps.chains);
	__u32 key, next, *prev = NULL, n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next) && n < UINT32_MAX) {
		key = next;
		prev = &key;
		n++;
	}
	vlog("chains: %llu open by the count the syscall exits read, %u in the map",
	     (unsigned long long)s->skel->bss->open_chains, n);
}

void session__tell_skips(struct session *s)
{
	uint64_t by_type[AF_EV_TYPE_MAX], other, n = 0, full;

	session__traced_full(s, &full); /* a line of its own once, when it first happens */
	if (s->skips_told)
		return;
	if (session__skipped(s, by_type, &other)) {
		s->skips_told = true; /* its line said why; not once a second */
		return;
	}
	for (int t = 0; t < AF_EV_TYPE_MAX; t++)
		n += by_type[t];
	if (!n)
		return;
	s->skips_told = true;
	elog("warning: the kernel has skipped %llu runs of the failure programs (each found its "
	     "program running on that CPU already); failures among them go uncounted, the "
	     "summary will say how many runs", (unsigned long long)n);
}

/* vm.max_map_count for the site keys' evidence; the kernel's default if unreadable. */
static uint32_t max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned int v = 65530;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 65530;
		fclose(f);
	}
	return v;
}

int session__flush_sites(struct session *s, bool final)
{
	int fd = bpf_map__fd(s->skel->maps.sites), vals = bpf_map__fd(s->skel->maps.site_vals);
	int counts = bpf_map__fd(s->skel->maps.site_counts);
	struct af_site_key key, next;
	struct af_site_val val;
	void *prev = NULL;
	__u32 id;

	s->skel->data->site_max_map_count = max_map_count();
	if (!s->on_site)
		return 0;
	/* A site created during the walk may be missed: the next flush has it, and the last one
	 * runs after detach, when nothing changes. */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &id) || bpf_map_lookup_elem(vals, &id, &val) ||
		    bpf_map_lookup_elem(counts, &id, s->counts))
			continue;
		for (int c = 0; c < s->ncpus; c++) {
			val.count += s->counts[c].count;
			val.bytes += s->counts[c].bytes;
		}
		if (s->on_site(s->ctx, &key, &val, final) < 0)
			return -1;
	}
	return 0;
}

int session__site_stats(struct session *s, uint64_t stats[AF_SSTAT_MAX])
{
	for (__u32 key = 0; key < AF_SSTAT_MAX; key++)
		if (percpu_sum(s, s->skel->maps.site_stats, key, &stats[key]))
			return -1;
	return 0;
}

void session__detach(struct session *s)
{
	allocfail_bpf__detach(s->skel);
}

void session__close(struct session *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	allocfail_bpf__destroy(s->skel);
	free(s->counts);
	free(s->vals);
	free(s);
}
