#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The libcellmsg core and its inmate backend, built -ffreestanding -nostdlib
# for inmates, may need nothing from outside but memcpy and memset (which
# every freestanding C environment provides). Run from the build
# directory's tests/unit.
set -u
dir=$(dirname "$0")/../../libcellmsg
for obj in "$dir/core-freestanding.o" "$dir/inmate-freestanding.o"; do
	[ -f "$obj" ] || { echo "missing $obj"; exit 1; }
	undefined=$(nm -u "$obj" | awk '{print $2}' | grep -vxE 'memcpy|memset')
	if [ -n "$undefined" ]; then
		echo "$(basename "$obj") needs: $undefined"
		exit 1
	fi
done
echo "freestanding core and inmate backend need only memcpy/memset"
