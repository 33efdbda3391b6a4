# SPDX-License-Identifier: GPL-2.0-only
# cell-isolation: an inmate that reads memory outside its cell is stopped
# with a console report naming cell, CPU, address and access; another
# running cell keeps running (timer lines after the report) and root Linux
# is unaffected.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g cell-isolation "" 4
guest_wait g
hv_console_expect g 'CPU 3: cell "mem-violator": read of 0x3a000000 refused' \
	'cell "mem-violator" stopped: memory access outside its config'
grep -aq "the hypervisor did not stop me" "$W/g.com1" && fail "mem-violator read forbidden memory"
after=$(sed -n '/mem-violator" stopped/,$p' "$W/g.com1" | grep -ac "^Timer fired")
[ "$after" -ge 3 ] || fail "apic-demo printed $after timer lines after the violation"
echo "apic-demo went on: $after timer lines after mem-violator was stopped"
