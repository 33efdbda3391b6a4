// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration space through the legacy ports 0xcf8/0xcfc (the cell
 * config must give the inmate ports 0xcf8-0xcff). Offsets are aligned to
 * the access size; reads of a missing device return all ones.
 */
#include "inmate.h"

#include <common/pci.h>

static void pci_select(uint16_t bdf, unsigned int offset)
{
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (uint32_t)bdf << 8 | (offset & 0xfc));
}

uint32_t pci_read_config(uint16_t bdf, unsigned int offset, unsigned int size)
{
	uint32_t v;

	pci_select(bdf, offset);
	v = inl(PCI_CONF1_DATA);
	v >>= 8 * (offset & 3);
	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void pci_write_config(uint16_t bdf, unsigned int offset, uint32_t value,
		      unsigned int size)
{
	uint32_t v = value, shift = 8 * (offset & 3), mask;

	if (size < 4) {
		mask = ((1u << (8 * size)) - 1) << shift;
		pci_select(bdf, offset);
		v = (inl(PCI_CONF1_DATA) & ~mask) | ((value << shift) & mask);
	}
	pci_select(bdf, offset);
	outl(PCI_CONF1_DATA, v);
}

int pci_find_device(uint16_t vendor, uint16_t device, uint16_t start_bdf)
{
	unsigned int bdf;
	uint32_t id;

	for (bdf = start_bdf; bdf < 0x10000; bdf++) {
		id = pci_read_config((uint16_t)bdf, 0, 4);
		if ((id & 0xffff) == vendor && (id >> 16) == device)
			return (int)bdf;
	}
	return -1;
}

unsigned int pci_find_cap(uint16_t bdf, uint8_t id)
{
	unsigned int pos, hops;

	if (!(pci_read_config(bdf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read_config(bdf, PCI_CAPABILITY_LIST, 1) & 0xfc;
	/* a list that loops ends too */
	for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
		if (pci_read_config(bdf, pos, 1) == id)
			return pos;
		pos = pci_read_config(bdf, pos + PCI_CAP_LIST_NEXT, 1) & 0xfc;
	}
	return 0;
}
