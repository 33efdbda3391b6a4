#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs what Bulkhead's build, tests and benchmarks need on Debian 12.
# Cheap when everything is there: one dpkg-query, no apt-get at all.
set -eu

# Bochs (the Intel VMX tests): its rfb display, the one they use, is in
# `bochs` itself; `bochs` needs some GUI plugin package, and bochs-term is
# the smallest (apt would otherwise pick bochs-wx). isolinux,
# syslinux-common and xorriso build the boot ISO (Bochs has no -kernel).
# debhelper, dh-dkms, lintian and fakeroot: make deb; dkms: the packaging
# test builds the modules through it; man-db: the man pages' check.
PACKAGES="
	build-essential make gcc clang lld llvm libclang-rt-14-dev
	linux-image-amd64 linux-headers-amd64 kmod
	qemu-system-x86 busybox-static cpio
	bochs bochs-term bochsbios vgabios isolinux syslinux-common xorriso
	liburing-dev dpdk-dev spin gnuplot-nox
	procps util-linux
	debhelper dh-dkms dkms lintian fakeroot dpkg-dev pkgconf man-db groff-base
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

# The backports suite, derived from the machine's own apt sources.
backports_suite() {
	. /etc/os-release
	apt-cache policy | grep -q " $VERSION_CODENAME-backports/" && return 0
	need_root "add the backports suite"
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
}

qemu10() {
	"$QEMU10_PREFIX/bin/qemu-system-x86_64" --version 2>/dev/null | grep -q 'version 1[0-9]\.' &&
		return 0
	echo "deps: unpacking QEMU 10 from the backports suite into $QEMU10_PREFIX"
	need_root "download QEMU 10"
	backports_suite
	"$here/qemu10.sh" "$QEMU10_PREFIX"
}

# The second kernel the modules build and the scenarios run against
# (make test-system KVER=...): the backports suite's current one (6.12
# when this was written), image and headers, beside Debian's own. The
# metapackage stays Debian's, so mk/kver.sh's default is unchanged.
backports_kernel() {
	[ -n "$("$here/kver.sh" --other 2>/dev/null)" ] && return 0
	backports_suite
	. /etc/os-release
	meta=$(apt-cache madison linux-image-amd64 | awk -v s="$VERSION_CODENAME-backports" '$0 ~ s {print $3; exit}')
	[ -n "$meta" ] || { echo "deps: no linux-image-amd64 in $VERSION_CODENAME-backports" >&2; exit 1; }
	image=$(apt-cache show "linux-image-amd64=$meta" | sed -n 's/^Depends: \([^ ,]*\).*/\1/p' | head -n 1)
	headers=$(apt-cache show "linux-headers-amd64=$meta" | sed -n 's/^Depends: \([^ ,]*\).*/\1/p' | head -n 1)
	echo "deps: installing the backports kernel: $image $headers"
	need_root "install $image"
	# PACKAGE/SUITE, not -t: -t would also move the installed metapackages
	# (linux-image-amd64, linux-libc-dev, ...) to backports.
	apt-get install -y -q --no-install-recommends \
		"$image/$VERSION_CODENAME-backports" "$headers/$VERSION_CODENAME-backports"
}

qemu10
backports_kernel
[ -n "$missing" ] || echo "deps: all installed (QEMU 10 in $QEMU10_PREFIX, kernels: $("$here/kver.sh" --all | tr '\n' ' '))"
