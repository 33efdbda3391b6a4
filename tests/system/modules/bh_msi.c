// SPDX-License-Identifier: GPL-2.0-only
/*
 * bh_msi: the iommu-msi scenario's buggy driver inside root Linux. It
 * binds QEMU's edu device (1234:11e8), takes one MSI, counts its
 * interrupts, and through the device's sysfs file `bh_msi` can
 *   raise             make the device send its MSI (edu register 0x60),
 *   aim ID VECTOR     rewrite the device's interrupt remapping entry in
 *                     Linux's table to (x2)APIC ID and VECTOR, and invalidate
 *                     it the way Linux's driver does (a descriptor in
 *                     Linux's invalidation queue, the tail register moved),
 *   restore           put Linux's entry back, invalidated again.
 * Reading the file gives "interrupts N handle H vector V". This is what a
 * driver bug or a hostile root kernel can do with the unit's interface;
 * the hypervisor must keep such an entry away from an inmate's CPU.
 *
 * The queue is shared with Linux's driver, which keeps its own idea of
 * the tail: every submission here is padded with harmless waits (no
 * status write) until the tail is back where Linux left it. Nothing else
 * in the test guest invalidates meanwhile (no DMA remapping in Linux, no
 * interrupt affinity changes).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

static unsigned long dmar = 0xfed90000;	/* QEMU's DRHD (ACPI DMAR) */
module_param(dmar, ulong, 0);

#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_IRQ_VALUE	0x4d5349	/* "MSI" */

#define VTD_IQT		0x88
#define VTD_IQA		0x90
#define VTD_IRTA	0xb8
#define VTD_IRTA_EIME	(1ull << 11)	/* x2APIC destinations */
#define QI_IEC_INDEXED	(0x4ull | 1ull << 4)	/* type 4, index granularity */
#define QI_WAIT_NOTHING	0x5ull			/* type 5, no status, no interrupt */
#define IRTE_DEST_LOGICAL	(1ull << 2)
#define MSI_REMAPPABLE	(1u << 4)
#define MSI_SHV		(1u << 3)

struct bh_msi {
	struct pci_dev *pdev;
	void __iomem *bar0;
	void __iomem *unit;
	u64 *irte;			/* Linux's entry for our MSI */
	u64 saved_lo;
	unsigned int handle, irq;
	atomic_t count;
};

static irqreturn_t bh_msi_irq(int irq, void *data)
{
	struct bh_msi *m = data;
	u32 status = readl(m->bar0 + EDU_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, m->bar0 + EDU_IRQ_ACK);
	atomic_inc(&m->count);
	return IRQ_HANDLED;
}

/* The entry index the device's MSI names (remappable format). */
static int msi_handle(struct pci_dev *pdev, unsigned int *handle)
{
	u32 addr;
	u16 data;

	pci_read_config_dword(pdev, pdev->msi_cap + PCI_MSI_ADDRESS_LO, &addr);
	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_DATA_32, &data);
	if (!(addr & MSI_REMAPPABLE))
		return -ENODEV;
	*handle = (addr >> 5 & 0x7fff) | (addr >> 2 & 1) << 15;
	if (addr & MSI_SHV)
		*handle += data;
	return 0;
}

static void queue_put(u64 *queue, unsigned int slots, unsigned int *tail, u64 lo)
{
	queue[2 * *tail] = lo;
	queue[2 * *tail + 1] = 0;
	*tail = (*tail + 1) % slots;
}

/* Invalidates our entry, then pads the queue round to Linux's tail. */
static int invalidate(struct bh_msi *m)
{
	u64 iqa = readq(m->unit + VTD_IQA);
	unsigned int slots = 256u << (iqa & 7), start, tail, i;
	u64 *queue = memremap(iqa & PAGE_MASK, slots * 16, MEMREMAP_WB);

	if (!queue)
		return -ENOMEM;
	start = tail = (readq(m->unit + VTD_IQT) >> 4) % slots;
	queue_put(queue, slots, &tail, QI_IEC_INDEXED | (u64)m->handle << 32);
	writeq((u64)tail << 4, m->unit + VTD_IQT);
	/* in two moves, since a move by a whole round would be no move */
	for (i = 1; i < slots; i++) {
		queue_put(queue, slots, &tail, QI_WAIT_NOTHING);
		if (i == slots / 2 || tail == start)
			writeq((u64)tail << 4, m->unit + VTD_IQT);
	}
	memunmap(queue);
	return 0;
}

