// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under allocfail's syscall hook, for bench/run.sh: an empty program on the hook kind
 * allocfail chooses on this kernel (tp_btf/sys_exit, raw_tp/sys_exit when tp_btf is refused).
 * What it costs is the tracepoint's and the BPF dispatch's alone: no program there can cost less.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_btf, struct pt_regs *regs, long ret)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(floor_raw, struct pt_regs *regs, long ret)
{
	return 0;
}
