// SPDX-License-Identifier: GPL-2.0-only
/*
 * uio_ivshmem: UIO driver for the ivshmem PCI device (1af4:1110).
 *
 * Binds QEMU's ivshmem-plain and ivshmem-doorbell devices and Bulkhead's
 * hypervisor-emulated device. The application does the rest from user
 * space through /dev/uioN:
 *   map 0 (offset 0)          the BAR0 register block
 *   map 1 (offset 1 * page)   the shared memory: BAR2 on QEMU's devices;
 *                             on Bulkhead's, the region its vendor
 *                             capability names (include/bulkhead/ivshmem.h)
 *   read() of 4 bytes         doorbell event count (blocks), poll() works
 * A device on an ivshmem link (vendor capability version 2) has instead,
 * after the registers, one map per part of the link's memory:
 *   map 1 "state"             the state table, read-only
 *   map 2 "common"            the common section, read-write (absent if empty)
 *   map 3 "output"            this peer's output section, read-write
 *   map 4 "outputs"           every peer's output section, peer 0's first,
 *                             read-only
 * A writable mmap of a read-only map fails with EACCES, and mprotect()
 * cannot make one writable later. sysfs: maps/mapN/name says which map
 * is which; the PCI device's ivshmem_peer_id, ivshmem_num_peers and
 * ivshmem_output_size say whose section is where in "outputs".
 * Every MSI-X vector, or the INTx line when the device has no MSI-X, is
 * delivered as the same UIO event: the shared memory says what happened.
 *
 * The register layout comes from include/bulkhead/ivshmem.h only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uio_driver.h>

#include <bulkhead/ivshmem.h>
#include <bulkhead/version.h>

#include "bh_kcompat.h"

#define DRV_NAME	"uio_ivshmem"
#define DRV_VERSION	BULKHEAD_VERSION


/* The UIO maps, in the order user space finds them. */
enum uio_ivshmem_map {
	MAP_REGS = IVSHMEM_UIO_MAP_REGS,
	MAP_SHMEM = IVSHMEM_UIO_MAP_SHMEM,
	MAP_STATE = IVSHMEM_UIO_MAP_STATE,
	MAP_COMMON = IVSHMEM_UIO_MAP_COMMON,
	MAP_OUTPUT = IVSHMEM_UIO_MAP_OUTPUT,
	MAP_OUTPUTS = IVSHMEM_UIO_MAP_OUTPUTS,
};

/* A link's layout, from the vendor capability (include/bulkhead/ivshmem.h). */
struct uio_ivshmem_link {
	u32 peer_id, num_peers;
	u64 common_size, output_size;
};

struct uio_ivshmem {
	struct uio_info info;
	struct pci_dev *pdev;
	void __iomem *regs;
	int nr_msix;		/* MSI-X vectors in use; 0 means INTx */
	resource_size_t shmem_addr, shmem_size;
	bool shmem_is_bar;	/* BAR2 (requested) or the vendor capability */
	bool is_link;		/* Bulkhead's link device: @link is valid */
	struct uio_ivshmem_link link;
	atomic_t users;		/* open file descriptors of /dev/uioN */
	char name[32];
};

/*
 * Bulkhead's device has a LOCAL_STATE register the peer sees: READY while
 * anyone has /dev/uioN open, RESET when the last one closes it (also when
 * an app is killed), so an inmate knows whether an app is there. QEMU's
 * device has no such register: leave it alone.
 */
static int uio_ivshmem_open(struct uio_info *info, struct inode *inode)
{
	struct uio_ivshmem *ivs = info->priv;

	if (atomic_inc_return(&ivs->users) == 1 && !ivs->shmem_is_bar)
		writel(IVSHMEM_STATE_READY, ivs->regs + IVSHMEM_REG_LOCAL_STATE);
	return 0;
}

static int uio_ivshmem_release(struct uio_info *info, struct inode *inode)
{
	struct uio_ivshmem *ivs = info->priv;

	if (atomic_dec_and_test(&ivs->users) && !ivs->shmem_is_bar)
		writel(IVSHMEM_STATE_RESET, ivs->regs + IVSHMEM_REG_LOCAL_STATE);
	return 0;
}

static irqreturn_t uio_ivshmem_msix_handler(int irq, void *data)
{
	struct uio_ivshmem *ivs = data;

	uio_event_notify(&ivs->info);
	return IRQ_HANDLED;
}

/*
 * INTx is level-triggered and may be shared: the device raises it while
 * IntrStatus & IntrMask is non-zero, and reading IntrStatus clears it.
 */
