// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated ivshmem device (see ivshmem.h and include/bulkhead/ivshmem.h).
 *
 * Config space: 1af4:1110, class 0500, BAR0 the registers and BAR1 the
 * MSI-X table and PBA (one page each), an MSI-X capability and a
 * vendor capability that tells where the shared memory is (no BAR2: the
 * region sits at the guest-physical address of the cell's config, which
 * nested paging maps in both cells).
 *
 * A doorbell write is trapped on the writer's CPU, which then sends the
 * peer's MSI-X message as an IPI straight to the peer cell's CPU: no
 * other CPU is involved, and the exit makes the write a full barrier.
 * Everything the guest writes (BARs, MSI-X entries, doorbells) is checked
 * here or in arch_send_msi(); nothing reaches another cell but the
 * interrupt its peer asked for.
 *
 * One lock covers every device: the paths are short, and pairing,
 * state changes and doorbells then never see half an update.
 */
#include <arch.h>
#include <bulkhead/ivshmem.h>
#include <cell.h>
#include <common/pci.h>
#include <ivshmem.h>
#include <mmio.h>
#include <pci.h>
#include <setup.h>

#define IVSHMEM_MAX_DEVICES	32
#define IVSHMEM_NUM_BARS	2
#define IVSHMEM_REVISION	1

/* Config space layout: the spec's header (common/pci.h), our capabilities. */
#define CFG_ID			PCI_VENDOR_ID
#define CFG_COMMAND		PCI_COMMAND
#define CFG_CLASS		PCI_CLASS_REVISION
#define CFG_BAR0		PCI_BASE_ADDRESS_0
#define CFG_BAR1		(PCI_BASE_ADDRESS_0 + 4)
#define CFG_CAP_PTR		PCI_CAPABILITY_LIST
#define CFG_INTR		PCI_INTERRUPT_LINE
#define CFG_MSIX		0x40
#define CFG_VCAP		0x50
#define CFG_VCAP_END		(CFG_VCAP + IVSHMEM_VCAP_LEN)

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct ivshmem_dev {
	struct cell *cell;			/* NULL: slot free */
	uint16_t bdf;
	uint16_t num_vectors;
	uint32_t id;				/* IVPosition */
	uint64_t shmem_gpa, shmem_size;		/* as this cell sees it */
	struct ivshmem_dev *peer;

	uint16_t command;
	uint16_t msix_ctrl;			/* ENABLE | MASKALL */
	uint8_t intr_line;
	uint32_t bar[IVSHMEM_NUM_BARS];
	uint64_t trapped[IVSHMEM_NUM_BARS];	/* page made to exit, or 0 */
	struct msix_entry msix[IVSHMEM_MAX_VECTORS];
	uint32_t pending;			/* bit per masked vector rung */
	uint32_t intr_mask, intr_status;
	uint32_t state;				/* LOCAL_STATE */
};

/* An interrupt to send once the lock is dropped. */
struct ivshmem_irq {
	const struct cell *cell;
	uint16_t bdf;
	uint16_t vector;
	uint64_t addr;
	uint32_t data;
};

static struct ivshmem_dev devices[IVSHMEM_MAX_DEVICES];
static spinlock_t ivshmem_lock;
static unsigned int doorbell_reports, msi_reports;

static void ivshmem_bdf_text(uint16_t bdf, char out[8])
{
	static const char hex[] = "0123456789abcdef";

	out[0] = hex[bdf >> 12];
	out[1] = hex[(bdf >> 8) & 0xf];
	out[2] = ':';
	out[3] = hex[(bdf >> 7) & 1];
	out[4] = hex[(bdf >> 3) & 0xf];
	out[5] = '.';
	out[6] = hex[bdf & 7];
	out[7] = '\0';
}

struct ivshmem_dev *ivshmem_find(const struct cell *cell, uint16_t bdf)
{
	unsigned int i;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++)
		if (devices[i].cell == cell && devices[i].bdf == bdf)
			return &devices[i];
	return NULL;
}

static int ivshmem_cell_running(const struct cell *cell)
{
	return cell == &root_cell || cell->state == CELL_RUNNING;
}

