#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# include/bulkhead/errno.h, the error numbers of all freestanding code,
# must say what the host's <errno.h> says: every number it defines is
# looked up in <errno.h> and compared. Run from the build directory's
# tests/unit; BULKHEAD_SRC names the source tree if it is not the build
# directory's parent. Exit 0 pass, 1 fail, 77 without a C compiler.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${BULKHEAD_SRC:-$(cd "$here/../../.." && pwd)}
header=$src/include/bulkhead/errno.h
[ -f "$header" ] || { echo "$header not found (set BULKHEAD_SRC)"; exit 1; }
cc=${CC:-gcc}
command -v "$cc" >/dev/null 2>&1 || cc=cc
command -v "$cc" >/dev/null 2>&1 || { echo "no C compiler: skipping"; exit 77; }

# NAME VALUE for every E* macro the header defines on its own.
ours=$("$cc" -E -dM -undef -x c "$header" | awk '$1 == "#define" && $2 ~ /^E[A-Z0-9]+$/ {print $2, $3}')
[ -n "$ours" ] || { echo "no error numbers found in $header"; exit 1; }

# The same names expanded by the host's <errno.h>: "bh_NAME VALUE".
theirs=$( { echo '#include <errno.h>'; echo "$ours" | awk '{print "bh_" $1, $1}'; } |
	"$cc" -E -P -x c - | awk '$1 ~ /^bh_/ {sub(/^bh_/, "", $1); print $1, $2}')

fail=0
while read -r name value; do
	host=$(echo "$theirs" | awk -v n="$name" '$1 == n {print $2}')
	if [ "$host" != "$value" ]; then
		echo "FAIL: $name is $value in include/bulkhead/errno.h, ${host:-undefined} in <errno.h>"
		fail=1
	fi
done <<<"$ours"
[ $fail = 0 ] || exit 1
echo "$(echo "$ours" | wc -l) error numbers, all equal to the host's <errno.h>"
