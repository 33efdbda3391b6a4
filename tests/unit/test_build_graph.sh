#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The build graph: touching a header must rebuild every object that
# includes it, in every flavour, and nothing that does not. Asks make what
# it would do (`make -n -W HEADER TARGET`: HEADER taken as brand new) in
# the source tree against the build that `make test` just made; nothing is
# written or rebuilt. Run from the build directory's tests/unit (the unit
# runner does); BULKHEAD_SRC names the source tree if it is not the build
# directory's parent. Exit 0 pass, 1 fail, 77 when the tree is not built.
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
src=${BULKHEAD_SRC:-$(cd "$build/.." && pwd)}
[ -f "$src/Makefile" ] || { echo "no Makefile in $src (set BULKHEAD_SRC)"; exit 1; }
# Spell the build directory as the build did (make's default is "build"):
# generated dependencies name their targets that way.
if [ "$build" = "$(cd "$src" && pwd)/build" ]; then
	B=build
else
	B=$build
fi

fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# whatif HEADER TARGET...: the commands make would run, in $tmp/out.
whatif() {
	local header=$1
	shift
	make -C "$src" --no-print-directory -n ${header:+-W "$header"} BUILD="$B" "$@" \
		>"$tmp/out" 2>&1
}

# Targets whose outputs this test asks about; they must be up to date.
INMATE_LIB=$B/inmates/libcellmsg.a
HOST_LIB=$B/libcellmsg/libcellmsg.a
ECHO=$B/inmates/cellmsg-echo.bin
HV=$B/hypervisor/bulkhead.bin
UNIT=$B/tests/unit/test_cellmsg
BENCH=$B/guest/bulkhead-bench
ALL="$INMATE_LIB $HOST_LIB $ECHO $HV $UNIT $BENCH"

for t in $ALL; do
	case $t in /*) f=$t ;; *) f=$src/$t ;; esac
	[ -e "$f" ] || { echo "$t not built: run make first"; exit 77; }
done
whatif "" $ALL
if grep -qE -- '(^| )(-o|rcs) ' "$tmp/out"; then
	echo "the build is not up to date; make -n would run:"
	head -n 5 "$tmp/out"
	exit 77
fi

stamp=$tmp/stamp
touch "$stamp"
before=$(cd "$src" && git status --porcelain 2>/dev/null)

# expect HEADER TARGET OUTPUT...: touching HEADER rebuilds each OUTPUT on
# the way to TARGET. An OUTPUT starting with ! must not be rebuilt.
expect() {
	local header=$1 target=$2 out pat
	shift 2
	whatif "$header" "$target"
	for out in "$@"; do
		case $out in
		!*)
			pat=${out#!}
			if grep -qE -- "(-o|rcs) $pat( |$)" "$tmp/out"; then
				echo "FAIL: touching $header rebuilds $pat, which does not include it"
				fail=1
			fi
			;;
		*)
			if ! grep -qE -- "(-o|rcs) $out( |$)" "$tmp/out"; then
				echo "FAIL: touching $header does not rebuild $out (for $target)"
				fail=1
			fi
			;;
		esac
	done
}

# The wire layout: root and inmate must never run different ones.
for h in include/bulkhead/cellmsg_wire.h libcellmsg/include/cellmsg/cellmsg.h; do
	expect "$h" "$INMATE_LIB" "$B/inmates/libcellmsg/core/cellmsg.c.o" "$INMATE_LIB"
	expect "$h" "$ECHO" "$B/inmates/demos/x86/cellmsg-echo.c.o" "$B/inmates/cellmsg-echo.elf"
	expect "$h" "$HOST_LIB" "$B/host/libcellmsg/core/cellmsg.c.o" "$HOST_LIB"
	expect "$h" "$UNIT" "$B/host/tests/unit/test_cellmsg.c.o" "$HOST_LIB" "$UNIT"
	expect "$h" "$BENCH" "$B/host/bench/bulkhead_bench.c.o" "$HOST_LIB" "$BENCH"
done

# A hypervisor header: its includers are rebuilt, common/ (which must not
# include hypervisor headers) and the inmates are not.
expect hypervisor/include/pool.h "$HV" "$B/hypervisor/core/pool.c.o" \
	"$B/hypervisor/hypervisor.elf" "!$B/hypervisor/common/format.c.o"
expect hypervisor/include/pool.h "$ECHO" "!$B/inmates/demos/x86/cellmsg-echo.c.o"
# An ABI header the hypervisor and the inmates share.
expect include/bulkhead/hypercall.h "$HV" "$B/hypervisor/core/control.c.o"
expect include/bulkhead/hypercall.h "$ECHO" "$B/inmates/lib/x86/header.S.o"

# Every object has its generated dependencies next to it, and make reads them.
make -C "$src" --no-print-directory -p -n BUILD="$B" help >"$tmp/db" 2>&1
sed -n 's/^MAKEFILE_LIST := //p' "$tmp/db" | tr ' ' '\n' >"$tmp/included"
while read -r obj; do
	d=${obj%.o}.d
	if [ ! -f "$d" ]; then
		echo "FAIL: $obj has no $d"
		fail=1
	elif ! grep -qxF "${d/#$build/$B}" "$tmp/included"; then
		echo "FAIL: the Makefile does not include $d"
		fail=1
	fi
# Not in build/deb: make deb's copy of the tree, built by its own make.
done < <(find "$build" -name '*.o' -not -path "$build/modules/*" -not -path "$build/system/*" \
	-not -path "$build/deb/*")

# Nothing was written.
changed=$(find "$src" "$build" -newer "$stamp" -not -path '*/.git' -not -path '*/.git/*' -not -path "$tmp*" | head -n 5)
[ -z "$changed" ] || { echo "FAIL: the check wrote $changed"; fail=1; }
[ "$before" = "$(cd "$src" && git status --porcelain 2>/dev/null)" ] ||
	{ echo "FAIL: the source tree changed"; fail=1; }

[ $fail = 0 ] || exit 1
echo "headers rebuild every flavour of their includers, and only those"
