#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Generate vmlinux/<arch>/vmlinux_<MAJMIN>.h from a kernel's BTF, once; the result is committed
# and the build never dumps the build host's BTF (that would make builds irreproducible).
# usage: scripts/gen-vmlinux.sh [BTF_FILE [MAJMIN]]
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
majmin=${2:-$(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1\2/')}
arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
dir=$(dirname "$0")/../vmlinux/$arch
mkdir -p "$dir"
bpftool btf dump file "$btf" format c > "$dir/vmlinux_$majmin.h"
ln -sf "vmlinux_$majmin.h" "$dir/vmlinux.h"
echo "wrote $dir/vmlinux_$majmin.h"
