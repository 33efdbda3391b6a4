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
	'CPU 3: cell "misbehave": local vector with SMI/INIT/ExtINT delivery' \
	'misbehave: reserved APIC writes done' \
	'CPU 3: cell "misbehave": write to the APIC ID, a read-only or a reserved APIC register (register 0x0, value 0x400) ignored' \
	'misbehave: APIC ID reads 0x3' \
	'CPU 3: cell "misbehave": IPI with SMI or a reserved delivery mode (ICR 0x0:00040200) refused' \
	'misbehave: SMIs sent, still here' \
	'misbehave: msr pat 0x7040600070406 tsc_aux 0x0 mtrrcap 0x0 deftype 0x806 physbase0 0x0' \
	'misbehave: msr writes faulted 0x0; now deftype 0x806 physbase0 0x0 debugctl 0x0 pat 0x606060606060606' \
	'misbehave: msr #GP on write: syscfg 1 hwcr 1 pat-bad 1 tsc 0' \
	'misbehave: msr #GP on read of an unknown MSR: 1' \
	'misbehave: msr tsc_aux write 0, reads 0x77' \
	'misbehave: vector 0x40 pending, looping with interrupts off'
# The reserved EFER bit is a #GP (no IDT: a triple fault), not a VMRUN failure.
after_e=$(grep -a -A1 "misbehave: mode 'e'" "$W/g.com1" | tail -n 1 | tr -d '\r')
[ "$after_e" = 'CPU 3: cell "misbehave" stopped: triple fault' ] ||
	fail "after the reserved EFER bit: '$after_e', expected the inmate's triple fault"
! grep -aq "the hypervisor did not stop me" "$W/g.com1" || fail "misbehave was not stopped"
n=$(hv_console_count g 'Closing cell "misbehave"')
[ "$n" = 12 ] || fail "misbehave destroyed $n times, expected 12"
