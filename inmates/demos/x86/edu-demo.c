// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu-demo: drives QEMU's edu device (1234:11e8, QEMU's docs/specs/edu.rst)
 * passed through to this cell, to show what its DMA reaches: 256 bytes
 * from the cell's RAM into the device's buffer and back into the RAM
 * (works: the IOMMU maps the cell's DMA regions at its own addresses),
 * then a write and a read outside the cell's memory (blocked by the
 * IOMMU; the hypervisor reports both). Then its MSI: aimed at this CPU
 * (arrives where the hypervisor runs interrupt remapping, refused where
 * it cannot) and aimed at a root CPU (refused). Then it returns (the
 * cell reports done).
 *
 * The device, as the test machine has it: 00:01.0 (found by ID), BAR0
 * 1 MiB of registers: 0x04 liveness (reads back inverted), 0x80 DMA
 * source, 0x88 destination, 0x90 count, 0x98 command (bit 0 start/busy,
 * bit 1: device buffer to RAM); its 4 KiB buffer is at 0x40000 in its
 * own address space. A DMA completes after about 100 ms (a QEMU timer).
 */
#include "../../lib/x86/inmate.h"

#include <common/edu.h>
#include <common/pci.h>
#include <common/x86_apic.h>

#define DMA_LEN		256
#define OUT_BUF		0x80000ul	/* in our RAM (the image is far smaller) */
#define BACK_BUF	0x81000ul
#define OUTSIDE		0x200000ul	/* past our 1 MiB: no DMA mapping */
#define DMA_TIMEOUT_NS	3000000000ull
#define MSI_VECTOR	0x41
#define MSI_WAIT_NS	300000000ull
#define ROOT_APIC_ID	0		/* CPU 0: root Linux's */

static volatile uint8_t *bar;

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

static void wr64(unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

/* One DMA; 0 when the device says it is done, -ETIMEDOUT otherwise. */
static int dma(uint64_t src, uint64_t dst, uint32_t len, uint32_t to_ram)
{
	uint64_t deadline = now_ns() + DMA_TIMEOUT_NS;

	wr64(EDU_DMA_SRC, src);
	wr64(EDU_DMA_DST, dst);
	wr64(EDU_DMA_CNT, len);
	wr64(EDU_DMA_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	while (rd32(EDU_DMA_CMD) & EDU_CMD_START)
		if (now_ns() > deadline)
			return -ETIMEDOUT;
	return 0;
}

static volatile unsigned int msi_seen;

static void on_msi(unsigned int vector)
{
	(void)vector;
	msi_seen++;
	wr32(EDU_IRQ_ACK, rd32(EDU_IRQ_STATUS));
}

/* How many interrupts reached this CPU within MSI_WAIT_NS of @start. */
static unsigned int msis_since(unsigned int before)
{
	uint64_t deadline = now_ns() + MSI_WAIT_NS;

	while (msi_seen == before && now_ns() < deadline)
		cpu_relax();
	wr32(EDU_IRQ_ACK, rd32(EDU_IRQ_STATUS));	/* also when it went nowhere */
	return msi_seen - before;
}

/* The device's MSI to APIC ID @dest (vector MSI_VECTOR), raised once. */
static unsigned int msi_to(uint16_t bdf, unsigned int cap, uint32_t dest)
{
	int is64 = pci_read_config(bdf, cap + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_64BIT;
	unsigned int before = msi_seen;

	pci_write_config(bdf, cap + PCI_MSI_FLAGS, 0, 2);
	pci_write_config(bdf, cap + PCI_MSI_ADDRESS_LO, MSI_ADDR(dest), 4);
	if (is64)
		pci_write_config(bdf, cap + PCI_MSI_ADDRESS_HI, 0, 4);
	pci_write_config(bdf, cap + (is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), MSI_VECTOR, 2);
	pci_write_config(bdf, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE, 2);
	wr32(EDU_IRQ_RAISE, 1);
	return msis_since(before);
}

static void msi_demo(uint16_t bdf)
{
	unsigned int cap = pci_find_cap(bdf, PCI_CAP_ID_MSI);
	uint32_t self = apic_id();

	if (!cap) {
		printk("edu-demo: the device has no MSI capability\n");
		return;
	}
	irq_set_handler(MSI_VECTOR, on_msi);
	irq_enable();
	printk("edu-demo: MSI to this CPU (APIC ID %u): %u of 1 arrived\n", self,
	       msi_to(bdf, cap, self));
	printk("edu-demo: MSI to root CPU (APIC ID %u): %u arrived here\n", ROOT_APIC_ID,
	       msi_to(bdf, cap, ROOT_APIC_ID));
	pci_write_config(bdf, cap + PCI_MSI_FLAGS, 0, 2);
	irq_disable();
}

static unsigned int bytes_back(void)
{
	const volatile uint8_t *out = (const uint8_t *)OUT_BUF, *back = (const uint8_t *)BACK_BUF;
	unsigned int i, n = 0;

	for (i = 0; i < DMA_LEN; i++)
		n += out[i] == back[i];
	return n;
}

int inmate_main(void)
{
	volatile uint8_t *out = (uint8_t *)OUT_BUF, *back = (uint8_t *)BACK_BUF;
	unsigned int i;
	int bdf;

	printk("edu-demo: using %s\n", apic_choose_mode());
	timing_init(PM_TIMER_PORT);
	irq_init();
	bdf = pci_find_device(EDU_VENDOR, EDU_DEVICE, 0);
	if (bdf < 0) {
		printk("edu-demo: no edu device (1234:11e8) in this cell\n");
		return 1;
	}
	bar = (volatile uint8_t *)(uintptr_t)(pci_read_config((uint16_t)bdf, PCI_BASE_ADDRESS_0, 4) & ~0xfu);
	pci_write_config((uint16_t)bdf, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	wr32(EDU_LIVENESS, 0x12345678);
	printk("edu-demo: edu at %02x:%02x.%x, BAR0 0x%lx, liveness %s\n", bdf >> 8,
	       (bdf >> 3) & 0x1f, bdf & 7, (uint64_t)(uintptr_t)bar,
	       rd32(EDU_LIVENESS) == ~0x12345678u ? "ok" : "wrong");

	for (i = 0; i < DMA_LEN; i++) {
		out[i] = (uint8_t)(i * 7 + 1);
		back[i] = 0;
	}
	if (dma(OUT_BUF, EDU_BUF, DMA_LEN, 0) || dma(EDU_BUF, BACK_BUF, DMA_LEN, 1)) {
		printk("edu-demo: DMA inside the cell timed out\n");
		return 1;
	}
	printk("edu-demo: DMA inside the cell: %u of %u bytes came back\n", bytes_back(), DMA_LEN);

	printk("edu-demo: DMA write to 0x%lx, outside the cell: %s\n", OUTSIDE,
	       dma(EDU_BUF, OUTSIDE, DMA_LEN, 1) ? "timed out" : "device done");
	printk("edu-demo: DMA read from 0x%lx, outside the cell: %s\n", OUTSIDE + 0x1000,
	       dma(OUTSIDE + 0x1000, EDU_BUF, DMA_LEN, 0) ? "timed out" : "device done");
	msi_demo((uint16_t)bdf);
	printk("edu-demo: done\n");
	return 0;
}
