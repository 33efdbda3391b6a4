#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# libcellmsg's inline fast paths compile the layout of its public structs
# into every application, so a layout change needs a new soname major
# (docs/packaging.md). mk/abi-layout.sh prints that layout;
# libcellmsg/abi/N.layout records it for CELLMSG_ABI N. The tree's layout
# must equal the record of its major. First the check runs on a copy of
# the headers with one member more in struct cellmsg_chan and must see the
# difference, or it proves nothing.
# Usage: test_abi_layout.sh [SOURCE_TREE]; from the unit runner the source
# tree is BULKHEAD_SRC or the build directory's parent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/../../mk/abi-layout.sh" ]; then
	default=$(cd "$here/../.." && pwd)
else
	default=$(cd "$here/../../.." && pwd)
fi
src=${1:-${BULKHEAD_SRC:-$default}}
[ -x "$src/mk/abi-layout.sh" ] || { echo "no source tree at $src (set BULKHEAD_SRC)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

abi=$(sed -n 's/^CELLMSG_ABI *:= *//p' "$src/mk/install.mk")
[ -n "$abi" ] || { echo "no CELLMSG_ABI in mk/install.mk"; exit 1; }
want=$src/libcellmsg/abi/$abi.layout
[ -f "$want" ] || { echo "no recorded layout for libcellmsg.so.$abi: mk/abi-layout.sh > libcellmsg/abi/$abi.layout"; exit 1; }

# The check must fail on a changed struct.
cp -r "$src/libcellmsg/include" "$tmp/include"
sed -i 's/^struct cellmsg_chan {$/&\n\tuint32_t abi_probe;/' "$tmp/include/cellmsg/cellmsg.h"
grep -q abi_probe "$tmp/include/cellmsg/cellmsg.h" || { echo "could not change struct cellmsg_chan in the copy"; exit 1; }
"$src/mk/abi-layout.sh" "$src" "$tmp/include" >"$tmp/probe" || { echo "abi-layout.sh failed on the copy"; exit 1; }
if cmp -s "$tmp/probe" "$want"; then
	echo "FAIL: a member more in struct cellmsg_chan left the layout as recorded: the check sees nothing"
	exit 1
fi

"$src/mk/abi-layout.sh" "$src" >"$tmp/now" || { echo "abi-layout.sh failed"; exit 1; }
if ! cmp -s "$tmp/now" "$want"; then
	diff -u "$want" "$tmp/now" | head -n 40
	echo "FAIL: the public structs changed layout since libcellmsg.so.$abi was recorded: raise CELLMSG_ABI in mk/install.mk, follow docs/packaging.md, and record the new layout (mk/abi-layout.sh > libcellmsg/abi/N.layout)"
	exit 1
fi
echo "layout of libcellmsg.so.$abi as recorded ($(grep -c ' size ' "$want") structs); a changed struct is seen"
