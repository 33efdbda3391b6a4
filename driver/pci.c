// SPDX-License-Identifier: GPL-2.0-only
/*
 * The root cell's virtual PCI functions (the hypervisor's ivshmem devices).
 * Linux enumerated PCI at boot, before they existed: after enable they are
 * hot-added by rescanning their buses, and before disable they are removed
 * (drivers unbound first), so Linux never touches a function that is gone.
 * Real functions a cell config passes through leave Linux the same way
 * before the cell is created and come back (a rescan) when it is gone or
 * was refused: no Linux driver drives a device an inmate owns.
 */
#define pr_fmt(fmt) "bulkhead: " fmt

#include <linux/pci.h>

#include <bulkhead/config.h>

#include "bulkhead.h"

#define BH_MAX_VIRTUAL_PCI	16

struct bh_virtual_pci {
	u16 domain;
	u16 bdf;
};

static struct bh_virtual_pci vpci[BH_MAX_VIRTUAL_PCI];
static unsigned int nr_vpci;

/* The root cell's ivshmem functions, from a config the hypervisor accepted. */
static void record(const struct bh_system_config *cfg, u32 size)
{
	const struct bh_cell_desc *root = &cfg->root_cell;
	const struct bh_pci_device *dev = bh_cell_pci_devices(root);
	u64 end = (const u8 *)root - (const u8 *)cfg + bh_cell_desc_size(root);
	unsigned int i;

	nr_vpci = 0;
	if (end > size)
		return;		/* cannot happen: the hypervisor checked it */
	for (i = 0; i < root->num_pci_devices && nr_vpci < BH_MAX_VIRTUAL_PCI; i++) {
		if (dev[i].type != BH_PCI_TYPE_IVSHMEM &&
		    dev[i].type != BH_PCI_TYPE_IVSHMEM_LINK)
			continue;
		vpci[nr_vpci].domain = dev[i].domain;
		vpci[nr_vpci].bdf = dev[i].bdf;
		nr_vpci++;
	}
}

static void rescan(const struct bh_virtual_pci *v)
{
	struct pci_bus *bus;

	pci_lock_rescan_remove();
	bus = pci_find_bus(v->domain, v->bdf >> 8);
	if (bus)
		pci_rescan_bus(bus);
	else
		pr_warn("no PCI bus %04x:%02x for virtual device %02x.%x\n",
			v->domain, v->bdf >> 8, PCI_SLOT(v->bdf & 0xff),
			PCI_FUNC(v->bdf & 0xff));
	pci_unlock_rescan_remove();
}

void bh_pci_add_virtual(const struct bh_system_config *cfg, u32 size)
{
	unsigned int i;

	record(cfg, size);
	for (i = 0; i < nr_vpci; i++)
		rescan(&vpci[i]);
	for (i = 0; i < nr_vpci; i++) {
		struct pci_dev *dev = pci_get_domain_bus_and_slot(vpci[i].domain,
								  vpci[i].bdf >> 8,
								  vpci[i].bdf & 0xff);
		if (dev)
			pci_info(dev, "virtual ivshmem device added\n");
		else
			pr_warn("virtual device %04x:%02x:%02x.%x did not appear\n",
				vpci[i].domain, vpci[i].bdf >> 8,
				PCI_SLOT(vpci[i].bdf & 0xff), PCI_FUNC(vpci[i].bdf & 0xff));
		pci_dev_put(dev);
	}
}

void bh_pci_remove_virtual(void)
{
	struct pci_dev *dev;
	unsigned int i;

	for (i = 0; i < nr_vpci; i++) {
		pci_lock_rescan_remove();
		dev = pci_get_domain_bus_and_slot(vpci[i].domain, vpci[i].bdf >> 8,
						  vpci[i].bdf & 0xff);
		if (dev) {
			pci_stop_and_remove_bus_device(dev);
			pci_dev_put(dev);
		}
		pci_unlock_rescan_remove();
	}
}

/* Disable failed after the removal: bring them back. */
void bh_pci_readd_virtual(void)
{
	unsigned int i;

	for (i = 0; i < nr_vpci; i++)
		rescan(&vpci[i]);
}

/* @fn(domain, bdf) for every real function @cfg passes through. */
static void for_each_passthrough(const struct bh_cell_desc *cfg,
				 void (*fn)(u16 domain, u16 bdf))
{
	const struct bh_pci_device *dev = bh_cell_pci_devices(cfg);
	unsigned int i;

	for (i = 0; i < cfg->num_pci_devices; i++)
		if (dev[i].type == BH_PCI_TYPE_DEVICE)
			fn(dev[i].domain, dev[i].bdf);
}

static void passthrough_out(u16 domain, u16 bdf)
{
	struct pci_dev *dev;

	pci_lock_rescan_remove();
	dev = pci_get_domain_bus_and_slot(domain, bdf >> 8, bdf & 0xff);
	if (dev) {
		pci_info(dev, "leaves Linux for a cell\n");
		pci_stop_and_remove_bus_device(dev);
		pci_dev_put(dev);
	}
	pci_unlock_rescan_remove();
}

/*
 * Back at the BARs it had: the cell config named those addresses, and a
 * plain rescan would let Linux place them anew (it assigns every BAR it
 * did not claim), so the next cell create would find them elsewhere.
 */
static void passthrough_back(u16 domain, u16 bdf)
{
	struct pci_bus *bus;
	struct pci_dev *dev;
	int i;

	pci_lock_rescan_remove();
	bus = pci_find_bus(domain, bdf >> 8);
	dev = bus ? pci_scan_single_device(bus, bdf & 0xff) : NULL;
	if (dev) {
		for (i = 0; i < PCI_STD_NUM_BARS; i++)
			if (pci_resource_len(dev, i) && !dev->resource[i].parent &&
			    pci_claim_resource(dev, i))
				pci_warn(dev, "BAR %d could not keep its address\n", i);
		pci_assign_unassigned_bus_resources(bus);
		pci_bus_add_device(dev);
		pci_info(dev, "back in Linux\n");
	} else {
		pr_warn("%04x:%02x:%02x.%x did not come back\n", domain, bdf >> 8,
			PCI_SLOT(bdf & 0xff), PCI_FUNC(bdf & 0xff));
	}
	pci_unlock_rescan_remove();
}

void bh_pci_passthrough_out(const struct bh_cell_desc *cfg)
{
	for_each_passthrough(cfg, passthrough_out);
}

void bh_pci_passthrough_back(const struct bh_cell_desc *cfg)
{
	for_each_passthrough(cfg, passthrough_back);
}
