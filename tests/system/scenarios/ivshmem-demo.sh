# SPDX-License-Identifier: GPL-2.0-only
# ivshmem-demo: the hypervisor's ivshmem devices between root Linux and
# two ivshmem-demo inmates (both pairs of the system config at once),
# with the tools users start with (ivshmem-ping).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND=$HV_MEMMAP
guest_start g ivshmem-demo "" 4
guest_wait g
hv_console_expect g 'IVSHMEM: Found 1af4:1110 at '"$VDEV_A"', ID 1' \
	'IVSHMEM: shared memory at 0x80000000, 2048 KiB' 'IVSHMEM: got doorbell 3' \
	'IVSHMEM: peer state now 1 (ready)' 'IVSHMEM: peer state now 0 (reset)' \
	'IVSHMEM: Found 1af4:1110 at '"$VDEV_B"', ID 1'
hv_console_clean g
