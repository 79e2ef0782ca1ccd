// SPDX-License-Identifier: GPL-2.0
/* The memory cgroup rules: a charge that runs into the limit of the memcg or of an ancestor. */
#include "cause_priv.h"

#define MEMCG_MARGIN (1ULL << 20)

bool cause_memcg_view(const struct memcg_info *mi, const char *path, struct memcg_view *v)
{
	if (!mi || !mi->valid)
		return false;
	*v = (struct memcg_view){ path, mi->limit_bytes, mi->usage_bytes, 0, false };
	if (mi->at_failure && (mi->bind_level > 0 || (mi->bind_level == 0 && mi->bind_memsw)))
		*v = (struct memcg_view){ mi->bind_level ? mi->bind_path : path,
					  mi->bind_limit_bytes, mi->bind_usage_bytes,
					  mi->bind_level, mi->bind_memsw };
	return true;
}

/* "memory+swap " for a v1 memsw limit, "" for the memory one */
const char *cause_memcg_kind(const struct memcg_view *v)
{
	return v->memsw ? "memory+swap " : "";
}

/* "memory cgroup /a/b" or "memory cgroup /a/b (limited by its ancestor /a)" */
const char *cause_memcg_names(const struct memcg_view *v, const char *path, char *buf,
			      size_t len)
{
	if (v->level > 0)
		snprintf(buf, len, "memory cgroup %s (limited by its ancestor %s)",
			 path ? path : "(unknown path)", v->path ? v->path : "(unknown path)");
	else
		snprintf(buf, len, "memory cgroup %s", path ? path : "(unknown path)");
	return buf;
}

const char *cause__limit_file(int version, bool memsw)
{
	if (memsw)
		return "memory.memsw.limit_in_bytes";
	return version == 1 ? "memory.limit_in_bytes" : "memory.max";
}

void cause_kv_memcg_view(struct cause *out, const struct memcg_info *mi,
			 const struct memcg_view *v, const char *path)
{
	kv_str(out, "memcg", "%s", v->path ? v->path : "?");
	if (v->level > 0) {
		kv_str(out, "charged_memcg", "%s", path ? path : "?");
		kv_num(out, "memcg_level", v->level);
	}
	kv_num(out, "memcg_at_failure", mi->at_failure);
	kv_num(out, "memcg_limit_bytes", v->limit);
	kv_num(out, "memcg_usage_bytes", v->usage);
	if (v->memsw)
		kv_num(out, "memcg_memsw", 1);
	if (mi->at_failure && mi->truncated)
		kv_num(out, "memcg_levels_truncated", 1);
}

bool cause__memcg(const struct memcg_info *mi, const char *path, uint64_t charge_bytes,
		  const char *what, struct cause *out)
{
	uint64_t margin = charge_bytes > MEMCG_MARGIN ? charge_bytes : MEMCG_MARGIN, usage, need;
	struct memcg_view v;
	char hits[48] = "", name[2 * 256 + 64];
	const char *trunc;

	/* try_charge_memcg() (mm/memcontrol.c) fails when usage + nr_pages stays over the limit
	 * of a level (page_counter_try_charge() charges each ancestor too) after reclaim and the
	 * memcg OOM killer could not help */
	if (!cause_memcg_view(mi, path, &v) || v.limit < 0 || v.usage < 0 ||
	    (uint64_t)v.usage + margin <= (uint64_t)v.limit)
		return false;
	usage = (uint64_t)v.usage;
	need = usage + charge_bytes;
	cause_memcg_names(&v, path, name, sizeof(name));
	set(out, CAUSE_MEMCG_LIMIT);
	cause_kv_memcg_view(out, mi, &v, path);
	kv_num(out, "memcg_version", mi->version);
	if (charge_bytes)
		kv_u64(out, "charge_bytes", charge_bytes);
	/* cgroupfs' counters are the event's memcg's, not an ancestor's */
	if (!v.level) {
		kv_num(out, "memcg_failcnt", mi->failcnt);
		kv_num(out, "memcg_oom_events", mi->oom_events);
		kv_num(out, "memcg_oom_kill", mi->oom_kill);
		kv_num(out, "memcg_oom_kill_disable", mi->oom_kill_disable);
		/* memory.failcnt counts the memory limit's hits, not memsw's */
		if (mi->failcnt > 0 && !v.memsw)
			snprintf(hits, sizeof(hits), ", hit %lld times", (long long)mi->failcnt);
	}
	/* a level read is full, but the one that failed the charge may be above those read */
	trunc = mi->at_failure && mi->truncated ? " (" MEMCG_TRUNCATED_NOTE
						  ": one of them may bind first)"
						: "";
	if (usage + MEMCG_MARGIN > (uint64_t)v.limit)
		summary(out, "%s failed in %s: usage %s of its %s %slimit%s%s", what, name,
			H(usage), H(v.limit), cause_memcg_kind(&v), hits, trunc);
	else /* the request itself does not fit */
		summary(out,
			"%s failed in %s: charging up to %s on top of the %s it uses goes over its "
			"%s %slimit%s%s",
			what, name, H(charge_bytes), H(usage), H(v.limit), cause_memcg_kind(&v),
			hits, trunc);
	advice(out,
	       "raise the cgroup's %slimit (%s of %s) to at least %s, or reduce what it holds "
	       "(memory.stat: anon%s vs page cache)%s%s%s",
	       cause_memcg_kind(&v), cause__limit_file(mi->version, v.memsw),
	       v.path ? v.path : "the cgroup",
	       H(need > (uint64_t)v.limit ? need : (uint64_t)v.limit + margin),
	       v.memsw ? " and swap" : "",
	       /* v1 refuses a memory limit above the memsw one: the order matters */
	       v.memsw ? "; memory.limit_in_bytes, which may not exceed it, next if it is as high"
		       : "",
	       !v.level && mi->oom_kill_disable > 0
		       ? "; oom_kill_disable is set, so nothing is killed to make room"
		       : "",
	       *trunc ? "; check the limits of the ancestors above the 8 read" : "");
	return true;
}

