// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bulkhead's ivshmem device from an inmate: find it on the (virtual) PCI
 * bus, give its BARs addresses (no firmware did), read where the shared
 * memory is from the vendor capability, and route MSI-X vectors to this
 * CPU. The hypervisor emulates all of it; see include/bulkhead/ivshmem.h.
 */
#include "inmate.h"

#include <bulkhead/ivshmem.h>
#include <common/pci.h>
#include <common/x86_apic.h>


static int read_shmem_cap(struct ivshmem_device *d)
{
	unsigned int cap = pci_find_cap(d->bdf, IVSHMEM_VCAP_ID);

	if (!cap || pci_read_config(d->bdf, cap + IVSHMEM_VCAP_MAGIC_OFF, 4) !=
		    IVSHMEM_VCAP_MAGIC)
		return -1;
	d->shmem_phys = pci_read_config(d->bdf, cap + IVSHMEM_VCAP_ADDR_OFF, 4) |
			(uint64_t)pci_read_config(d->bdf, cap + IVSHMEM_VCAP_ADDR_OFF + 4, 4) << 32;
	d->shmem_size = pci_read_config(d->bdf, cap + IVSHMEM_VCAP_SIZE_OFF, 4) |
			(uint64_t)pci_read_config(d->bdf, cap + IVSHMEM_VCAP_SIZE_OFF + 4, 4) << 32;
	d->shmem = (void *)(uintptr_t)d->shmem_phys;
	d->num_peers = 2;
	if (pci_read_config(d->bdf, cap + 3, 1) < IVSHMEM_VCAP_LINK_VERSION)
		return 0;
	d->num_peers = pci_read_config(d->bdf, cap + IVSHMEM_VCAP_PEERS_OFF, 4);
	d->common_size = pci_read_config(d->bdf, cap + IVSHMEM_VCAP_COMMON_SIZE_OFF, 4) |
			 (uint64_t)pci_read_config(d->bdf, cap + IVSHMEM_VCAP_COMMON_SIZE_OFF + 4, 4) << 32;
	d->output_size = pci_read_config(d->bdf, cap + IVSHMEM_VCAP_OUTPUT_SIZE_OFF, 4) |
			 (uint64_t)pci_read_config(d->bdf, cap + IVSHMEM_VCAP_OUTPUT_SIZE_OFF + 4, 4) << 32;
	/* The hypervisor's numbers; still, never index past the table. */
	if (d->num_peers > IVSHMEM_MAX_PEERS || !d->output_size ||
	    IVSHMEM_LINK_SIZE(d->common_size, d->output_size, d->num_peers) > d->shmem_size)
		return -1;
	return 0;
}

int ivshmem_open(struct ivshmem_device *d, unsigned int nth, uint64_t mmio_base)
{
	int bdf = -1;
	unsigned int msix;

	memset(d, 0, sizeof(*d));
	do {
		bdf = pci_find_device(IVSHMEM_PCI_VENDOR_ID, IVSHMEM_PCI_DEVICE_ID,
				      (uint16_t)(bdf + 1));
	} while (bdf >= 0 && nth-- > 0);
	if (bdf < 0)
		return -1;
	d->bdf = (uint16_t)bdf;
	msix = pci_find_cap(d->bdf, PCI_CAP_ID_MSIX);
	if (!msix || read_shmem_cap(d))
		return -1;
	d->msix_cap = msix;
	d->num_vectors = (pci_read_config(d->bdf, msix + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) + 1;

	pci_write_config(d->bdf, PCI_BASE_ADDRESS_0, (uint32_t)mmio_base, 4);
	pci_write_config(d->bdf, PCI_BASE_ADDRESS_0 + 4, (uint32_t)(mmio_base + IVSHMEM_EMU_BAR_SIZE), 4);
	pci_write_config(d->bdf, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	d->regs = (volatile uint32_t *)(uintptr_t)mmio_base;
	d->msix = (volatile uint32_t *)(uintptr_t)(mmio_base + IVSHMEM_EMU_BAR_SIZE +
						   IVSHMEM_MSIX_TABLE_OFFSET);
	d->id = d->regs[IVSHMEM_REG_IV_POSITION / 4];
	pci_write_config(d->bdf, msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE, 2);
	return 0;
}

void ivshmem_route_vector(struct ivshmem_device *d, unsigned int index,
			  unsigned int irq_vector)
{
	volatile uint32_t *e = d->msix + index * (IVSHMEM_MSIX_ENTRY_SIZE / 4);

	if (index >= d->num_vectors)
		return;
	e[0] = MSI_ADDR(apic_id());
	e[1] = 0;
	e[2] = irq_vector;
	e[3] = 0;				/* unmasked */
}

void ivshmem_ring(struct ivshmem_device *d, uint32_t peer_id, uint32_t vector)
{
	d->regs[IVSHMEM_REG_DOORBELL / 4] = IVSHMEM_DOORBELL(peer_id, vector);
}

void ivshmem_set_state(struct ivshmem_device *d, uint32_t state)
{
	d->regs[IVSHMEM_REG_LOCAL_STATE / 4] = state;
}

uint32_t ivshmem_peer_state(struct ivshmem_device *d)
{
	return d->regs[IVSHMEM_REG_PEER_STATE / 4];
}
