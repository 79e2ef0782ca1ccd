// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "probe.h"

#define TRACEFS "/sys/kernel/tracing"
#define TRACEFS_MAGIC 0x74726163
#define CAP_SYS_ADMIN 21
#define CAP_PERFMON 38
#define CAP_BPF 39

static const char *const kind_names[] = {
	[AF_HOOK_NONE] = "none",     [AF_HOOK_FENTRY] = "fentry", [AF_HOOK_KPROBE] = "kprobe",
	[AF_HOOK_TP_BTF] = "tp_btf", [AF_HOOK_RAW_TP] = "raw_tp", [AF_HOOK_TRACEPOINT] = "tracepoint",
};

const char *hook_kind__name(enum af_hook_kind kind)
{
	return kind <= AF_HOOK_TRACEPOINT ? kind_names[kind] : "?";
}

static struct btf *cached_btf;

struct btf *probe__vmlinux_btf(void)
{
	if (!cached_btf)
		cached_btf = btf__load_vmlinux_btf();
	return libbpf_get_error(cached_btf) ? NULL : cached_btf;
}

/*
 * Probe links kept attached until the real programs are: each detach waits for an RCU grace
 * period (8-30 ms here, the attach's longest wait after the verifier), so they are closed
 * together afterwards, by a thread of their own.
 */
#define KEPT_MAX 32
static int kept[KEPT_MAX + 1]; /* -1 ends the list */
static unsigned int nkept;

static void *close_links(void *fds)
{
	for (int *fd = fds; *fd >= 0; fd++)
		close(*fd);
	free(fds);
	return NULL;
}

void probe__free_btf(void)
{
	if (!libbpf_get_error(cached_btf))
		btf__free(cached_btf);
	cached_btf = NULL;
}

void probe__release(void)
{
	pthread_t t;
	int *fds;

	probe__free_btf();
	if (!nkept)
		return;
	kept[nkept] = -1;
	fds = malloc((nkept + 1) * sizeof(*fds));
	if (fds) {
		memcpy(fds, kept, (nkept + 1) * sizeof(*fds));
		if (!common__thread_start(&t, close_links, fds))
			pthread_detach(t);
		else
			close_links(fds);
	} else {
		while (nkept)
			close(kept[--nkept]);
	}
	nkept = 0;
}

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static int load_and_attach(enum bpf_prog_type type, enum bpf_attach_type attach, __u32 btf_id,
			   const char *tp_name, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach,
		    .attach_btf_id = btf_id);
	int prog, link, err;

	prog = bpf_prog_load(type, NULL, "GPL", ret0, 2, &opts);
	if (prog < 0) {
		err = -errno;
		snprintf(why, len, "load refused: %s", strerror(-err));
		return err;
	}
	link = bpf_raw_tracepoint_open(tp_name, prog);
	err = link < 0 ? -errno : 0;
	if (err)
		snprintf(why, len, "attach refused: %s", strerror(-err));
	else if (nkept < KEPT_MAX)
		kept[nkept++] = link;
	else
		close(link);
	close(prog);
	return err;
}

static int btf_id(const char *prefix, const char *name, __u32 kind, char *why, size_t len)
{
	struct btf *btf = probe__vmlinux_btf();
	char full[256];
	int id;

	if (!btf) {
		snprintf(why, len, "no kernel BTF");
		return -ENOENT;
	}
	snprintf(full, sizeof(full), "%s%s", prefix, name);
	id = btf__find_by_name_kind(btf, full, kind);
	if (id < 0)
		snprintf(why, len, "%s not in kernel BTF", full);
	return id;
}

static int probe_tp_btf(const char *tp, char *why, size_t len)
{
	int id = btf_id("btf_trace_", tp, BTF_KIND_TYPEDEF, why, len);

	if (id < 0)
		return id;
	return load_and_attach(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, id, NULL, why, len);
}

static int probe_fentry(const char *func, char *why, size_t len)
{
	int id = btf_id("", func, BTF_KIND_FUNC, why, len);

	if (id < 0)
		return id;
	return load_and_attach(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, id, NULL, why, len);
}

static int probe_raw_tp(const char *tp, char *why, size_t len)
{
	return load_and_attach(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, tp, why, len);
}

