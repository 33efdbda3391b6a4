#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Instructions per operation under valgrind's callgrind, for a program
# that dumps one callgrind part per case and prints "NAME OPS" for each
# (bench/cellmsg_icount.c, bench/rtos_icount.c); prints the table and,
# last, the summary line NAME=N ... in the program's order, e.g.
#   cellmsg_insns_8B=N cellmsg_insns_64B=N cellmsg_insns_zc=N cellmsg_insns_zc_ring=N
#   cellmsg_insns_batch32_per_msg=N spsc_insns_8B=N
# Usage: icount.sh PROGRAM [OUTDIR]. Exit 1 if valgrind or the program fails.
set -u
prog=$1
out=${2:-$(dirname "$prog")/icount}
command -v valgrind >/dev/null 2>&1 || { echo "icount.sh: valgrind not installed"; exit 1; }
rm -rf "$out"
mkdir -p "$out"
valgrind --tool=callgrind --collect-atstart=no \
	--callgrind-out-file="$out/callgrind.out" "$prog" >"$out/ops.txt" 2>"$out/valgrind.log" || {
	echo "icount.sh: $prog failed under callgrind"; tail -n 20 "$out/valgrind.log"; exit 1; }

# Each client-request dump is callgrind.out.N: its desc names the case,
# its totals line holds the instructions counted since the previous dump.
declare -A insns
for f in "$out"/callgrind.out.*; do
	name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
	total=$(awk '/^(totals|summary):/ {print $2; exit}' "$f")
	[ -n "$name" ] && insns[$name]=$total
done
summary=
printf '%-32s %12s %10s %10s\n' case instructions ops per-op
# The cases in the program's order: its "NAME OPS" lines.
names=$(awk 'NF == 2 && $2 ~ /^[0-9]+$/ { print $1 }' "$out/ops.txt")
[ -n "$names" ] || { echo "icount.sh: $prog printed no cases"; exit 1; }
for name in $names; do
	ops=$(awk -v n="$name" '$1 == n {print $2}' "$out/ops.txt")
	total=${insns[$name]:-}
	if [ -z "$ops" ] || [ -z "$total" ]; then
		per=NA
	else
		per=$(( (total + ops / 2) / ops ))
	fi
	printf '%-32s %12s %10s %10s\n' "$name" "${total:-NA}" "${ops:-NA}" "$per"
	summary="$summary${summary:+ }$name=$per"
done
echo "$summary"
