#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Prints the version of the newest installed Debian kernel that has both
# its image in /boot and its headers, so modules build for the kernel the
# system tests boot. Never hard-code it: a new machine may get a newer 6.1.x.
set -eu
best=
for img in /boot/vmlinuz-*; do
	[ -e "$img" ] || continue
	ver=${img#/boot/vmlinuz-}
	[ -d "/lib/modules/$ver/build" ] || [ -d "/usr/src/linux-headers-$ver" ] || continue
	best=$(printf '%s\n%s\n' "$best" "$ver" | sed '/^$/d' | sort -V | tail -n 1)
done
if [ -z "$best" ]; then
	echo "kver.sh: no kernel with headers installed (run 'make deps')" >&2
	exit 1
fi
echo "$best"
