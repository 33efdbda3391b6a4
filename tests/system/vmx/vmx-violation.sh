# SPDX-License-Identifier: GPL-2.0-only
# vmx-violation (host half; guest: check_vmx_violation in guest/vmx.sh):
# mem-violator's read outside its cell and misbehave's read of port 0x3fd
# were each refused, reported with CPU, cell and address, and stopped the
# cell; neither inmate got past the access.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

hv_console_expect g \
	'CPU 1: cell "bochs-mem-violator": read of 0x3a000000 refused' \
	'CPU 1: cell "bochs-mem-violator" stopped: memory access outside its config' \
	'CPU 1: cell "bochs-misbehave": read of I/O port 0x3fd' \
	'CPU 1: cell "bochs-misbehave" stopped: I/O port outside its config'
! grep -aq "the hypervisor did not stop me" "$W/g.com1" || fail "mem-violator read forbidden memory"
! grep -aq "misbehave: port 0x3fd reads" "$W/g.com1" || fail "misbehave read port 0x3fd"
