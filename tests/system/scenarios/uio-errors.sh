# SPDX-License-Identifier: GPL-2.0-only
# uio-errors: misuse of the driver and the tool returns clear errors and
# leaves the driver working: wrong map offsets, oversized mmaps, reads of a
# wrong size, doorbells to peers that do not exist, unloading while busy,
# binding twice, a device without the shared-memory BAR.
source "$(dirname "$0")/../lib.sh"

sock=$W/ivshmem.sock
server_start "$sock" 1 64K "$W/shm.img"
# pci-testdev has BAR0 but no BAR2: uio_ivshmem is forced onto it to see
# the missing-BAR error.
guest_start e uio-errors "" 2 $(ivshmem_doorbell_args "$sock" 1) -device pci-testdev
guest_wait e
exit 0
