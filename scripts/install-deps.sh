#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages allocfail needs to build and test, only those missing.
# Usage: scripts/install-deps.sh [PACKAGE...]   (more packages a target needs, e.g. make fuzz's)
set -eu
pkgs="$* make gcc pkg-config clang-19 llvm-19 libbpf-dev bpftool libelf-dev libdw-dev zlib1g-dev
libzstd-dev liblzma-dev libbz2-dev libjson-c-dev libprotobuf-c-dev protobuf-c-compiler
libcmocka-dev libxml2-utils linux-libc-dev jq bats"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
# the consumer tests (tests/consumers) run node and npm. By command, not package: a node of
# another origin (NodeSource's nodejs brings its own npm, and conflicts with Debian's) will do.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "allocfail: missing packages:$missing; run as root (or: sudo apt-get install$missing)" >&2
	exit 2
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
