# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-isolation: an inmate reaches nothing of the root cell through its
# ivshmem device: misrouted MSI-X vectors (a root CPU, an NMI) are not
# delivered, doorbells to peers that do not exist do nothing, and a read
# past the shared memory stops the inmate while root Linux goes on.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g ivshmem-isolation "" 4
guest_wait g
hv_console_expect g \
	'MSI-X vector 0 (address 0xfee00000, data 0x30) names none of the cell'"'"'s CPUs: not delivered' \
	'MSI-X vector 1 (address 0xfee03000, data 0x400) is not a fixed interrupt: not delivered' \
	'Cell "qemu-q35": ivshmem '"$VDEV_A"': doorbell for peer 7 ignored (no such peer)' \
	'Cell "ivshmem-demo": ivshmem '"$VDEV_A"': doorbell for peer 5 ignored (no such peer)' \
	'Cell "ivshmem-demo": ivshmem '"$VDEV_A"': doorbell for peer 1 ignored (no such peer)' \
	'read of 0x80200000 refused' \
	'cell "ivshmem-demo" stopped: memory access outside its config' \
	'IVSHMEM: got doorbell 1'
! grep -aq "NOT STOPPED" "$W/g.com1" || fail "the inmate read past its shared memory"
