#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Model-checks the ring protocol (tests/model/ring.pml) with spin: the model
# as written must verify with 0 errors (no lost, duplicated or reordered
# message; no invalid end state = no lost wake-up), and the -DNOFENCE
# variant (wait_loop's fence removed) and the -DNOACK variant (a side
# sleeps before the peer acknowledged that it may: the peer still skips
# its fence) and the -DNOCLEAR variant (the producer does not clear the
# header after a record) must fail, or the model proves nothing. Exit 0 pass, 1 fail, 77 when spin or a C compiler is missing.
set -u

command -v spin >/dev/null 2>&1 || { echo "spin not installed: skipping model check"; exit 77; }
cc=${CC:-gcc}
command -v "$cc" >/dev/null 2>&1 || cc=cc
command -v "$cc" >/dev/null 2>&1 || { echo "no C compiler for pan: skipping model check"; exit 77; }

here=$(dirname "$0")
model=
for d in ${BULKHEAD_SRC:+"$BULKHEAD_SRC/tests/model"} "$here/../model" "$here/../../../tests/model"; do
	if [ -f "$d/ring.pml" ]; then
		model=$(cd "$d" && pwd)/ring.pml
		break
	fi
done
[ -n "$model" ] || { echo "ring.pml not found (set BULKHEAD_SRC to the source tree)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME [SPIN_DEFINES...]: verify, print a summary, echo the error count
# into $tmp/NAME.errors. Returns non-zero if the tools themselves failed.
run() {
	local name=$1 dir=$tmp/$1 out errors states
	shift
	mkdir -p "$dir"
	cp "$model" "$dir/ring.pml"
	( cd "$dir" &&
	  spin "$@" -a ring.pml >spin.log 2>&1 &&
	  "$cc" -O2 -DSAFETY -o pan pan.c >cc.log 2>&1 &&
	  timeout 50 ./pan -m100000 >pan.log 2>&1 ) || {
		echo "$name: spin/cc/pan failed"
		cat "$dir"/*.log 2>/dev/null | tail -n 20
		return 1
	}
	out=$dir/pan.log
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$out" | head -n 1)
	states=$(awk '/states, stored/ {print $1; exit}' "$out")
	[ -n "$errors" ] || { echo "$name: no result from pan"; tail -n 20 "$out"; return 1; }
	echo "$name: $states states stored, $errors errors$(grep -m1 -o 'pan:1: .*' "$out" | sed 's/^pan:1: / (/;s/$/)/')"
	echo "$errors" >"$tmp/$name.errors"
}

ok=1
if run correct; then
	[ "$(cat "$tmp/correct.errors")" = 0 ] || { echo "FAIL: ring model has errors"; ok=0; }
else
	ok=0
fi
if run nofence -DNOFENCE; then
	[ "$(cat "$tmp/nofence.errors")" != 0 ] ||
		{ echo "FAIL: no-fence variant verified: model cannot detect lost wake-ups"; ok=0; }
else
	ok=0
fi

if run noack -DNOACK; then
	[ "$(cat "$tmp/noack.errors")" != 0 ] ||
		{ echo "FAIL: no-ack variant verified: model cannot see the mode handshake"; ok=0; }
else
	ok=0
fi

if run noclear -DNOCLEAR; then
	[ "$(cat "$tmp/noclear.errors")" != 0 ] ||
		{ echo "FAIL: no-clear variant verified: model cannot see a stale record"; ok=0; }
else
	ok=0
fi

if [ $ok = 1 ]; then
	echo "ring model verified; no-fence and no-ack variants lose a wake-up, the no-clear one takes a stale record, as expected"
	exit 0
fi
exit 1
