# SPDX-License-Identifier: GPL-2.0-only
# Guest half of ivshmem-pingpong. Args: COUNT SEED
# Root Linux sends COUNT checked messages through libcellmsg (uio backend)
# to cellmsg-echo in the ivshmem-demo cell and checks every echo: once
# busy-polling (seed SEED), once sleeping on the doorbell (seed SEED+1).
. /tests/guest/lib.sh
count=$1 seed=$2

load_uio_modules
load_bulkhead
hv_enable
uio=/dev/$(ls /sys/bus/pci/devices/$BH_VDEV_A/uio)
start_cellmsg_echo

s=$seed
for mode in poll block; do
	step "$count messages, root side $mode"
	cellmsg-xfer -d $uio -p 1 -m $mode -n "$count" -s $s -t 120000 ||
		fail "cellmsg-xfer ($mode) failed with exit code $?"
	s=$((s + 1))
done
must bulkhead cell stats ivshmem-demo
must bulkhead cell shutdown ivshmem-demo
must bulkhead cell destroy ivshmem-demo
hv_disable
