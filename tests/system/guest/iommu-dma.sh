# SPDX-License-Identifier: GPL-2.0-only
# Guest half of iommu-dma (QEMU with -device intel-iommu and an edu
# device; Linux booted with intel_iommu=off intremap=off). Args: none
# Without the hypervisor a root device's DMA reaches the reservation (the
# hole); under it, the same DMA into the hypervisor's memory and into
# cell memory is blocked, while DMA into root RAM works; after disable
# the memory shows none of the blocked writes.
. /tests/guest/lib.sh
BH_SYSCONFIG=/configs/qemu-q35-iommu.cell
HV_PAGE=0x3a000000	# the hypervisor's image header ("BHIMAGE")
CELL_PAGE=0x3d000000	# cell memory in the reservation, no cell here uses it

# first_bytes OUT: the bytes an `edu-dma read` printed.
first_bytes() {
	echo "$1" | sed -n 's/^edu-dma: read: *//p'
}

load_bulkhead
step "no hypervisor: a root device's DMA reaches the reservation"
must edu-dma selftest
must edu-dma write $CELL_PAGE 64 0x77
out=$(edu-dma read $CELL_PAGE 8) || fail "edu-dma read failed: $out"
echo "$out"
[ "$(first_bytes "$out")" = "77 77 77 77 77 77 77 77" ] ||
	fail "DMA into the reservation did not land before enable: $out"

hv_enable
step "under the hypervisor: DMA into root RAM works"
must edu-dma selftest
step "DMA into the hypervisor's memory and into cell memory"
must edu-dma write $HV_PAGE 64 0x66
must edu-dma write $CELL_PAGE 64 0x55
out=$(edu-dma read $HV_PAGE 8) || fail "edu-dma read failed: $out"
echo "$out"
case $(first_bytes "$out") in
"42 48 49 4d 41 47 45 00") fail "a root device read the hypervisor's memory: $out" ;;
esac
# The hypervisor reports a fault when a root CPU next exits (timer ticks).
sleep 1
must ls / >/dev/null
hv_disable

step "after disable: none of the blocked writes landed"
out=$(edu-dma read $CELL_PAGE 8) || fail "edu-dma read failed: $out"
echo "$out"
[ "$(first_bytes "$out")" = "77 77 77 77 77 77 77 77" ] ||
	fail "cell memory changed under the hypervisor: $out"
out=$(edu-dma read $HV_PAGE 8) || fail "edu-dma read failed: $out"
echo "$out"
[ "$(first_bytes "$out")" = "42 48 49 4d 41 47 45 00" ] ||
	fail "the hypervisor's image header changed under the hypervisor: $out"
echo "iommu-dma: blocked under the hypervisor, reaches the reservation without it"
