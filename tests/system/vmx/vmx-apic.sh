# SPDX-License-Identifier: GPL-2.0-only
# vmx-apic (host half; guest: guest/cell-lifecycle.sh with bochs-apic-demo
# on CPU 1): as cell-lifecycle on QEMU, the cell was created, calibrated
# its APIC timer against the PM timer, printed at least 10 timer lines,
# shut down and was closed; nothing was stopped or refused.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

cell=bochs-apic-demo
hv_console_expect g "Created cell \"$cell\"" "Started cell \"$cell\"" \
	"Calibrated APIC frequency" "Cell \"$cell\" shut down" "Closing cell \"$cell\""
n=$(grep -acE '^Timer fired, jitter: +-?[0-9]+ ns, min: +-?[0-9]+ ns, max: +-?[0-9]+ ns' "$W/g.com1")
[ "$n" -ge 10 ] || fail "only $n timer lines from apic-demo (want at least 10)"
echo "apic-demo printed $n timer lines" | tee "$W/note"
hv_console_clean g
