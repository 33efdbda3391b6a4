# SPDX-License-Identifier: GPL-2.0-only
# Guest half of link-config: broken link configs are refused by the CLI
# (one line naming the cell or link, the device and the field) and, with
# the CLI bypassed, by the hypervisor at enable and at `cell create`;
# nothing is left behind and the good configs still work.
. /tests/guest/lib.sh
BH_SYSCONFIG=/configs/qemu-q35-link.cell

load_uio_modules
load_bulkhead

step "system configs: 17 peers, the root's link region 4 KiB short"
must bh-cfgtool mutate link-peers $BH_SYSCONFIG /tmp/sys17.cell
refused "ivshmem link 0 (00:10.0): num_peers 17 is outside 2..16" bulkhead config check /tmp/sys17.cell
must bh-cfgtool raw-enable /tmp/sys17.cell
must bh-cfgtool mutate link-size $BH_SYSCONFIG /tmp/short.cell
refused "root cell pci device 2 (00:10.0): ivshmem shared memory [0x3e400000-0x3e43ffff] is not ivshmem link 0's memory" \
	bulkhead config check /tmp/short.cell
must bh-cfgtool raw-enable /tmp/short.cell

hv_enable
baseline=$(cat /sys/devices/bulkhead/mem_pool_used)
step "cell configs: the root's peer ID, one past the peers, no ROOTSHARED"
for case in "link-root-id:ivshmem shmem_peer_id 0 is the root cell's on the link" \
	    "link-big-id:ivshmem shmem_peer_id 3 is not below ivshmem link 0's num_peers 3" \
	    "link-noshared:ivshmem shmem_region 1 lacks the ROOTSHARED flag: the root cell is a peer of the link"; do
	kind=${case%%:*}
	must bh-cfgtool mutate-cell $kind /configs/link-a.cell /tmp/$kind.cell
	refused "cell \"link-a\": pci device 0 (00:10.0): ${case#*:}" \
		bulkhead config check $BH_SYSCONFIG /tmp/$kind.cell
	must bh-cfgtool raw-create /tmp/$kind.cell
done
no_leak "after the refused cells"

step "a peer ID taken by a running cell"
must bulkhead cell create /configs/link-a.cell
must bh-cfgtool mutate-cell link-twin /configs/link-a.cell /tmp/twin.cell
refused "ivshmem shmem_peer_id 1 is also cell \"link-a\"'s on the link" \
	bulkhead config check $BH_SYSCONFIG /configs/link-a.cell /tmp/twin.cell
must bh-cfgtool raw-create /tmp/twin.cell
must bulkhead cell create /configs/link-b.cell
must bulkhead cell destroy link-b
must bulkhead cell destroy link-a
no_leak "after the cells"
hv_disable
