/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel offers: for each hook kind, can a program attach to a given target here. */
#ifndef ALLOCFAIL_PROBE_H
#define ALLOCFAIL_PROBE_H

#include <stddef.h>
#include "bpf/allocfail.h"

const char *hook_kind__name(enum af_hook_kind kind); /* "fentry", "tp_btf", ... */

/* 0 if a program of `kind` can attach to `target` on this kernel, else -errno with a short
 * human reason in why. Targets: a tracepoint name for tp_btf/raw_tp ("sys_exit"),
 * "category/name" for tracepoint, a kernel function for fentry/fexit/kprobe. Loads and attaches
 * a two-instruction program where that is the only way to know (fentry, tp_btf, raw_tp). */
int probe__hook(enum af_hook_kind kind, const char *target, char *why, size_t len);

struct btf;

/* The kernel's BTF, parsed once (6 MiB here) and shared by the probes and the GFP tables; NULL
 * if the kernel has none. Valid until probe__free_btf() or probe__release() (a later call
 * parses it again). */
struct btf *probe__vmlinux_btf(void);
void probe__free_btf(void);

/* Once the real programs are attached: free the BTF and detach the probe programs, which stay
 * attached until then (each detach would otherwise turn their tracepoint off and on again). */
void probe__release(void);

/* Mount tracefs at /sys/kernel/tracing if no tracefs is mounted. 0 or -errno. */
int probe__ensure_tracefs(void);

/* Check the basics every session needs: root or CAP_BPF+CAP_PERFMON, kernel BTF. On failure
 * writes one line into why and returns -errno. */
int probe__environment(char *why, size_t len);

#endif
