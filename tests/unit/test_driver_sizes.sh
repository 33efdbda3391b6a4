#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bulkhead.ko sizes per-CPU data by the CPUs there are (nr_cpu_ids,
# cpumask_var_t), never by NR_CPUS: Debian's kernel has NR_CPUS=8192, so an
# NR_CPUS array costs 64 KiB per cell and a struct cpumask 1 KiB of a 16 KiB
# kernel stack. Fails on an array sized NR_CPUS or a struct cpumask object
# (not a pointer to one) in driver/*.c. Run from the build directory's
# tests/unit, like the other scripts here.
set -u
here=$(dirname "$0")
dir=
for d in ${BULKHEAD_SRC:+"$BULKHEAD_SRC/driver"} "$here/../../../driver"; do
	if [ -f "$d/cell.c" ]; then
		dir=$(cd "$d" && pwd)
		break
	fi
done
[ -n "$dir" ] || { echo "driver sources not found (set BULKHEAD_SRC)"; exit 1; }
# Comments may name what the code avoids; only code counts.
bad=$(grep -nE 'NR_CPUS[[:space:]]*\]|struct[[:space:]]+cpumask[[:space:]]+[A-Za-z_]' \
	"$dir"/*.c | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$bad" ]; then
	echo "sized by NR_CPUS (use nr_cpu_ids or cpumask_var_t):"
	echo "$bad"
	echo "driver/*.c has NR_CPUS-sized data"
	exit 1
fi
echo "no NR_CPUS-sized array or struct cpumask object in driver/*.c"
