// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivshmem-violator: an inmate that misuses its ivshmem device, for the
 * ivshmem-isolation scenario. In order:
 *  1. routes MSI-X vector 0 to a root cell CPU (APIC ID 0) and vector 1
 *     as an NMI: whatever the root rings must reach no root CPU;
 *  2. announces READY and waits for "go" in the shared memory;
 *  3. rings peer IDs that do not exist (5, its own 1) and a vector the
 *     root's device does not have (9), then writes "rung" after "go";
 *  4. writes the last word of the shared memory (allowed), then reads
 *     the word after it: the hypervisor must stop the cell there.
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/ivshmem.h>
#include <common/x86_apic.h>

#define MMIO_BASE		IVSHMEM_INMATE_BARS(0)
#define FOREIGN_VECTOR		0x30
#define GO_OFFSET		0
#define RUNG_OFFSET		16

static int shm_says(const char *shm, const char *word)
{
	while (*word)
		if (*(volatile const char *)shm++ != *word++)
			return 0;
	return 1;
}

int inmate_main(void)
{
	struct ivshmem_device dev;
	volatile uint64_t *end;
	char *shm;

	irq_init();
	if (ivshmem_open(&dev, 0, MMIO_BASE)) {
		printk("ivshmem-violator: no ivshmem device found\n");
		return 1;
	}
	shm = dev.shmem;
	printk("ivshmem-violator: step 1: vector 0 -> root CPU's APIC ID 0, vector 1 -> NMI\n");
	dev.msix[0] = MSI_ADDR(0);			/* APIC ID 0: Linux's boot CPU */
	dev.msix[2] = FOREIGN_VECTOR;
	dev.msix[3] = 0;
	dev.msix[4] = MSI_ADDR(apic_read(0x20) >> 24);
	dev.msix[6] = MSI_DATA_DM_NMI;
	dev.msix[7] = 0;

	ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
	printk("ivshmem-violator: step 2: ready, waiting for go\n");
	while (!shm_says(shm + GO_OFFSET, "go"))
		cpu_relax();

	printk("ivshmem-violator: step 3: doorbells to peers 5 and 1, vector 9 of peer 0\n");
	ivshmem_ring(&dev, 5, 0);
	ivshmem_ring(&dev, dev.id, 0);
	ivshmem_ring(&dev, IVSHMEM_ROOT_PEER_ID, 9);
	memcpy(shm + RUNG_OFFSET, "rung", 5);

	end = (volatile uint64_t *)(shm + dev.shmem_size);
	end[-1] = 0x5afe;
	printk("ivshmem-violator: step 4: last shared word written; reading 0x%lx\n",
	       (uint64_t)(uintptr_t)end);
	printk("ivshmem-violator: read 0x%lx: NOT STOPPED\n", end[0]);
	return 1;
}