/* A charge the kernel reported failing (memcg_charge events) is memcg_limit even when the
 * cgroup read has room: hierarchical limits of its ancestors count too (page_counter). */
void cause__explain_memcg_charge(const struct cause_input *in, struct cause *out)
{
	const struct af_memcg_charge *m = in->ev->raw.memcg;
	const char *path = event_memcg_path(in->ev);
	uint64_t page = in->sys && in->sys->page_size > 0 ? (uint64_t)in->sys->page_size : 4096;
	uint64_t bytes = m->nr_pages * page;
	const struct memcg_info *mi = in->memcg;
	char what[64];

	snprintf(what, sizeof(what), "a charge of %s", H(bytes));
	if (cause__memcg(mi, path, bytes, what, out))
		goto evidence;
	set(out, CAUSE_MEMCG_LIMIT);
	kv_str(out, "memcg", "%s", path ? path : "?");
	kv_u64(out, "charge_bytes", bytes);
	if (mi && mi->valid && mi->at_failure) {
		kv_num(out, "memcg_at_failure", 1);
		kv_num(out, "memcg_limit_bytes", mi->limit_bytes);
		kv_num(out, "memcg_usage_bytes", mi->usage_bytes);
		if (mi->truncated)
			kv_num(out, "memcg_levels_truncated", 1);
		/* every level read had room at the failure: a level above those read bound, or
		 * v1's memory+swap limit when it was not read, or usage fell before BPF read it */
		summary(out,
			"%s to memory cgroup %s failed; at the failure it had room (usage %s, "
			"%s%s) and so had every ancestor read: %s",
			what, path ? path : "?", H(mi->usage_bytes),
			mi->limit_bytes < 0 ? "no limit" : "limit ",
			mi->limit_bytes < 0 ? "" : H(mi->limit_bytes),
			mi->truncated ? MEMCG_TRUNCATED_NOTE ", one of those likely bound"
			: mi->version == 1 && !mi->memsw_read
				? "the memory+swap limit (not read) or a usage that fell at once "
				  "after the failure"
				: "a usage that fell at once after the failure");
	} else if (mi && mi->valid) {
		kv_num(out, "memcg_limit_bytes", mi->limit_bytes);
		kv_num(out, "memcg_usage_bytes", mi->usage_bytes);
		summary(out,
			"%s to memory cgroup %s failed; the cgroup itself has room (%s of %s), "
			"so an ancestor's limit was hit",
			what, path ? path : "?", H(mi->usage_bytes),
			mi->limit_bytes < 0 ? "no limit" : H(mi->limit_bytes));
	} else {
		summary(out, "%s to memory cgroup %s failed: it is at its limit (not readable now)",
			what, path ? path : "?");
	}
	advice(out,
	       "raise memory.max (v2) or memory.limit_in_bytes (v1) of %s or of the ancestor "
	       "that limits it, or reduce what it holds",
	       path ? path : "the cgroup");
evidence:
	kv_u64(out, "nr_reclaimed_pages", m->nr_reclaimed);
	kv_num(out, "inferred", !!(m->flags & AF_MEMCG_INFERRED));
}
