# SPDX-License-Identifier: GPL-2.0-only
# x2apic-passthrough: iommu-passthrough with root Linux in x2APIC mode and
# the hypervisor running interrupt remapping (QEMU 10). The passed-through
# edu device's MSI reaches the inmate's CPU through an entry of the
# hypervisor's own (only from that device); aimed at a root CPU it is
# refused. (MSIs the device's DMA engine could forge are the unit's to
# block: QEMU does not, docs/iommu-platform.md.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../hv.sh"

use_qemu10
GUEST_CPU=EPYC,+x2apic
GUEST_APPEND="$HV_MEMMAP intel_iommu=off"
guest_start g iommu-passthrough x2apic 4 -device intel-iommu,intremap=on,eim=on \
	-device edu,dma_mask=0xffffffffffffffff
guest_wait g
hv_console_expect g \
	'IOMMU 0: interrupt remapping taken over from Linux' \
	'Cell "edu-demo": PCI device 00:01.0 passed through' \
	'edu-demo: DMA inside the cell: 256 of 256 bytes came back' \
	'edu-demo: MSI to this CPU (APIC ID 2): 1 of 1 arrived' \
	'Cell "edu-demo": PCI device 00:01.0: MSI (address 0xfee00000, data 0x41) refused: not a CPU of the cell' \
	'edu-demo: MSI to root CPU (APIC ID 0): 0 arrived here' \
	'Closing cell "edu-demo"' 'IOMMU 0: interrupt remapping back to Linux'
hv_console_lacks g 'stopped:|FAILED|IOMMU.*did not|NOT given back|which has no handler'
