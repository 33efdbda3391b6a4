#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Instructions per operation under valgrind's callgrind, for a program
# that dumps one callgrind part per case and prints "NAME OPS" for each
# (bench/cellmsg_icount.c, bench/rtos_icount.c); prints the table and,
# last, the summary line NAME=N ... in the program's order, e.g.
#   cellmsg_insns_8B=N cellmsg_insns_64B=N cellmsg_insns_zc=N cellmsg_insns_zc_ring=N
#   cellmsg_insns_batch32_per_msg=N spsc_insns_8B=N
# With LIB_SRC (an extended regex on source paths, e.g. '/libcellmsg/')
# each case also gets the library's share: the instructions whose source
# line matches (inlined code included, as the compiler attributed it) and
# the calls from there into other code (memcpy, syscalls); the summary
# then goes on with NAME_lib=N for each case. A round's full count holds
# the benchmark's own loop and checks; the share is what the calls cost.
# Usage: [LIB_SRC=RE] icount.sh PROGRAM [OUTDIR]. Exit 1 if valgrind or
# the program fails.
set -u
lib_src=${LIB_SRC:-}
prog=$1
out=${2:-$(dirname "$prog")/icount}
command -v valgrind >/dev/null 2>&1 || { echo "icount.sh: valgrind not installed"; exit 1; }
rm -rf "$out"
mkdir -p "$out"
valgrind --tool=callgrind --collect-atstart=no --compress-strings=no --compress-pos=no \
	--callgrind-out-file="$out/callgrind.out" "$prog" >"$out/ops.txt" 2>"$out/valgrind.log" || {
	echo "icount.sh: $prog failed under callgrind"; tail -n 20 "$out/valgrind.log"; exit 1; }

# Each client-request dump is callgrind.out.N: its desc names the case,
# its totals line holds the instructions counted since the previous dump.
# The share of the lines in LIB_SRC's files: their own cost lines, and the
# inclusive cost of their calls into files outside (a call into the
# library from there is counted by the callee's own lines already).
lib_share() {
	awk -v re="$lib_src" '
	/^fl=/ { fl = substr($0, 4); file = fl; next }
	/^f[ie]=/ { file = substr($0, 4); next }
	/^fn=/ { file = fl; next }
	/^c(fi|fl)=/ { callee = substr($0, 5); next }
	/^calls=/ { call = 1; next }
	/^[0-9]/ {
		if (call) {
			if (file ~ re && (callee == "" ? file : callee) !~ re)
				sum += $2
			call = 0; callee = ""
		} else if (file ~ re) {
			sum += $2
		}
	}
	END { print sum + 0 }' "$1"
}

declare -A insns lib
for f in "$out"/callgrind.out.*; do
	name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
	total=$(awk '/^(totals|summary):/ {print $2; exit}' "$f")
	[ -n "$name" ] || continue
	insns[$name]=$total
	[ -n "$lib_src" ] && lib[$name]=$(lib_share "$f")
done
# per_op TOTAL OPS: rounded per-operation count, or NA.
per_op() {
	if [ -z "$2" ] || [ -z "$1" ]; then echo NA; else echo $(( ($1 + $2 / 2) / $2 )); fi
}

summary= lib_summary=
printf '%-32s %12s %10s %10s%s\n' case instructions ops per-op "${lib_src:+ library/op}"
# The cases in the program's order: its "NAME OPS" lines.
names=$(awk 'NF == 2 && $2 ~ /^[0-9]+$/ { print $1 }' "$out/ops.txt")
[ -n "$names" ] || { echo "icount.sh: $prog printed no cases"; exit 1; }
for name in $names; do
	ops=$(awk -v n="$name" '$1 == n {print $2}' "$out/ops.txt")
	total=${insns[$name]:-}
	per=$(per_op "$total" "$ops")
	libper=
	if [ -n "$lib_src" ]; then
		libper=$(per_op "${lib[$name]:-}" "$ops")
		lib_summary="$lib_summary ${name}_lib=$libper"
	fi
	printf '%-32s %12s %10s %10s%s\n' "$name" "${total:-NA}" "${ops:-NA}" "$per" "${libper:+ $(printf '%10s' "$libper")}"
	summary="$summary${summary:+ }$name=$per"
done
echo "$summary$lib_summary"
