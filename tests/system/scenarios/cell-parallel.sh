# SPDX-License-Identifier: GPL-2.0-only
# cell-parallel: two inmate cells run at the same time on different CPUs.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g cell-parallel "" 4
guest_wait g
hv_console_expect g "Hello from tiny-demo" 'Started cell "apic-demo"' 'Started cell "tiny-demo"'
# Emulated PCI config space: the host bridge (8086:29c0) is not the inmate's.
hv_console_expect g "tiny-demo: PCI 00:00.0 is ffff:ffff, class ffffff"
# apic-demo's timer kept firing around tiny-demo's run.
after=$(sed -n '/Hello from tiny-demo/,$p' "$W/g.com1" | grep -ac "^Timer fired")
[ "$after" -ge 3 ] || fail "apic-demo printed $after timer lines after tiny-demo ran"
hv_console_clean g
