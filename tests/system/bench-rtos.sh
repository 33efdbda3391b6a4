#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench-rtos`: the RTOS's figures inside a cell, in one QEMU run
# (TCG, q35, -cpu EPYC, 4 CPUs): rtos-bench in the FreeRTOS cell on CPU 3
# (1 ms task release latency, tick handler latency, switch and handoff
# cycles) while apic-demo on CPU 2 measures its bare 100 ms timer, the
# baseline of the same run. Prints a table and one summary line:
#   rtos_release_p50_ns=N rtos_release_p99_ns=N rtos_tick_p50_ns=N
#   apic_demo_p50_ns=N apic_demo_p99_ns=N rtos_switch_cycles=N
#   rtos_fpu_switch_cycles=N rtos_handoff_p50_cycles=N
# Consoles under BUILD/bench-rtos/. Usage: bench-rtos.sh BUILD_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
harness_env "${1:-build}" || exit 1
export W=$BUILD/bench-rtos
rm -rf "$W" && mkdir -p "$W"
source "$here/lib.sh"
source "$here/hv.sh"

echo "Booting QEMU (TCG, q35, -cpu EPYC, 4 CPUs): apic-demo on CPU 2, rtos-bench on CPU 3"
GUEST_APPEND=$HV_MEMMAP
guest_start g rtos-bench "" 4
guest_wait g
con=$W/g.com1
grep -a '^rtos-bench: ' "$con" | tr -d '\r' | sed 's/^/  /'

# apic-demo's jitter lines while rtos-bench ran (all of them: they run
# side by side from the second start on), as p50/p99/max.
apic=$(tr -d '\r' <"$con" | sed -n 's/^Timer fired, jitter: *\(-\?[0-9]*\) ns.*/\1/p' | sort -n |
	awk '{ v[NR] = $1 }
	END { if (!NR) exit; p = int(NR * 0.99) + 1; if (p > NR) p = NR
	      printf "%d %d %d %d", NR, v[int(NR / 2) + 1], v[p], v[NR] }')
[ -n "$apic" ] || { echo "bench-rtos: apic-demo printed no timer lines" >&2; exit 1; }
set -- $apic
echo "  apic-demo (bare 100 ms APIC timer, same run): $1 samples, p50 $2 ns, p99 $3 ns, max $4 ns"
apic_p50=$2 apic_p99=$3

field() {	# field LINE-PATTERN WORD-BEFORE: the number after WORD in that line
	tr -d '\r' <"$con" | grep -a "^rtos-bench: $1" | head -n 1 |
		sed -n "s/.*$2 \([0-9]*\).*/\1/p"
}
rel_p50=$(field 'task release late' p50) rel_p99=$(field 'task release late' p99)
tick_p50=$(field 'tick handler late' p50)
sw=$(field 'yield between two tasks' 'tasks:') fsw=$(field 'yield between two FPU' 'tasks:')
hand=$(field 'semaphore handoff' p50)
for v in rel_p50 rel_p99 tick_p50 sw fsw hand; do
	[ -n "${!v}" ] || { echo "bench-rtos: rtos-bench did not report $v (see $con)" >&2; exit 1; }
done
echo "rtos_release_p50_ns=$rel_p50 rtos_release_p99_ns=$rel_p99 rtos_tick_p50_ns=$tick_p50" \
	"apic_demo_p50_ns=$apic_p50 apic_demo_p99_ns=$apic_p99 rtos_switch_cycles=$sw" \
	"rtos_fpu_switch_cycles=$fsw rtos_handoff_p50_cycles=$hand"
