#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mk/backports.sh: the backports entry `make deps` adds is built from the
# machine's own apt sources only. Table rows: a sources file (deb822 or
# one-line), the entry expected, as text. The codename is this machine's.
# Run from the build directory's tests/unit; BULKHEAD_SRC names the
# source tree if it is not the build directory's parent.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${BULKHEAD_SRC:-$(cd "$here/../../.." && pwd)}
tool=$src/mk/backports.sh
[ -x "$tool" ] || { echo "$tool not found (set BULKHEAD_SRC)"; exit 1; }
. /etc/os-release
rel=${VERSION_CODENAME:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 rows=0

# row NAME FILE-SUFFIX INPUT EXPECTED (EXPECTED empty: must print nothing, exit 1)
row() {
	local name=$1 file=$tmp/$rows.$2 want=$4 got rc
	rows=$((rows + 1))
	printf '%s\n' "$3" >"$file"
	got=$("$tool" "$file" 2>&1)
	rc=$?
	if [ -z "$want" ]; then
		[ $rc = 1 ] && [ -z "$got" ] && return
		echo "FAIL: $name: exit $rc, printed '$got'; expected nothing, exit 1"
	else
		[ $rc = 0 ] && [ "$got" = "$want" ] && return
		printf 'FAIL: %s: exit %s, printed:\n%s\nexpected:\n%s\n' "$name" $rc "$got" "$want"
	fi
	fail=1
}

row "deb822 stanza of the release" sources "Types: deb
URIs: http://mirror.test/debian
Suites: $rel $rel-updates
Components: main contrib
Signed-By: /usr/share/keyrings/k.gpg" "Types: deb
URIs: http://mirror.test/debian
Suites: $rel-backports
Components: main contrib
Signed-By: /usr/share/keyrings/k.gpg"

row "deb822: security-only and disabled stanzas lend nothing" sources "Types: deb
URIs: http://mirror.test/security
Suites: $rel-security
Components: main

Types: deb
URIs: http://mirror.test/off
Suites: $rel
Components: main
Enabled: no" ""

row "deb822: a comment line and two stanzas" sources "# the main archive
Types: deb
URIs: http://a.test/debian
Suites: $rel
Components: main

Types: deb deb-src
URIs: http://b.test/debian
Suites: $rel
Components: main" "Types: deb
URIs: http://a.test/debian
Suites: $rel-backports
Components: main

Types: deb deb-src
URIs: http://b.test/debian
Suites: $rel-backports
Components: main"

row "one-line with options" list "deb [arch=amd64 signed-by=/k.gpg] http://c.test/debian $rel main non-free
deb http://c.test/security $rel-security main
deb-src http://c.test/debian $rel main" "Types: deb
URIs: http://c.test/debian
Suites: $rel-backports
Components: main non-free
Signed-By: /k.gpg"

row "one-line without options" list "deb http://d.test/debian $rel main" "Types: deb
URIs: http://d.test/debian
Suites: $rel-backports
Components: main"

row "one-line: another release lends nothing" list "deb http://e.test/debian not-$rel main" ""

[ $fail = 0 ] || exit 1
echo "$rows rows: backports entries as expected"
