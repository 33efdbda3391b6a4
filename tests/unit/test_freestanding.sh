#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The libcellmsg core and its inmate backend, as inmates link them
# (build/inmates/libcellmsg.a: -ffreestanding -nostdlib), may need nothing
# from outside but memcpy and memset (which every freestanding C
# environment provides). Run from the build directory's tests/unit.
set -u
lib=$(dirname "$0")/../../inmates/libcellmsg.a
[ -f "$lib" ] || { echo "missing $lib"; exit 1; }
members=$(ar t "$lib")
for m in cellmsg.c.o inmate.c.o; do
	echo "$members" | grep -qx "$m" || { echo "$lib has no $m"; exit 1; }
done
undefined=$(nm -u "$lib" | awk 'NF == 2 {print $2}' | grep -vxE 'memcpy|memset' | sort -u)
if [ -n "$undefined" ]; then
	echo "inmate libcellmsg needs: $undefined"
	exit 1
fi
echo "freestanding core and inmate backend need only memcpy/memset"
