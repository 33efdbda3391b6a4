// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration mechanism #1 (ports 0xcf8 address, 0xcfc-0xcff data),
 * intercepted for every cell: the hypervisor must see config accesses to
 * virtual functions, and no inmate may reach real config space, nor the
 * reset control register at 0xcf9. Each cell has its own address latch;
 * the root cell's accesses to real functions are replayed on the
 * hardware. A function passed to an inmate is reached through the same
 * ports on that inmate's behalf, so every hardware access, latch and data
 * together, holds hw_lock.
 */
#include <arch.h>
#include <asm/pci.h>
#include <percpu.h>
#include <asm/processor.h>
#include <cell.h>
#include <pci.h>

static spinlock_t hw_lock;

static uint32_t hw_in(uint16_t port, unsigned int size)
{
	return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

static void hw_out(uint16_t port, unsigned int size, uint32_t v)
{
	if (size == 1)
		outb(port, (uint8_t)v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
}

static uint16_t data_port(unsigned int reg)
{
	return (uint16_t)(PCI_CONF1_DATA + (reg & 3));
}

uint32_t arch_pci_hw_read(uint16_t bdf, unsigned int reg, unsigned int size)
{
	uint32_t v;

	spin_lock(&hw_lock);
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfc));
	v = hw_in(data_port(reg), size);
	spin_unlock(&hw_lock);
	return v;
}

void arch_pci_hw_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t value)
{
	spin_lock(&hw_lock);
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfc));
	hw_out(data_port(reg), size, value);
	spin_unlock(&hw_lock);
}

int arch_pci_hw_present(uint16_t bdf)
{
	return (arch_pci_hw_read(bdf, 0, 4) & 0xffff) != 0xffff;
}

/* The data port: the function and register come from the latch. */
static void data_access(struct cell *cell, uint16_t port, unsigned int size,
			int in, uint32_t *value)
{
	uint32_t latch = cell->arch.pci_conf1_latch;
	uint16_t bdf = (uint16_t)(latch >> 8);
	unsigned int reg = (latch & 0xfc) | (port - PCI_CONF1_DATA);
	enum pci_cfg_result r;

	if (!(latch & PCI_CONF1_ENABLE) || (reg & (size - 1))) {
		r = cell == &root_cell ? PCI_CFG_HARDWARE : PCI_CFG_DONE;
		if (in)
			*value = 0xffffffffu;
	} else if (in) {
		r = pci_cfg_read(cell, bdf, reg, size, value);
	} else {
		r = pci_cfg_write(cell, bdf, reg, size, *value);
	}
	if (r != PCI_CFG_HARDWARE)
		return;
	spin_lock(&hw_lock);
	outl(PCI_CONF1_ADDRESS, latch);
	if (in)
		*value = hw_in(port, size);
	else
		hw_out(port, size, *value);
	spin_unlock(&hw_lock);
}

int pci_conf1_access(struct per_cpu *cpu, uint16_t port, unsigned int size,
		     int in, uint32_t *value)
{
	struct cell *cell = cpu->cell;

	if (port < PCI_CONF1_ADDRESS || port >= PCI_CONF1_DATA + 4)
		return 0;
	if (port >= PCI_CONF1_DATA) {
		data_access(cell, port, size, in, value);
		return 1;
	}
	if (port == PCI_CONF1_ADDRESS && size == 4) {
		if (in)
			*value = cell->arch.pci_conf1_latch;
		else
			cell->arch.pci_conf1_latch = *value;
		return 1;
	}
	/* 0xcf8-0xcfb otherwise: 0xcf9 is reset control, the root cell's alone. */
	if (cell == &root_cell) {
		spin_lock(&hw_lock);
		if (in)
			*value = hw_in(port, size);
		else
			hw_out(port, size, *value);
		spin_unlock(&hw_lock);
	} else if (in) {
		*value = 0xffffffffu;
	}
	return 1;
}
