# SPDX-License-Identifier: GPL-2.0-only
# cell-faults: an inmate that reads memory or an I/O port it was not
# given, triple faults or moves its APIC is stopped with a report naming
# cell, CPU, address and access; one that loops with interrupts off is
# still shut down and destroyed; an INIT programmed into a local vector is
# refused; root Linux keeps running throughout.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g cell-faults "" 4
guest_wait g
hv_console_expect g \
	'CPU 3: cell "misbehave": read of 0x3a000000 refused' \
	'CPU 3: cell "misbehave" stopped: memory access outside its config' \
	'CPU 3: cell "misbehave": read of I/O port 0x3fd' \
	'CPU 3: cell "misbehave" stopped: I/O port outside its config' \
	'CPU 3: cell "misbehave" stopped: triple fault' \
	"misbehave: mode 'l'" \
	'CPU 3: cell "misbehave" did not answer the shutdown request' \
	'CPU 3: cell "misbehave": APIC base 0x900 refused' \
	'CPU 3: cell "misbehave": local vector with SMI/INIT/ExtINT delivery'
! grep -aq "the hypervisor did not stop me" "$W/g.com1" || fail "misbehave was not stopped"
n=$(hv_console_count g 'Closing cell "misbehave"')
[ "$n" = 6 ] || fail "misbehave destroyed $n times, expected 6"
