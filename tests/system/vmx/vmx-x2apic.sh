# SPDX-License-Identifier: GPL-2.0-only
# vmx-x2apic (host half; guest: check_vmx_x2apic in guest/vmx.sh): the
# x2APIC build of apic-demo ran on CPU 1 in x2APIC mode, its timer and
# EOIs did not exit (fewer MSR exits than timer lines: in xAPIC mode,
# vmx-apic, every tick costs two MMIO exits), and after destroy either
# CPU 1 went back to Linux, or the hypervisor said why it keeps it
# parked and Linux was refused the disable but went on.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

cell=bochs-apic-demo
hv_console_expect g "Created cell \"$cell\"" "Started cell \"$cell\"" "Using x2APIC" \
	"Calibrated APIC frequency" "Cell \"$cell\" shut down" "Closing cell \"$cell\""
ticks=$(grep -acE '^Timer fired, jitter: +-?[0-9]+ ns' "$W/g.com1")
[ "$ticks" -ge 10 ] || fail "only $ticks timer lines from the x2APIC apic-demo (want at least 10)"
msr=$(hv_cell_exits g msr)
[ -n "$msr" ] || fail "no msr row in the cell's stats"
[ "$msr" -lt "$ticks" ] || fail "$msr MSR exits for $ticks timer ticks: the x2APIC timer or EOI exits"
online=$(tr -d '\r' <"$W/g.com2" | sed -n "s/^CPU 1 online after destroy: //p")
case $online in
1) back="CPU 1 back in Linux" ;;
0)
	hv_console_expect g "CPU 1: its local APIC stays disabled"
	grep -aq '^disable refused: .*root cell is not back in Linux' "$W/g.com2" ||
		fail "disable not refused, or not for the parked CPU: $(grep -a '^disable refused' "$W/g.com2")"
	back="CPU 1 kept parked: its APIC cannot leave x2APIC mode here" ;;
*) fail "CPU 1's state after destroy not reported" ;;
esac
echo "x2APIC apic-demo: $ticks timer lines, $msr MSR exits; $back" | tee "$W/note"
hv_console_clean g