/* ---- interrupts ----------------------------------------------------------- */

/*
 * Rings @vector of @dev (its own cell receives). Under the lock: fills
 * @irq when an MSI is to be sent, or marks the vector pending.
 */
static int ivshmem_ring(struct ivshmem_dev *dev, uint32_t vector, struct ivshmem_irq *irq)
{
	const struct msix_entry *e;

	if (vector >= dev->num_vectors || !ivshmem_cell_running(dev->cell))
		return 0;
	dev->intr_status |= 1;
	if (!(dev->msix_ctrl & PCI_MSIX_FLAGS_ENABLE))
		return 0;		/* no INTx on this device */
	e = &dev->msix[vector];
	if ((dev->msix_ctrl & PCI_MSIX_FLAGS_MASKALL) || (e->ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
		dev->pending |= 1u << vector;
		return 0;
	}
	irq->cell = dev->cell;
	irq->bdf = dev->bdf;
	irq->vector = (uint16_t)vector;
	irq->addr = (uint64_t)e->addr_hi << 32 | e->addr_lo;
	irq->data = e->data;
	return 1;
}

/*
 * The message is the receiving cell's own MSI-X entry, so it can only
 * ever reach that cell's CPUs; one it programmed badly (an NMI, a CPU
 * not its own) is dropped and reported a few times.
 */
static void ivshmem_send(const struct ivshmem_irq *irq)
{
	int err = arch_send_msi(irq->cell, irq->addr, irq->data);
	char bdf[8];

	if (!err || msi_reports >= 8)
		return;
	msi_reports++;
	ivshmem_bdf_text(irq->bdf, bdf);
	printk("Cell \"%s\": ivshmem %s: MSI-X vector %u (address 0x%lx, data 0x%x) %s: not delivered\n",
	       irq->cell->desc->name, bdf, irq->vector, irq->addr, irq->data,
	       err == -EINVAL ? "is not a fixed interrupt" : "names none of the cell's CPUs");
}

static void ivshmem_send_all(const struct ivshmem_irq *irqs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ivshmem_send(&irqs[i]);
}

/* Vectors rung while masked go out when unmasked; the lock is held. */
static unsigned int ivshmem_collect_unmasked(struct ivshmem_dev *dev,
				     struct ivshmem_irq *irqs)
{
	uint32_t pending = dev->pending;
	unsigned int v, n = 0;

	dev->pending = 0;
	for (v = 0; v < dev->num_vectors; v++)
		if ((pending & (1u << v)) && ivshmem_ring(dev, v, &irqs[n]))
			n++;
	return n;
}

/* @dev's cell changed its state: tell the peer on vector 0. */
static int ivshmem_state_changed(struct ivshmem_dev *dev, struct ivshmem_irq *irq)
{
	return dev->peer && ivshmem_ring(dev->peer, IVSHMEM_VECTOR_CHANNEL, irq);
}

/* ---- config space ------------------------------------------------------- */

static uint32_t ivshmem_vcap_dword(const struct ivshmem_dev *dev, unsigned int off)
{
	switch (off) {
	case 0:
		return IVSHMEM_VCAP_VERSION << 24 | IVSHMEM_VCAP_LEN << 16 |
		       IVSHMEM_VCAP_ID;
	case IVSHMEM_VCAP_MAGIC_OFF:
		return IVSHMEM_VCAP_MAGIC;
	case IVSHMEM_VCAP_ADDR_OFF:
		return (uint32_t)dev->shmem_gpa;
	case IVSHMEM_VCAP_ADDR_OFF + 4:
		return (uint32_t)(dev->shmem_gpa >> 32);
	case IVSHMEM_VCAP_SIZE_OFF:
		return (uint32_t)dev->shmem_size;
	case IVSHMEM_VCAP_SIZE_OFF + 4:
		return (uint32_t)(dev->shmem_size >> 32);
	default:
		return 0;
	}
}

static uint32_t ivshmem_cfg_dword(const struct ivshmem_dev *dev, unsigned int reg)
{
	switch (reg) {
	case CFG_ID:
		return IVSHMEM_PCI_DEVICE_ID << 16 | IVSHMEM_PCI_VENDOR_ID;
	case CFG_COMMAND:
		return PCI_STATUS_CAP_LIST << 16 | dev->command;
	case CFG_CLASS:
		return IVSHMEM_PCI_CLASS << 8 | IVSHMEM_REVISION;
	case CFG_BAR0:
	case CFG_BAR1:
		return dev->bar[(reg - CFG_BAR0) / 4];
	case CFG_CAP_PTR:
		return CFG_MSIX;
	case CFG_INTR:
		return dev->intr_line;		/* interrupt pin 0: no INTx */
	case CFG_MSIX:
		return (uint32_t)(dev->msix_ctrl | (dev->num_vectors - 1)) << 16 |
		       CFG_VCAP << 8 | PCI_CAP_ID_MSIX;
	case CFG_MSIX + 4:
		return IVSHMEM_MSIX_TABLE_OFFSET | IVSHMEM_BAR_MSIX;
	case CFG_MSIX + 8:
		return IVSHMEM_MSIX_PBA_OFFSET | IVSHMEM_BAR_MSIX;
	default:
		if (reg >= CFG_VCAP && reg < CFG_VCAP_END)
			return ivshmem_vcap_dword(dev, reg - CFG_VCAP);
		return 0;
	}
}

uint32_t ivshmem_cfg_read(struct ivshmem_dev *dev, unsigned int reg)
{
	uint32_t v;

	spin_lock(&ivshmem_lock);
	v = ivshmem_cfg_dword(dev, reg);
	spin_unlock(&ivshmem_lock);
	return v;
}

static void ivshmem_bar_access(struct per_cpu *cpu, void *ctx, uint64_t gpa,
			       int is_write, unsigned int size, uint64_t *value);

/* The page @gpa of @dev's cell exits to ivshmem_bar_access(). */
static int ivshmem_trap_bar(struct ivshmem_dev *dev, uint64_t gpa)
{
	int err = arch_trap_page(dev->cell, gpa, 1);

	if (err)
		return err;
	err = mmio_region_register(dev->cell, gpa, IVSHMEM_EMU_BAR_SIZE,
				   ivshmem_bar_access, dev->cell);
	if (err)
		arch_trap_page(dev->cell, gpa, 0);
	return err;
}

static void ivshmem_untrap_bar(struct ivshmem_dev *dev, uint64_t gpa)
{
	mmio_region_unregister(dev->cell, gpa);
	arch_trap_page(dev->cell, gpa, 0);
}

/*
 * Makes the decoding BARs' pages exit, and only those. A BAR over another
 * emulated range (the other BAR, another device's) decodes nowhere.
 */
static void ivshmem_update_traps(struct ivshmem_dev *dev)
{
	uint64_t want;
	unsigned int i;

	for (i = 0; i < IVSHMEM_NUM_BARS; i++) {
		want = (dev->command & PCI_COMMAND_MEMORY) ? dev->bar[i] : 0;
		if (want && !pci_bar_page_allowed(dev->cell, want))
			want = 0;	/* decodes nowhere, like a BAR off the bus */
		if (want == dev->trapped[i])
			continue;
		if (dev->trapped[i])
			ivshmem_untrap_bar(dev, dev->trapped[i]);
		dev->trapped[i] = 0;
		if (want && ivshmem_trap_bar(dev, want) == 0)
			dev->trapped[i] = want;
	}
}

void ivshmem_cfg_write(struct ivshmem_dev *dev, unsigned int reg,
		       uint32_t value, uint32_t mask)
{
	struct ivshmem_irq irqs[IVSHMEM_MAX_VECTORS];
	unsigned int n = 0;
	uint32_t v;

	spin_lock(&ivshmem_lock);
	v = (ivshmem_cfg_dword(dev, reg) & ~mask) | (value & mask);
	switch (reg) {
	case CFG_COMMAND:
		dev->command = v & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
				    PCI_COMMAND_INTX_DISABLE);
		ivshmem_update_traps(dev);
		break;
	case CFG_BAR0:
	case CFG_BAR1:
		/* 32-bit, non-prefetchable memory, one page: sizing reads back the mask. */
		dev->bar[(reg - CFG_BAR0) / 4] = v & ~(IVSHMEM_EMU_BAR_SIZE - 1);
		ivshmem_update_traps(dev);
		break;
	case CFG_INTR:
		dev->intr_line = (uint8_t)v;
		break;
	case CFG_MSIX:
		dev->msix_ctrl = (v >> 16) & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		n = ivshmem_collect_unmasked(dev, irqs);
		break;
	}
	spin_unlock(&ivshmem_lock);
	ivshmem_send_all(irqs, n);
}

