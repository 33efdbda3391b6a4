# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-badconfig: each ivshmem pairing mistake (different BDF, different
# start or size, missing ROOTSHARED, two cells on one device, shared memory
# over Linux's RAM, a virtual device over a real one) and device memory of
# an inmate over root RAM or the other pair's shared memory is refused with its
# own clear line by `bulkhead config check` and by the hypervisor; nothing
# leaks and the good pair still works afterwards.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g ivshmem-badconfig "" 4
guest_wait g
hv_console_expect g \
	'Cell config problem: cell "ivshmem-demo": pci device 0 (00:10.0) has no partner' \
	'Cell config problem: cell "ivshmem-demo": pci device 0 ('"$VDEV_A"'): ivshmem shared memory [0x3e100000-0x3e2fffff] differs' \
	'Cell config problem: cell "ivshmem-demo": pci device 0 ('"$VDEV_A"'): ivshmem shmem_region 1 at 0x3e000000 lacks the ROOTSHARED flag' \
	'Cell config problem: cell "ivshmem-demo": pci device 0 ('"$VDEV_A"'): ivshmem shared memory [0x3e000000-0x3e0fffff] differs' \
	'pairs with one cell at a time' \
	'Linux would use the shared memory as RAM' \
	'Cell config problem: cell "ivshmem-demo": memory region 2 [0x1000000-0x1000fff] is device memory over the root cell'"'"'s memory region 0' \
	'Cell config problem: cell "ivshmem-demo": memory region 2 [0x3e200000-0x3e200fff] is device memory over the root cell'"'"'s memory region 3 [0x3e200000-0x3e3fffff] (the shared memory of ivshmem '"$VDEV_B)" \
	'ivshmem 00:1f.0: a real PCI device is at that address' \
	'IVSHMEM: got doorbell 1'
hv_console_lacks g 'stopped:'