static irqreturn_t uio_ivshmem_intx_handler(int irq, struct uio_info *info)
{
	struct uio_ivshmem *ivs = info->priv;

	if (!readl(ivs->regs + IVSHMEM_REG_INTR_STATUS))
		return IRQ_NONE;
	return IRQ_HANDLED;
}

static int uio_ivshmem_check_regs(struct pci_dev *pdev)
{
	if (!(pci_resource_flags(pdev, IVSHMEM_BAR_REGS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, IVSHMEM_BAR_REGS) < IVSHMEM_REGS_SIZE) {
		pci_err(pdev, "BAR%d (registers) missing or smaller than %d bytes\n",
			IVSHMEM_BAR_REGS, IVSHMEM_REGS_SIZE);
		return -ENODEV;
	}
	return 0;
}

static u64 uio_ivshmem_cap_u64(struct pci_dev *pdev, unsigned int off)
{
	u32 lo, hi;

	pci_read_config_dword(pdev, off, &lo);
	pci_read_config_dword(pdev, off + 4, &hi);
	return (u64)hi << 32 | lo;
}

/*
 * Version 2 of the capability: the device is a link's. Its layout comes
 * from the hypervisor, but the maps must never reach past the shared
 * memory whatever it says, so every part is checked against it.
 */
static int uio_ivshmem_read_link(struct uio_ivshmem *ivs, u8 cap)
{
	struct uio_ivshmem_link *l = &ivs->link;
	struct pci_dev *pdev = ivs->pdev;
	u32 state_size;
	u8 version;

	pci_read_config_byte(pdev, cap + 3, &version);
	if (version < IVSHMEM_VCAP_LINK_VERSION)
		return 0;
	pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_PEERS_OFF, &l->num_peers);
	pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_STATE_SIZE_OFF, &state_size);
	l->common_size = uio_ivshmem_cap_u64(pdev, cap + IVSHMEM_VCAP_COMMON_SIZE_OFF);
	l->output_size = uio_ivshmem_cap_u64(pdev, cap + IVSHMEM_VCAP_OUTPUT_SIZE_OFF);
	l->peer_id = readl(ivs->regs + IVSHMEM_REG_IV_POSITION);
	if (l->num_peers < 2 || l->num_peers > IVSHMEM_MAX_PEERS ||
	    state_size != IVSHMEM_STATE_TABLE_SIZE || l->peer_id >= l->num_peers ||
	    !l->output_size || !PAGE_ALIGNED(l->output_size) ||
	    !PAGE_ALIGNED(l->common_size) || l->common_size > ivs->shmem_size ||
	    l->output_size > ivs->shmem_size ||
	    IVSHMEM_LINK_SIZE(l->common_size, l->output_size, l->num_peers) > ivs->shmem_size) {
		pci_err(pdev, "link capability: bad layout (%u peers, peer %u, common %llu, output %llu bytes, state table %u) for %pa bytes\n",
			l->num_peers, l->peer_id, l->common_size, l->output_size,
			state_size, &ivs->shmem_size);
		return -EINVAL;
	}
	ivs->is_link = true;
	return 0;
}

/* Bulkhead's device: the shared memory is where its vendor capability says. */
static int uio_ivshmem_read_vcap(struct uio_ivshmem *ivs)
{
	struct pci_dev *pdev = ivs->pdev;
	u32 magic, lo, hi;
	u8 cap;

	for (cap = pci_find_capability(pdev, IVSHMEM_VCAP_ID); cap;
	     cap = pci_find_next_capability(pdev, cap, IVSHMEM_VCAP_ID)) {
		pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_MAGIC_OFF, &magic);
		if (magic == IVSHMEM_VCAP_MAGIC)
			break;
	}
	if (!cap)
		return -ENODEV;
	pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_ADDR_OFF, &lo);
	pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_ADDR_OFF + 4, &hi);
	ivs->shmem_addr = (u64)hi << 32 | lo;
	pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_SIZE_OFF, &lo);
	pci_read_config_dword(pdev, cap + IVSHMEM_VCAP_SIZE_OFF + 4, &hi);
	ivs->shmem_size = (u64)hi << 32 | lo;
	if (!ivs->shmem_size || !PAGE_ALIGNED(ivs->shmem_addr) ||
	    !PAGE_ALIGNED(ivs->shmem_size)) {
		pci_err(pdev, "shared memory capability: bad region %pa, %pa bytes\n",
			&ivs->shmem_addr, &ivs->shmem_size);
		return -EINVAL;
	}
	return uio_ivshmem_read_link(ivs, cap);
}

