# SPDX-License-Identifier: GPL-2.0-only
# iommu-dma: the hypervisor takes QEMU's Intel IOMMU over at enable: a
# root device (edu) reaches root RAM only; its DMA into the hypervisor's
# memory and into cell memory is blocked and reported on the console
# with device, address and direction; disable gives the unit back.
# (The guest half also shows the same DMA landing without the hypervisor.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND="$HV_MEMMAP intel_iommu=off intremap=off"
guest_start g iommu-dma "" 4 -device intel-iommu -device edu,dma_mask=0xffffffffffffffff
guest_wait g
hv_console_expect g "IOMMU 0: Intel VT-d" "IOMMU 0: DMA remapping on" \
	"IOMMU 0: DMA write of 0x3a000000 by device 00:" \
	"IOMMU 0: DMA write of 0x3d000000 by device 00:" \
	"IOMMU 0: DMA read of 0x3a000000 by device 00:" \
	"IOMMU 0: DMA remapping off" \
	"IOMMU 0: WARNING: Linux runs without interrupt remapping (intremap=off)"
# The fault lines say "refused": hv_console_clean would count them.
hv_console_lacks g 'stopped:|FAILED|Config problem|IOMMU.*did not'