static bool kallsyms_has(const char *func)
{
	char line[512], name[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", name) == 1 && !strcmp(name, func);
	fclose(f);
	return found;
}

static int probe_kprobe(const char *func, char *why, size_t len)
{
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) &&
	    access(TRACEFS "/kprobe_events", F_OK)) {
		snprintf(why, len, "kernel has no kprobes (CONFIG_KPROBES off)");
		return -EOPNOTSUPP;
	}
	if (!kallsyms_has(func)) {
		snprintf(why, len, "%s not in /proc/kallsyms (inlined or renamed)", func);
		return -ENOENT;
	}
	return 0;
}

int probe__ensure_tracefs(void)
{
	struct statfs st;

	if (!statfs(TRACEFS, &st) && st.f_type == TRACEFS_MAGIC)
		return 0;
	if (!statfs("/sys/kernel/debug/tracing", &st) && st.f_type == TRACEFS_MAGIC)
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return 0;
}

static int probe_tracepoint(const char *tp, char *why, size_t len)
{
	char path[256];
	int err = probe__ensure_tracefs();

	if (err) {
		snprintf(why, len, "cannot mount tracefs: %s", strerror(-err));
		return err;
	}
	snprintf(path, sizeof(path), TRACEFS "/events/%s/id", tp);
	if (access(path, R_OK)) {
		err = -errno;
		snprintf(why, len, "no tracepoint %s", tp);
		return err;
	}
	return 0;
}

/* Answers already found: a session that reloads after a refusal asks the same questions, and
 * under emulation an fentry probe (a trampoline patched into the kernel text) takes a second. */
#define PROBE_MEMO 64

static struct {
	enum af_hook_kind kind;
	char target[64];
	int err;
	char why[160];
} memo[PROBE_MEMO];
static unsigned int nmemo;

static int probe_hook(enum af_hook_kind kind, const char *target, char *why, size_t len)
{
	switch (kind) {
	case AF_HOOK_FENTRY:
		return probe_fentry(target, why, len);
	case AF_HOOK_KPROBE:
		return probe_kprobe(target, why, len);
	case AF_HOOK_TP_BTF:
		return probe_tp_btf(target, why, len);
	case AF_HOOK_RAW_TP:
		return probe_raw_tp(target, why, len);
	case AF_HOOK_TRACEPOINT:
		return probe_tracepoint(target, why, len);
	default:
		snprintf(why, len, "unknown hook kind");
		return -EINVAL;
	}
}

int probe__hook(enum af_hook_kind kind, const char *target, char *why, size_t len)
{
	unsigned int i;
	int err;

	for (i = 0; i < nmemo; i++)
		if (memo[i].kind == kind && !strcmp(memo[i].target, target)) {
			snprintf(why, len, "%s", memo[i].why);
			return memo[i].err;
		}
	why[0] = '\0';
	err = probe_hook(kind, target, why, len);
	if (nmemo < PROBE_MEMO && strlen(target) < sizeof(memo[0].target)) {
		memo[nmemo].kind = kind;
		strcpy(memo[nmemo].target, target);
		memo[nmemo].err = err;
		snprintf(memo[nmemo].why, sizeof(memo[nmemo].why), "%s", why);
		nmemo++;
	}
	return err;
}

static unsigned long long effective_caps(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

int probe__environment(char *why, size_t len)
{
	unsigned long long caps = effective_caps();
	bool bpf_ok = (caps >> CAP_SYS_ADMIN & 1) ||
		      ((caps >> CAP_BPF & 1) && (caps >> CAP_PERFMON & 1));

	if (!bpf_ok) {
		snprintf(why, len, "needs root (or CAP_BPF and CAP_PERFMON): run it with sudo");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len, "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); "
				   "allocfail needs CONFIG_DEBUG_INFO_BTF=y");
		return -ENOENT;
	}
	return 0;
}

uint32_t probe__slab_account_flag(void)
{
	struct btf *btf = probe__vmlinux_btf();
	int id = btf ? btf__find_by_name_kind(btf, "_slab_flag_bits", BTF_KIND_ENUM) : -1;
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off), "_SLAB_ACCOUNT") &&
		    btf_enum(t)[i].val < 32)
			return 1u << btf_enum(t)[i].val;
	return 0x04000000u;
}
