# SPDX-License-Identifier: GPL-2.0-only
# hv-isolation: root Linux cannot read or write the hypervisor's memory
# nor touch its UART; each attempt is refused (a #GP the kernel's no-fault
# accessors turn into -EFAULT; port reads give all ones) and reported on
# the hypervisor console with CPU, address and access; Linux goes on. A
# store into the MSI window is refused too; an access retried 4096 times
# is reported once plus count lines, not 4096 times.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g hv-isolation "" 4
guest_wait g
hv_console_expect g "read of 0x3a000000 refused" "write of 0x3afff000 refused" \
	"read of I/O port 0x3fd refused" "Shutting down hypervisor" \
	"write of 0xfee03000 refused" "(read 0x3a000000) repeated 2048 times"
n=$(hv_console_count g "read of 0x3a000000 refused")
[ "$n" -le 3 ] || fail "a read retried 4096 times was reported $n times"
grep -aE 'CPU [0-9]+: cell "qemu-q35": read of 0x3a000000 refused' "$W/g.com1" >/dev/null ||
	fail "the report does not name the CPU and the cell"
hv_console_lacks g 'stopped:'
