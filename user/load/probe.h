/* SPDX-License-Identifier: GPL-2.0 */
/* What this kernel offers: for each hook kind, can a program attach to a given target here. */
#ifndef ALLOCFAIL_PROBE_H
#define ALLOCFAIL_PROBE_H

#include <stddef.h>
#include <stdint.h>
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
/* SLAB_ACCOUNT's value on this kernel: a bit of enum _slab_flag_bits since 6.10, 0x04000000
 * before ("mm, slab: use an enum to define SLAB_ cache creation flags"). Read here, not by the
 * BPF program: a CO-RE check of an enum the kernel lacks sends libbpf to the modules' BTF,
 * which it cannot list without CAP_SYS_ADMIN. */
uint32_t probe__slab_account_flag(void);
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
