// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "allocfail.skel.h"
#include "common.h"
#include "gfp.h"
#include "hooks.h"
#include "probe.h"
#include "session.h"

struct session {
	struct allocfail_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
};

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
	ro->self_tgid = getpid();
	ro->gfp_account_mask = gfp__mask("__GFP_ACCOUNT");
}

static int last_rung(const struct hook_source *src)
{
	int r = 0;

	while (r + 1 < HOOK_MAX_RUNGS && src->rungs[r + 1].prog)
		r++;
	return r;
}

/* Autoload exactly the best working rung of each needed source; every other one is off. */
static int choose_hooks(struct allocfail_bpf *skel, const struct session_opts *o)
{
	bool follow = o->follow_forks || o->npids || o->pid_filter;

	for (unsigned int i = 0; i < hook_nsources; i++) {
		const struct hook_source *src = &hook_sources[i];
		bool needed = !src->follow_only || follow;
		struct hook_choice c = { .chosen = -1 };

		if (needed)
			hooks__choose(src, false, o->max_hook, &c);
		for (int r = 0; r < HOOK_MAX_RUNGS && src->rungs[r].prog; r++) {
			struct bpf_program *p =
				bpf_object__find_program_by_name(skel->obj, src->rungs[r].prog);

			if (!p) {
				elog("internal: no BPF program %s", src->rungs[r].prog);
				return -ENOENT;
			}
			bpf_program__set_autoload(p, r == c.chosen);
			if (r == c.chosen && !strcmp(src->name, "memcg"))
				skel->rodata->memcg_infer = src->rungs[r].kind != AF_HOOK_FENTRY;
			if (needed && r < c.chosen && c.err[r] != -ECANCELED)
				vlog("%s: %s %s unusable: %s", src->name,
				     hook_kind__name(src->rungs[r].kind), src->rungs[r].target,
				     c.why[r]);
		}
		if (needed && c.chosen < 0) {
			const char *why = c.why[last_rung(src)];

			if (src->required) {
				elog("no usable hook for %s on this kernel (%s)", src->name, why);
				return -EOPNOTSUPP;
			}
			if (src->enrichment)
				vlog("%s: unavailable here, events go without it (%s)", src->name, why);
			else
				elog("warning: %s unavailable on this kernel (%s): not traced", src->what,
				     why);
			continue;
		}
		if (needed)
			vlog("%s: using %s %s", src->name,
			     hook_kind__name(src->rungs[c.chosen].kind), src->rungs[c.chosen].target);
	}
	return 0;
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

struct session *session__open(const struct session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->ncpus = libbpf_num_possible_cpus();
	s->skel = allocfail_bpf__open();
	if (!s->skel) {
		elog("cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	configure(s->skel, o);
	if (choose_hooks(s->skel, o))
		goto fail;
	err = allocfail_bpf__load(s->skel);
	if (err) {
		elog("cannot load the BPF programs: %s (run with -vvv for the verifier log)",
		     strerror(-err));
		goto fail;
	}
	err = add_pids(s->skel, o->pids, o->npids);
	if (err) {
		elog("cannot fill the pid filter: %s", strerror(-err));
		goto fail;
	}
	err = allocfail_bpf__attach(s->skel);
	if (err) {
		elog("cannot attach the BPF programs: %s", strerror(-err));
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

int session__poll(struct session *s, int timeout_ms)
{
	int n = ring_buffer__poll(s->rb, timeout_ms);

	return n == -EINTR ? 0 : n;
}

int session__drain(struct session *s)
{
	return ring_buffer__consume(s->rb);
}

void session__counts(struct session *s, uint64_t seen[AF_EV_TYPE_MAX],
		     uint64_t lost[AF_EV_TYPE_MAX])
{
	uint64_t *vals = calloc(s->ncpus, sizeof(*vals));

	memset(seen, 0, AF_EV_TYPE_MAX * sizeof(*seen));
	memset(lost, 0, AF_EV_TYPE_MAX * sizeof(*lost));
	for (__u32 key = 0; vals && key < AF_STAT_MAX; key++) {
		uint64_t sum = 0;

		if (bpf_map__lookup_elem(s->skel->maps.stats, &key, sizeof(key), vals,
					 s->ncpus * sizeof(*vals), 0))
			continue;
		for (int c = 0; c < s->ncpus; c++)
			sum += vals[c];
		if (key >= AF_STAT_SEEN_BASE)
			seen[key - AF_STAT_SEEN_BASE] = sum;
		else
			lost[key - AF_STAT_LOST_BASE] = sum;
	}
	free(vals);
}

void session__close(struct session *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	allocfail_bpf__destroy(s->skel);
	free(s);
}
