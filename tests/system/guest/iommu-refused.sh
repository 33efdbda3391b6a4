# SPDX-License-Identifier: GPL-2.0-only
# Guest half of iommu-refused (QEMU with -device intel-iommu; Linux
# booted with its defaults, so it remaps DMA and interrupts through it).
# Args: none
# The hypervisor will not share the unit with Linux: enable with the
# IOMMU config is refused, nothing changed (Linux's interrupts still
# arrive); the config without an IOMMU still enables.
. /tests/guest/lib.sh

load_bulkhead
step "enable with an IOMMU Linux uses"
refused "refused to start" bulkhead enable /configs/qemu-q35-iommu.cell
[ "$(cat /sys/devices/bulkhead/enabled)" = 0 ] || fail "enabled over Linux's IOMMU"
step "Linux's timer interrupts still arrive"
t0=$(cut -d. -f1 /proc/uptime)
must sleep 2
[ "$(cut -d. -f1 /proc/uptime)" -gt "$t0" ] || fail "the clock stood still"
step "the config without an IOMMU enables"
hv_enable
hv_disable
