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

# QEMU 10 (x2APIC and interrupt remapping under TCG, for the x2apic-
# scenarios) lives in a private prefix beside Debian's 7.2: installed
# system-wide it would replace 7.2 (docs/decisions.md).
QEMU10_PREFIX=${QEMU10_PREFIX:-/opt/bulkhead/qemu10}
here=$(cd "$(dirname "$0")" && pwd)

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "deps: need root to $1 (try: sudo make deps)" >&2
		exit 1
	fi
}

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done

export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	need_root "run apt-get"
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

if "$QEMU10_PREFIX/bin/qemu-system-x86_64" --version 2>/dev/null | grep -q 'version 1[0-9]\.'; then
	[ -n "$missing" ] || echo "deps: all packages installed (QEMU 10 in $QEMU10_PREFIX)"
	exit 0
fi
echo "deps: unpacking QEMU 10 from the backports suite into $QEMU10_PREFIX"
need_root "add the backports suite and download QEMU 10"
. /etc/os-release
if ! apt-cache policy | grep -q " $VERSION_CODENAME-backports/"; then
	list=/etc/apt/sources.list.d/bulkhead-backports.sources
	if ! "$here/backports.sh" >"$list.tmp"; then
		rm -f "$list.tmp"
		echo "deps: no apt source of $VERSION_CODENAME to derive $VERSION_CODENAME-backports from;" \
			"add the suite to apt's sources by hand" >&2
		exit 1
	fi
	mv "$list.tmp" "$list"
	echo "deps: added $list"
	apt-get update -q
fi
"$here/qemu10.sh" "$QEMU10_PREFIX"
