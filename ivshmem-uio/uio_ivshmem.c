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

#define DRV_NAME	"uio_ivshmem"
#define DRV_VERSION	"0.1"

/* The UIO maps, in the order user space finds them. */
enum uio_ivshmem_map {
	MAP_REGS = IVSHMEM_UIO_MAP_REGS,
	MAP_SHMEM = IVSHMEM_UIO_MAP_SHMEM,
};

struct uio_ivshmem {
	struct uio_info info;
	struct pci_dev *pdev;
	void __iomem *regs;
	int nr_msix;		/* MSI-X vectors in use; 0 means INTx */
	resource_size_t shmem_addr, shmem_size;
	bool shmem_is_bar;	/* BAR2 (requested) or the vendor capability */
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
	return 0;
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

static void uio_ivshmem_free_msix(struct uio_ivshmem *ivs, int count)
{
	while (count-- > 0)
		free_irq(pci_irq_vector(ivs->pdev, count), ivs);
}

static int uio_ivshmem_setup_msix(struct uio_ivshmem *ivs, int nr_vectors)
{
	struct pci_dev *pdev = ivs->pdev;
	int i, err;

	nr_vectors = pci_alloc_irq_vectors(pdev, 1, nr_vectors, PCI_IRQ_MSIX);
	if (nr_vectors < 0)
		return nr_vectors;

	for (i = 0; i < nr_vectors; i++) {
		err = request_irq(pci_irq_vector(pdev, i),
				  uio_ivshmem_msix_handler, 0, ivs->name, ivs);
		if (err)
			goto err_free_irqs;
	}
	ivs->nr_msix = nr_vectors;
	ivs->info.irq = UIO_IRQ_CUSTOM;
	return 0;

err_free_irqs:
	uio_ivshmem_free_msix(ivs, i);
	pci_free_irq_vectors(pdev);
	return err;
}

static int uio_ivshmem_setup_intx(struct uio_ivshmem *ivs)
{
	struct pci_dev *pdev = ivs->pdev;
	int err;

	err = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_LEGACY);
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

static void uio_ivshmem_teardown_irq(struct uio_ivshmem *ivs)
{
	if (ivs->nr_msix) {
		uio_ivshmem_free_msix(ivs, ivs->nr_msix);
		ivs->nr_msix = 0;
	} else if (ivs->info.irq != UIO_IRQ_NONE) {
		writel(0, ivs->regs + IVSHMEM_REG_INTR_MASK);
	}
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
	uio_ivshmem_set_map(&ivs->info.mem[MAP_SHMEM], "shmem", UIO_MEM_IOVA,
			    ivs->shmem_addr, ivs->shmem_size);
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
	pci_set_drvdata(pdev, ivs);

	pci_info(pdev, "ivshmem: position %d, shmem %pa bytes at %pa (%s), %s\n",
		 (int)readl(ivs->regs + IVSHMEM_REG_IV_POSITION),
		 &ivs->info.mem[MAP_SHMEM].size, &ivs->shmem_addr,
		 ivs->shmem_is_bar ? "BAR2" : "fixed",
		 ivs->nr_msix ? "MSI-X" :
		 ivs->info.irq == UIO_IRQ_NONE ? "no interrupt" : "INTx");
	return 0;

err_teardown_irq:
	uio_ivshmem_teardown_irq(ivs);
	return err;
}

/* The mirror of probe; managed resources go after it returns. */
static void uio_ivshmem_remove(struct pci_dev *pdev)
{
	struct uio_ivshmem *ivs = pci_get_drvdata(pdev);

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
};
module_pci_driver(uio_ivshmem_driver);

MODULE_DESCRIPTION("UIO driver for ivshmem PCI devices (Bulkhead)");
MODULE_AUTHOR("The Bulkhead developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DRV_VERSION);
