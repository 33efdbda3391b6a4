#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The libcellmsg core, built -ffreestanding -nostdlib for inmates, may need
# nothing from outside but memcpy and memset (which every freestanding C
# environment provides). Run from the build directory's tests/unit.
set -u
obj=$(dirname "$0")/../../libcellmsg/core-freestanding.o
[ -f "$obj" ] || { echo "missing $obj"; exit 1; }
undefined=$(nm -u "$obj" | awk '{print $2}' | grep -vxE 'memcpy|memset')
if [ -n "$undefined" ]; then
	echo "freestanding core needs: $undefined"
	exit 1
fi
echo "freestanding core needs only memcpy/memset"