/* BAR2 (QEMU), else the vendor capability (Bulkhead). */
static int uio_ivshmem_find_shmem(struct uio_ivshmem *ivs)
{
	struct pci_dev *pdev = ivs->pdev;
	int err;

	if ((pci_resource_flags(pdev, IVSHMEM_BAR_SHMEM) & IORESOURCE_MEM) &&
	    pci_resource_len(pdev, IVSHMEM_BAR_SHMEM)) {
		/* Managed: released with the device, like the BAR0 region. */
		err = pci_request_region(pdev, IVSHMEM_BAR_SHMEM, DRV_NAME);
		if (err) {
			pci_err(pdev, "BAR%d busy: %d\n", IVSHMEM_BAR_SHMEM, err);
			return err;
		}
		ivs->shmem_addr = pci_resource_start(pdev, IVSHMEM_BAR_SHMEM);
		ivs->shmem_size = pci_resource_len(pdev, IVSHMEM_BAR_SHMEM);
		ivs->shmem_is_bar = true;
		return 0;
	}
	err = uio_ivshmem_read_vcap(ivs);
	if (err == -ENODEV)
		pci_err(pdev, "no shared memory: neither BAR%d nor a Bulkhead capability\n",
			IVSHMEM_BAR_SHMEM);
	return err;
}

/*
 * UIO maps whole pages and refuses an unaligned start, but BAR0 is only
 * 256 bytes and may sit anywhere in a page: expose the page around it and
 * let user space add maps/map0/offset.
 */
static void uio_ivshmem_set_map(struct uio_mem *mem, const char *name,
				int memtype, resource_size_t start,
				resource_size_t len)
{
	mem->name = name;
	mem->memtype = memtype;
	mem->addr = start & PAGE_MASK;
	mem->offs = start & ~PAGE_MASK;
	mem->size = PAGE_ALIGN(mem->offs + len);
}

/* A link's parts as maps 1-4 (see the top of the file). */
static void uio_ivshmem_set_link_maps(struct uio_ivshmem *ivs)
{
	const struct uio_ivshmem_link *l = &ivs->link;
	struct uio_mem *mem = ivs->info.mem;
	resource_size_t base = ivs->shmem_addr;

	uio_ivshmem_set_map(&mem[MAP_STATE], "state", UIO_MEM_IOVA, base,
			    IVSHMEM_STATE_TABLE_SIZE);
	if (l->common_size)
		uio_ivshmem_set_map(&mem[MAP_COMMON], "common", UIO_MEM_IOVA,
				    base + IVSHMEM_LINK_COMMON_OFFSET, l->common_size);
	uio_ivshmem_set_map(&mem[MAP_OUTPUT], "output", UIO_MEM_IOVA,
			    base + IVSHMEM_LINK_OUTPUT_OFFSET(l->common_size, l->output_size,
							      l->peer_id),
			    l->output_size);
	uio_ivshmem_set_map(&mem[MAP_OUTPUTS], "outputs", UIO_MEM_IOVA,
			    base + IVSHMEM_LINK_OUTPUT_OFFSET(l->common_size, l->output_size, 0),
			    l->output_size * l->num_peers);
}

static bool uio_ivshmem_map_readonly(int index)
{
	return index == MAP_STATE || index == MAP_OUTPUTS;
}

/*
 * A link device's mmap (UIO has checked the index and the size): the
 * same mapping as UIO's own, except that the state table and the other
 * peers' sections are never writable. The hypervisor refuses such a
 * write anyway, but with a #GP in the kernel's name; refusing the
 * mapping gives the application EACCES instead.
 */
