#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the kernel the build and the system tests use by default: the one
# the installed linux-image-amd64 metapackage names (Debian's own 6.1, not
# the backports kernel `make deps` adds beside it), else the newest kernel
# with both its image in /boot and its headers. Never hard-code it: a new
# machine may get a newer 6.1.x.
# Usage: kver.sh          the default kernel
#        kver.sh --all    every kernel with image and headers, oldest first
#        kver.sh --other  the newest of those that is not the default
set -eu

with_headers() {
	for img in /boot/vmlinuz-*; do
		[ -e "$img" ] || continue
		ver=${img#/boot/vmlinuz-}
		[ -d "/lib/modules/$ver/build" ] || [ -d "/usr/src/linux-headers-$ver" ] || continue
		echo "$ver"
	done | sort -V
}

default() {
	meta=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/^linux-image-\([^ ,]*\).*/\1/p' | sed 's/-unsigned$//')
	if [ -n "$meta" ] && with_headers | grep -qx "$meta"; then
		echo "$meta"
	else
		with_headers | tail -n 1
	fi
}

case ${1:-} in
--all) with_headers ;;
--other)
	d=$(default)
	with_headers | grep -vx "$d" | tail -n 1
	;;
*) default ;;
esac | grep . || {
	echo "kver.sh: no ${1:+other }kernel with headers installed (run 'make deps')" >&2
	exit 1
}