/* ---- BAR0: registers ------------------------------------------------------ */

static uint32_t ivshmem_peer_state(const struct ivshmem_dev *dev)
{
	const struct ivshmem_dev *peer = dev->peer;

	return peer && ivshmem_cell_running(peer->cell) ? peer->state : IVSHMEM_STATE_RESET;
}

static uint32_t ivshmem_reg_read(struct ivshmem_dev *dev, unsigned int reg)
{
	uint32_t v;

	switch (reg) {
	case IVSHMEM_REG_INTR_MASK:
		return dev->intr_mask;
	case IVSHMEM_REG_INTR_STATUS:
		v = dev->intr_status;
		dev->intr_status = 0;
		return v;
	case IVSHMEM_REG_IV_POSITION:
		return dev->id;
	case IVSHMEM_REG_LOCAL_STATE:
		return dev->state;
	case IVSHMEM_REG_PEER_STATE:
		return ivshmem_peer_state(dev);
	default:
		return 0;
	}
}

/*
 * A doorbell names a peer ID and a vector. Only the pair's other side
 * exists; anything else is dropped (reported a few times, for whoever
 * debugs a wrong ID).
 */
static int ivshmem_doorbell(struct ivshmem_dev *dev, uint32_t value, struct ivshmem_irq *irq)
{
	uint32_t peer_id = value >> IVSHMEM_DOORBELL_PEER_SHIFT;
	char bdf[8];

	if (dev->peer && dev->peer->id == peer_id)
		return ivshmem_ring(dev->peer, value & IVSHMEM_DOORBELL_VECTOR_MASK, irq);
	if (doorbell_reports < 8) {
		doorbell_reports++;
		ivshmem_bdf_text(dev->bdf, bdf);
		printk("Cell \"%s\": ivshmem %s: doorbell for peer %u ignored (%s)\n",
		       dev->cell->desc->name, bdf, peer_id,
		       dev->peer ? "no such peer" : "no peer cell yet");
	}
	return 0;
}

