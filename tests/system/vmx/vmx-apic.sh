# SPDX-License-Identifier: GPL-2.0-only
# vmx-apic (host half; guest: guest/cell-lifecycle.sh with bochs-apic-demo
# on CPU 1): as cell-lifecycle on QEMU, the cell was created, calibrated
# its APIC timer against the PM timer, printed at least 10 timer lines,
# shut down and was closed; nothing was stopped or refused. It stays in
# xAPIC mode (its CPU goes back to Linux), where each tick's timer write
# and EOI are emulated: at least as many MMIO exits as timer lines, the
# other side of vmx-x2apic's check that x2APIC mode does without them.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

cell=bochs-apic-demo
hv_console_expect g "Created cell \"$cell\"" "Started cell \"$cell\"" \
	"Using xAPIC" "Calibrated APIC frequency" "Cell \"$cell\" shut down" "Closing cell \"$cell\""
n=$(grep -acE '^Timer fired, jitter: +-?[0-9]+ ns, min: +-?[0-9]+ ns, max: +-?[0-9]+ ns' "$W/g.com1")
[ "$n" -ge 10 ] || fail "only $n timer lines from apic-demo (want at least 10)"
mmio=$(hv_cell_exits g mmio)
[ -n "$mmio" ] || fail "no mmio row in the cell's stats"
[ "$mmio" -ge "$n" ] || fail "$mmio MMIO exits for $n timer lines: is the xAPIC timer not emulated?"
echo "apic-demo printed $n timer lines, $mmio MMIO exits" | tee "$W/note"
hv_console_clean g
