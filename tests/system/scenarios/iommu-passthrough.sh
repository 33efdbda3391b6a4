# SPDX-License-Identifier: GPL-2.0-only
# iommu-passthrough: QEMU's edu device passed to an inmate under the
# hypervisor's Intel IOMMU. Refused without an IOMMU in the system config
# (edu stays Linux's); with one it leaves Linux at cell create (root can
# no longer read its BAR), DMAs inside the inmate's memory (the bytes come
# back), and its DMA write and read outside that memory are blocked and
# reported with the cell's name; its MSI is refused (root Linux runs no
# interrupt remapping here: x2apic-passthrough has it); after destroy root
# Linux uses it again.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

GUEST_APPEND="$HV_MEMMAP intel_iommu=off intremap=off"
guest_start g iommu-passthrough "" 4 -device intel-iommu -device edu,dma_mask=0xffffffffffffffff
guest_wait g
hv_console_expect g \
	'cell "edu-demo": pci device 0 (00:01.0) is passed through, but the system config lists no IOMMU' \
	'IOMMU: device 00:01.0 DMAs into cell "edu-demo" only' \
	'Cell "edu-demo": PCI device 00:01.0 passed through' \
	'read of 0xfea00000 refused' \
	'edu-demo: edu at 00:01.0, BAR0 0xfea00000, liveness ok' \
	'edu-demo: DMA inside the cell: 256 of 256 bytes came back' \
	'IOMMU 0: DMA write of 0x200000 by device 00:01.0 (cell "edu-demo") refused' \
	'IOMMU 0: DMA read of 0x201000 by device 00:01.0 (cell "edu-demo") refused' \
	'Cell "edu-demo": PCI device 00:01.0: MSI (address 0xfee02000, data 0x41) refused: it needs interrupt remapping' \
	'edu-demo: MSI to this CPU (APIC ID 2): 0 of 1 arrived' \
	'Closing cell "edu-demo"'
hv_console_lacks g 'stopped:|FAILED|IOMMU.*did not'