static int ivshmem_reg_write(struct ivshmem_dev *dev, unsigned int reg, uint32_t value,
		     struct ivshmem_irq *irq)
{
	uint32_t old;

	switch (reg) {
	case IVSHMEM_REG_INTR_MASK:
		dev->intr_mask = value;
		return 0;
	case IVSHMEM_REG_DOORBELL:
		asm volatile("mfence" ::: "memory");	/* the writer's stores first */
		return ivshmem_doorbell(dev, value, irq);
	case IVSHMEM_REG_LOCAL_STATE:
		old = dev->state;
		dev->state = value;
		return old != value && ivshmem_state_changed(dev, irq);
	default:
		return 0;
	}
}

/* ---- BAR1: MSI-X table and PBA ------------------------------------------- */

static uint32_t ivshmem_msix_read(const struct ivshmem_dev *dev, unsigned int off)
{
	const uint32_t *entry;

	if (off == IVSHMEM_MSIX_PBA_OFFSET)
		return dev->pending;
	if (off >= dev->num_vectors * IVSHMEM_MSIX_ENTRY_SIZE)
		return 0;
	entry = &dev->msix[off / IVSHMEM_MSIX_ENTRY_SIZE].addr_lo;
	return entry[(off % IVSHMEM_MSIX_ENTRY_SIZE) / 4];
}