static int aim(struct bh_msi *m, unsigned int apic_id, unsigned int vector)
{
	u64 lo = m->saved_lo;
	bool x2apic = readq(m->unit + VTD_IRTA) & VTD_IRTA_EIME;

	/* physical destination (Linux's cluster mode uses logical ones) */
	lo &= ~(0xffull << 16 | 0xffffffffull << 32 | IRTE_DEST_LOGICAL);
	lo |= (u64)vector << 16;
	lo |= x2apic ? (u64)apic_id << 32 : (u64)(apic_id & 0xff) << 40;
	WRITE_ONCE(*m->irte, lo);
	pr_info("%s: entry %u aimed at %s ID %u, vector 0x%x\n", pci_name(m->pdev),
		m->handle, x2apic ? "x2APIC" : "APIC", apic_id, vector);
	return invalidate(m);
}

static ssize_t bh_msi_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct bh_msi *m = pci_get_drvdata(to_pci_dev(dev));

	return sysfs_emit(buf, "interrupts %d handle %u vector 0x%llx\n", atomic_read(&m->count),
			  m->handle, READ_ONCE(*m->irte) >> 16 & 0xff);
}

static ssize_t bh_msi_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	struct bh_msi *m = pci_get_drvdata(to_pci_dev(dev));
	unsigned int id, vector;
	int err = 0;

	if (sysfs_streq(buf, "raise"))
		writel(EDU_IRQ_VALUE, m->bar0 + EDU_IRQ_RAISE);
	else if (sysfs_streq(buf, "restore")) {
		WRITE_ONCE(*m->irte, m->saved_lo);
		err = invalidate(m);
	} else if (sscanf(buf, "aim %u %i", &id, &vector) == 2 && vector < 256)
		err = aim(m, id, vector);
	else
		err = -EINVAL;
	return err ? err : len;
}
static DEVICE_ATTR_RW(bh_msi);

/* Linux's table, as the unit's (emulated) register names it. */
static int map_entry(struct bh_msi *m)
{
	u64 irta = readq(m->unit + VTD_IRTA);
	unsigned int entries = 2u << (irta & 0xf);

	if (m->handle >= entries)
		return -ERANGE;
	m->irte = memremap((irta & PAGE_MASK) + m->handle * 16ull, 16, MEMREMAP_WB);
	if (!m->irte)
		return -ENOMEM;
	m->saved_lo = READ_ONCE(*m->irte);
	return 0;
}

static int bh_msi_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct bh_msi *m;
	int err;

	m = devm_kzalloc(&pdev->dev, sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->pdev = pdev;
	err = pcim_enable_device(pdev);
	if (err)
		return err;
	m->bar0 = pcim_iomap(pdev, 0, 0);
	m->unit = devm_ioremap(&pdev->dev, dmar, PAGE_SIZE);
	if (!m->bar0 || !m->unit)
		return -ENOMEM;
	pci_set_master(pdev);		/* an MSI is a memory write */
	err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (err < 0)
		return err;
	m->irq = pci_irq_vector(pdev, 0);
	err = msi_handle(pdev, &m->handle);
	if (err) {
		dev_err(&pdev->dev, "the MSI is not in remappable format: is interrupt remapping on?\n");
		goto out_vectors;
	}
	err = map_entry(m);
	if (err)
		goto out_vectors;
	err = request_irq(m->irq, bh_msi_irq, 0, KBUILD_MODNAME, m);
	if (err)
		goto out_entry;
	pci_set_drvdata(pdev, m);
	err = device_create_file(&pdev->dev, &dev_attr_bh_msi);
	if (err)
		goto out_irq;
	dev_info(&pdev->dev, "MSI irq %u, remapping entry %u, vector 0x%llx, %s destination 0x%llx\n",
		 m->irq, m->handle, m->saved_lo >> 16 & 0xff,
		 m->saved_lo & IRTE_DEST_LOGICAL ? "logical" : "physical", m->saved_lo >> 32);
	return 0;

out_irq:
	free_irq(m->irq, m);
out_entry:
	memunmap(m->irte);
out_vectors:
	pci_free_irq_vectors(pdev);
	return err;
}

static void bh_msi_remove(struct pci_dev *pdev)
{
	struct bh_msi *m = pci_get_drvdata(pdev);

	device_remove_file(&pdev->dev, &dev_attr_bh_msi);
	if (READ_ONCE(*m->irte) != m->saved_lo) {
		WRITE_ONCE(*m->irte, m->saved_lo);
		invalidate(m);
	}
	free_irq(m->irq, m);
	memunmap(m->irte);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id bh_msi_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, bh_msi_ids);

static struct pci_driver bh_msi_driver = {
	.name = KBUILD_MODNAME,
	.id_table = bh_msi_ids,
	.probe = bh_msi_probe,
	.remove = bh_msi_remove,
};
module_pci_driver(bh_msi_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bulkhead test: an edu device's MSI re-aimed through Linux's remapping table");
