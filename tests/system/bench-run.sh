#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: the product's main job on the embedded default. Boots QEMU
# (TCG, q35, -cpu EPYC, 4 CPUs) with Debian's kernel, enables the
# hypervisor under it, starts cellmsg-echo in the ivshmem-demo cell, runs
# bulkhead-bench from root Linux, shows the results, and shuts everything
# down. Results land in BUILD/run: bench.csv, samples.csv, latency.png
# (when gnuplot is installed), and the consoles (g.com1: hypervisor,
# g.com2: Linux). Usage: bench-run.sh BUILD_DIR
# Environment: COUNT (polled round trips per case, default 2000),
# IRQ_COUNT (interrupt-mode round trips, default 500), SIZES (bytes,
# colon-separated, default 8:64:512:4096:65536).
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
harness_env "${1:-build}" || exit 1
export W=$BUILD/run
rm -rf "$W" && mkdir -p "$W"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-900}
source "$here/lib.sh"
source "$here/hv.sh"

count=${COUNT:-2000} irq_count=${IRQ_COUNT:-500} sizes=${SIZES:-8:64:512:4096:65536}

# The guest's own lines, as they come: steps and the benchmark's table.
show_progress() {
	tail -n +1 -F --pid="$1" "$W/g.com2" 2>/dev/null | awk '
		{ sub(/\r$/, "") }
		/BENCH-(CSV|SAMPLES)-BEGIN/ { skip = 1; next }
		/BENCH-(CSV|SAMPLES)-END/ { skip = 0; next }
		skip || /^\[ *[0-9.]+\]/ || /BULKHEAD-BEGIN/ { next }
		{ print "  " $0; fflush() }'
}

extract() {
	sed -n "/$1-BEGIN/,/$1-END/p" "$W/g.com2" | tr -d '\r' | grep -v "$1-" >"$2"
}

echo "Booting QEMU (TCG, q35, -cpu EPYC, 4 CPUs, Debian's kernel) with memmap=80M\$0x3a000000"
echo "Hypervisor console: $W/g.com1   Linux console: $W/g.com2"
GUEST_APPEND=$HV_MEMMAP
guest_start g bench "$count,$irq_count,$sizes" 4
show_progress "${GUEST_PID[g]}" &
progress=$!
guest_wait g
wait "$progress"	# tail leaves within a second of QEMU
extract BENCH-CSV "$W/bench.csv"
extract BENCH-SAMPLES "$W/samples.csv"
echo
echo "Hypervisor console (excerpt):"
grep -a 'Activating\|Created cell\|Started cell\|cellmsg-echo: ready\|Closing cell\|Shutting down' \
	"$W/g.com1" | sed 's/^/  /'
echo
echo "Results: $W/bench.csv"
if command -v gnuplot >/dev/null; then
	gnuplot -e "samples='$W/samples.csv'; out='$W/latency.png'" "$here/../../bench/histogram.gp" &&
		echo "Latency histogram (64-byte messages): $W/latency.png"
else
	echo "gnuplot is not installed: no histogram (samples in $W/samples.csv)"
fi