static unsigned int ivshmem_msix_write(struct ivshmem_dev *dev, unsigned int off,
			       uint32_t value, struct ivshmem_irq *irqs)
{
	struct msix_entry *e;

	if (off >= dev->num_vectors * IVSHMEM_MSIX_ENTRY_SIZE)
		return 0;
	e = &dev->msix[off / IVSHMEM_MSIX_ENTRY_SIZE];
	switch (off % IVSHMEM_MSIX_ENTRY_SIZE) {
	case 0:
		e->addr_lo = value;
		return 0;
	case 4:
		e->addr_hi = value;
		return 0;
	case 8:
		e->data = value;
		return 0;
	default:
		e->ctrl = value & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		return ivshmem_collect_unmasked(dev, irqs);
	}
}

/* ---- BAR dispatch ---------------------------------------------------------- */

static struct ivshmem_dev *ivshmem_bar_of(const struct cell *cell, uint64_t gpa,
				  unsigned int *bar)
{
	uint64_t page = gpa & ~(uint64_t)(IVSHMEM_EMU_BAR_SIZE - 1);
	unsigned int i, b;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++) {
		if (devices[i].cell != cell || !(devices[i].command & PCI_COMMAND_MEMORY))
			continue;
		for (b = 0; b < IVSHMEM_NUM_BARS; b++) {
			/* 0: the BAR decodes nowhere (not: at page 0). */
			if (devices[i].trapped[b] && devices[i].trapped[b] == page) {
				*bar = b;
				return &devices[i];
			}
		}
	}
	return NULL;
}

/*
 * An access to a BAR page (an mmio_handler_t, @ctx the cell). Registers
 * are 32 bits wide: other sizes read 0 and write nothing.
 */
static void ivshmem_bar_access(struct per_cpu *cpu, void *ctx, uint64_t gpa,
			       int is_write, unsigned int size, uint64_t *value)
{
	struct cell *cell = ctx;
	struct ivshmem_irq irqs[IVSHMEM_MAX_VECTORS];
	unsigned int off = gpa & (IVSHMEM_EMU_BAR_SIZE - 1), bar, n = 0;
	struct ivshmem_dev *dev;

	(void)cpu;
	spin_lock(&ivshmem_lock);
	dev = ivshmem_bar_of(cell, gpa, &bar);
	if (!is_write)
		*value = 0;
	if (dev && size == 4 && !(off & 3)) {
		if (bar == IVSHMEM_BAR_REGS && is_write)
			n = (unsigned int)ivshmem_reg_write(dev, off, (uint32_t)*value, irqs);
		else if (bar == IVSHMEM_BAR_REGS)
			*value = ivshmem_reg_read(dev, off);
		else if (is_write)
			n = ivshmem_msix_write(dev, off, (uint32_t)*value, irqs);
		else
			*value = ivshmem_msix_read(dev, off);
	}
	spin_unlock(&ivshmem_lock);
	ivshmem_send_all(irqs, n);
}

/* ---- life cycle --------------------------------------------------------------- */

/* Back to power-on state: no BARs, no MSI-X, state RESET. */
static void ivshmem_reset_dev(struct ivshmem_dev *dev)
{
	unsigned int v;

	dev->command = 0;
	dev->msix_ctrl = 0;
	dev->intr_line = 0;
	memset(dev->bar, 0, sizeof(dev->bar));
	ivshmem_update_traps(dev);
	memset(dev->msix, 0, sizeof(dev->msix));
	for (v = 0; v < IVSHMEM_MAX_VECTORS; v++)
		dev->msix[v].ctrl = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	dev->pending = 0;
	dev->intr_mask = 0;
	dev->intr_status = 0;
	dev->state = IVSHMEM_STATE_RESET;
}

static struct ivshmem_dev *ivshmem_alloc_dev(void)
{
	unsigned int i;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++)
		if (!devices[i].cell)
			return &devices[i];
	return NULL;
}

