// SPDX-License-Identifier: GPL-2.0-only
/*
 * The smallest inmate: says hello with its CPU's TSC, looks at PCI 00:00.0
 * (the host bridge, which is Linux's: the hypervisor's emulated config
 * space shows an inmate only its own virtual devices, so it reads all
 * ones here), and is done.
 */
#include "../../lib/x86/inmate.h"

int inmate_main(void)
{
	uint32_t id;

	printk("Hello from tiny-demo, TSC %lu\n", rdtsc());
	id = pci_read_config(PCI_BDF(0, 0, 0), 0, 4);
	printk("tiny-demo: PCI 00:00.0 is %04x:%04x, class %06x\n", id & 0xffff,
	       id >> 16, pci_read_config(PCI_BDF(0, 0, 0), 8, 4) >> 8);
	return 0;
}