static int uio_ivshmem_mmap(struct uio_info *info, struct vm_area_struct *vma)
{
	int index = (int)vma->vm_pgoff;
	struct uio_mem *mem = &info->mem[index];

	if (uio_ivshmem_map_readonly(index)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	if (mem->memtype == UIO_MEM_PHYS)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return remap_pfn_range(vma, vma->vm_start, mem->addr >> PAGE_SHIFT,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

/* ---- sysfs: whose section is where ----------------------------------------- */

static ssize_t ivshmem_peer_id_show(struct device *dev, struct device_attribute *attr,
				    char *buf)
{
	struct uio_ivshmem *ivs = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", ivs->link.peer_id);
}
static DEVICE_ATTR_RO(ivshmem_peer_id);

static ssize_t ivshmem_num_peers_show(struct device *dev, struct device_attribute *attr,
				      char *buf)
{
	struct uio_ivshmem *ivs = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", ivs->link.num_peers);
}
static DEVICE_ATTR_RO(ivshmem_num_peers);

static ssize_t ivshmem_output_size_show(struct device *dev, struct device_attribute *attr,
					char *buf)
{
	struct uio_ivshmem *ivs = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%llu\n", ivs->link.output_size);
}
static DEVICE_ATTR_RO(ivshmem_output_size);

static struct attribute *uio_ivshmem_link_attrs[] = {
	&dev_attr_ivshmem_peer_id.attr,
	&dev_attr_ivshmem_num_peers.attr,
	&dev_attr_ivshmem_output_size.attr,
	NULL,
};

/* Only a link's device has these; the groups appear after probe. */
static umode_t uio_ivshmem_link_visible(struct kobject *kobj, struct attribute *attr,
					int n)
{
	struct uio_ivshmem *ivs = dev_get_drvdata(kobj_to_dev(kobj));

	return ivs && ivs->is_link ? attr->mode : 0;
}

static const struct attribute_group uio_ivshmem_link_group = {
	.attrs = uio_ivshmem_link_attrs,
	.is_visible = uio_ivshmem_link_visible,
};

static const struct attribute_group *uio_ivshmem_groups[] = {
	&uio_ivshmem_link_group,
	NULL,
};

static void uio_ivshmem_free_msix(struct uio_ivshmem *ivs, int count)
{
	while (count-- > 0)
		free_irq(pci_irq_vector(ivs->pdev, count), ivs);
}

/*
 * MSI-X vectors are allocated before the UIO device exists but get their
 * handlers only once it does (uio_ivshmem_request_msix()): a doorbell
 * that arrived while the vectors were masked is pending and fires the
 * moment request_irq() unmasks it, and uio_event_notify() on an info
 * without its uio_dev oopses.
 */
static int uio_ivshmem_setup_msix(struct uio_ivshmem *ivs, int nr_vectors)
{
	nr_vectors = pci_alloc_irq_vectors(ivs->pdev, 1, nr_vectors, PCI_IRQ_MSIX);
	if (nr_vectors < 0)
		return nr_vectors;
	ivs->nr_msix = nr_vectors;
	ivs->info.irq = UIO_IRQ_CUSTOM;
	return 0;
}

/* After uio_register_device(); undone by uio_ivshmem_free_msix() before unregistering. */
static int uio_ivshmem_request_msix(struct uio_ivshmem *ivs)
{
	int i, err;

	for (i = 0; i < ivs->nr_msix; i++) {
		err = request_irq(pci_irq_vector(ivs->pdev, i),
				  uio_ivshmem_msix_handler, 0, ivs->name, ivs);
		if (err) {
			uio_ivshmem_free_msix(ivs, i);
			return err;
		}
	}
	return 0;
}

static int uio_ivshmem_setup_intx(struct uio_ivshmem *ivs)
{
	struct pci_dev *pdev = ivs->pdev;
	int err;

	err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_INTX);
	if (err < 0)
		return err;

	ivs->info.irq = pci_irq_vector(pdev, 0);
	ivs->info.irq_flags = IRQF_SHARED;
	ivs->info.handler = uio_ivshmem_intx_handler;
	/* Doorbells set bit 0 of IntrStatus; let it raise the line. */
	writel(1, ivs->regs + IVSHMEM_REG_INTR_MASK);
	return 0;
}

static int uio_ivshmem_setup_irq(struct uio_ivshmem *ivs)
{
	int nr_msix = pci_msix_vec_count(ivs->pdev);

	if (nr_msix > 0)
		return uio_ivshmem_setup_msix(ivs, nr_msix);
	if (ivs->pdev->pin)
		return uio_ivshmem_setup_intx(ivs);

	/* No interrupt at all is legal: shared memory still works. */
	ivs->info.irq = UIO_IRQ_NONE;
	return 0;
}

/* The vectors (MSI-X handlers are gone by now) or INTx's mask. */
static void uio_ivshmem_teardown_irq(struct uio_ivshmem *ivs)
{
	if (!ivs->nr_msix && ivs->info.irq != UIO_IRQ_NONE)
		writel(0, ivs->regs + IVSHMEM_REG_INTR_MASK);
	ivs->nr_msix = 0;
	pci_free_irq_vectors(ivs->pdev);
}

static int uio_ivshmem_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct uio_ivshmem *ivs;
	int err;

	ivs = devm_kzalloc(&pdev->dev, sizeof(*ivs), GFP_KERNEL);
	if (!ivs)
		return -ENOMEM;
	ivs->pdev = pdev;
	snprintf(ivs->name, sizeof(ivs->name), DRV_NAME "[%s]", pci_name(pdev));

	err = pcim_enable_device(pdev);
	if (err) {
		pci_err(pdev, "cannot enable device: %d\n", err);
		return err;
	}
	err = uio_ivshmem_check_regs(pdev);
	if (err)
		return err;

	err = pcim_iomap_regions(pdev, BIT(IVSHMEM_BAR_REGS), DRV_NAME);
	if (err) {
		pci_err(pdev, "cannot map BAR%d: %d\n", IVSHMEM_BAR_REGS, err);
		return err;
	}
	ivs->regs = pcim_iomap_table(pdev)[IVSHMEM_BAR_REGS];

	err = uio_ivshmem_find_shmem(ivs);
	if (err)
		return err;
	pci_set_master(pdev);

	/*
	 * Registers uncached (UIO_MEM_PHYS); the shared memory is RAM in both
	 * QEMU's and Bulkhead's device, so it is mapped cached (UIO_MEM_IOVA:
	 * physical, no pgprot_noncached) or every ring access would miss.
	 */
	uio_ivshmem_set_map(&ivs->info.mem[MAP_REGS], "registers", UIO_MEM_PHYS,
			    pci_resource_start(pdev, IVSHMEM_BAR_REGS),
			    IVSHMEM_REGS_SIZE);
	if (ivs->is_link) {
		uio_ivshmem_set_link_maps(ivs);
		ivs->info.mmap = uio_ivshmem_mmap;
	} else {
		uio_ivshmem_set_map(&ivs->info.mem[MAP_SHMEM], "shmem", UIO_MEM_IOVA,
				    ivs->shmem_addr, ivs->shmem_size);
	}
	ivs->info.name = "ivshmem";
	ivs->info.version = DRV_VERSION;
	ivs->info.priv = ivs;
	ivs->info.open = uio_ivshmem_open;
	ivs->info.release = uio_ivshmem_release;

	err = uio_ivshmem_setup_irq(ivs);
	if (err) {
		pci_err(pdev, "cannot set up interrupts: %d\n", err);
		return err;
	}

	err = uio_register_device(&pdev->dev, &ivs->info);
	if (err) {
		pci_err(pdev, "cannot register UIO device: %d\n", err);
		goto err_teardown_irq;
	}
	err = uio_ivshmem_request_msix(ivs);
	if (err) {
		pci_err(pdev, "cannot request MSI-X interrupts: %d\n", err);
		goto err_unregister;
	}
	pci_set_drvdata(pdev, ivs);

	pci_info(pdev, "ivshmem: position %d, shmem %pa bytes at %pa (%s), %s\n",
		 (int)readl(ivs->regs + IVSHMEM_REG_IV_POSITION),
		 &ivs->shmem_size, &ivs->shmem_addr,
		 ivs->shmem_is_bar ? "BAR2" : "fixed",
		 ivs->nr_msix ? "MSI-X" :
		 ivs->info.irq == UIO_IRQ_NONE ? "no interrupt" : "INTx");
	return 0;

err_unregister:
	uio_unregister_device(&ivs->info);
err_teardown_irq:
	uio_ivshmem_teardown_irq(ivs);
	return err;
}

/* The mirror of probe; managed resources go after it returns. */
static void uio_ivshmem_remove(struct pci_dev *pdev)
{
	struct uio_ivshmem *ivs = pci_get_drvdata(pdev);

	/* Handlers first: one running after the unregister would oops. */
	uio_ivshmem_free_msix(ivs, ivs->nr_msix);
	uio_unregister_device(&ivs->info);
	uio_ivshmem_teardown_irq(ivs);
	pci_clear_master(pdev);
}

static const struct pci_device_id uio_ivshmem_ids[] = {
	{ PCI_DEVICE(IVSHMEM_PCI_VENDOR_ID, IVSHMEM_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, uio_ivshmem_ids);

static struct pci_driver uio_ivshmem_driver = {
	.name = DRV_NAME,
	.id_table = uio_ivshmem_ids,
	.probe = uio_ivshmem_probe,
	.remove = uio_ivshmem_remove,
	.dev_groups = uio_ivshmem_groups,
};
module_pci_driver(uio_ivshmem_driver);

MODULE_DESCRIPTION("UIO driver for ivshmem PCI devices (Bulkhead)");
MODULE_AUTHOR("The Bulkhead developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DRV_VERSION);