static int ivshmem_add_dev(struct cell *cell, const struct bh_pci_device *cfg)
{
	const struct bh_memory_region *shm =
		&bh_cell_mem_regions(cell->desc)[cfg->shmem_region];
	struct ivshmem_dev *dev = ivshmem_alloc_dev(), *partner = NULL;
	char bdf[8];

	ivshmem_bdf_text(cfg->bdf, bdf);
	if (!dev)
		return -ENOSPC;
	if (cell == &root_cell && arch_pci_hw_present(cfg->bdf)) {
		printk("ivshmem %s: a real PCI device is at that address\n", bdf);
		return -EBUSY;
	}
	if (cell != &root_cell) {
		partner = ivshmem_find(&root_cell, cfg->bdf);
		if (!partner) {
			printk("Cell \"%s\": ivshmem %s has no partner in the root cell\n",
			       cell->desc->name, bdf);
			return -EINVAL;
		}
		if (partner->peer) {
			printk("Cell \"%s\": ivshmem %s is paired with cell \"%s\" already\n",
			       cell->desc->name, bdf, partner->peer->cell->desc->name);
			return -EBUSY;
		}
	}
	memset(dev, 0, sizeof(*dev));
	dev->bdf = cfg->bdf;
	dev->num_vectors = cfg->num_msix_vectors;
	dev->id = cfg->shmem_peer_id;
	dev->shmem_gpa = shm->virt_start;
	dev->shmem_size = shm->size;
	dev->cell = cell;
	ivshmem_reset_dev(dev);
	if (partner) {
		dev->peer = partner;
		partner->peer = dev;
	}
	return 0;
}

int ivshmem_cell_init(struct cell *cell)
{
	const struct bh_pci_device *cfg = bh_cell_pci_devices(cell->desc);
	unsigned int i;
	int err = 0;

	spin_lock(&ivshmem_lock);
	for (i = 0; i < cell->desc->num_pci_devices && !err; i++) {
		if (cfg[i].type != BH_PCI_TYPE_IVSHMEM)
			continue;
		err = ivshmem_add_dev(cell, &cfg[i]);
		if (!err && cell == &root_cell)
			err = pci_trap_function(cell, cfg[i].bdf);
	}
	spin_unlock(&ivshmem_lock);
	if (err)
		ivshmem_cell_exit(cell);
	return err;
}

/*
 * Every device of @cell back to RESET; each peer that saw another state
 * is told (vector 0, collected in @irqs). The lock is held.
 */
static unsigned int ivshmem_announce_reset(struct cell *cell, struct ivshmem_irq *irqs)
{
	unsigned int i, n = 0;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++) {
		struct ivshmem_dev *dev = &devices[i];

		if (dev->cell != cell || dev->state == IVSHMEM_STATE_RESET)
			continue;
		dev->state = IVSHMEM_STATE_RESET;
		if (ivshmem_state_changed(dev, &irqs[n]))
			n++;
	}
	return n;
}

void ivshmem_cell_exit(struct cell *cell)
{
	struct ivshmem_irq irqs[IVSHMEM_MAX_DEVICES];
	unsigned int i, n;

	spin_lock(&ivshmem_lock);
	n = ivshmem_announce_reset(cell, irqs);
	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++) {
		struct ivshmem_dev *dev = &devices[i];

		if (dev->cell != cell)
			continue;
		if (dev->peer)
			dev->peer->peer = NULL;
		dev->command = 0;
		ivshmem_update_traps(dev);
		if (cell == &root_cell)
			pci_untrap_function(cell, dev->bdf);
		memset(dev, 0, sizeof(*dev));
	}
	spin_unlock(&ivshmem_lock);
	ivshmem_send_all(irqs, n);
}

void ivshmem_cell_reset(struct cell *cell)
{
	unsigned int i;

	spin_lock(&ivshmem_lock);
	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++)
		if (devices[i].cell == cell)
			ivshmem_reset_dev(&devices[i]);
	spin_unlock(&ivshmem_lock);
}

void ivshmem_cell_stopped(struct cell *cell)
{
	struct ivshmem_irq irqs[IVSHMEM_MAX_DEVICES];
	unsigned int n;

	spin_lock(&ivshmem_lock);
	n = ivshmem_announce_reset(cell, irqs);
	spin_unlock(&ivshmem_lock);
	ivshmem_send_all(irqs, n);
}
