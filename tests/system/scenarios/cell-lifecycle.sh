# SPDX-License-Identifier: GPL-2.0-only
# cell-lifecycle: enable, create apic-demo, load, start, at least 10 timer
# lines with jitter figures, shut down, destroy, disable; the CPU returns
# to Linux and the pool usage returns to its baseline (checked in the
# guest), as in the Jailhouse tutorial; `cell stats` shows the exits and
# the hypervisor's cycles per exit. Then once more on a machine with
# fewer CPUs (3) than the system config names (4): nothing may wait for
# the CPU that is not there (a TLB flush request to it hung at start).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g cell-lifecycle "apic-demo,apic-demo,2,3" 4
guest_wait g
hv_console_expect g 'Created cell "apic-demo"' 'Started cell "apic-demo"' \
	"Calibrated APIC frequency" 'Cell "apic-demo" shut down' 'Closing cell "apic-demo"'
n=$(grep -acE '^Timer fired, jitter: +-?[0-9]+ ns, min: +-?[0-9]+ ns, max: +-?[0-9]+ ns' "$W/g.com1")
[ "$n" -ge 10 ] || fail "only $n timer lines from apic-demo (want at least 10)"
echo "apic-demo printed $n timer lines"
! grep -aq 'stopped:\|refused' "$W/g.com1" || fail "hypervisor reported: $(grep -a 'stopped:\|refused' "$W/g.com1" | head -n 1)"
# The stats table ends with the hypervisor's own cycles per exit, from
# each CPU's exit_cycles: apic-demo exits (timer, EOI), so it is no 0.
cycles=$(hv_cell_exits g cycles/exit)
[ -n "$cycles" ] || fail "bulkhead cell stats printed no cycles/exit row"
[ "$cycles" -gt 0 ] 2>/dev/null && [ "$cycles" -lt 100000000 ] ||
	fail "cycles/exit in bulkhead cell stats: '$cycles', want a count above 0"
echo "hypervisor: $cycles TSC cycles per exit of apic-demo"

guest_start few cell-lifecycle "apic-demo,apic-demo,2,2" 3
guest_wait few
hv_console_expect few 'Started cell "apic-demo"' 'Closing cell "apic-demo"'
