#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs what Bulkhead's build, tests and benchmarks need on Debian 12.
# Cheap when everything is there: one dpkg-query, no apt-get at all.
set -eu

# Bochs (the Intel VMX tests): its rfb display, the one they use, is in
# `bochs` itself; `bochs` needs some GUI plugin package, and bochs-term is
# the smallest (apt would otherwise pick bochs-wx). isolinux,
# syslinux-common and xorriso build the boot ISO (Bochs has no -kernel).
PACKAGES="
	build-essential make gcc clang lld llvm libclang-rt-14-dev
	linux-image-amd64 linux-headers-amd64 kmod
	qemu-system-x86 busybox-static cpio
	bochs bochs-term bochsbios vgabios isolinux syslinux-common xorriso
	liburing-dev dpdk-dev spin gnuplot-nox
	procps util-linux
"

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all packages installed"
	exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to run apt-get (try: sudo make deps)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
