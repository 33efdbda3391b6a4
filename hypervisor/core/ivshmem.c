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
 * Every device is a peer of a link (struct ivshmem_link): a pair of the
 * old form (root peer 0, one inmate peer 1, one read-write area) or a
 * link of the system config (2..16 peers, a state table the hypervisor
 * writes, an output section per peer that only its owner may write;
 * include/bulkhead/ivshmem.h). The rights of a link's parts are set in
 * each peer's nested page tables when its device is created, so the
 * enforcement costs no exit; ivshmem_write_refused() names the part a
 * refused write was aimed at.
 *
 * One lock covers every device and link: the paths are short, and
 * joining, state changes and doorbells then never see half an update.
 */
#include <arch.h>
#include <bulkhead/hypercall.h>
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

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct ivshmem_link {
	int used;
	uint16_t bdf;
	const struct bh_ivshmem_link *cfg;	/* NULL: a pair of the old form */
	uint32_t num_peers;
	/* The link's first page, through the hypervisor's identity map. */
	volatile uint32_t *state_table;		/* NULL: a pair has none */
	struct ivshmem_dev *peers[IVSHMEM_MAX_PEERS];
};

struct ivshmem_dev {
	struct cell *cell;			/* NULL: slot free */
	uint16_t bdf;
	uint16_t num_vectors;
	uint32_t id;				/* IVPosition, index in link->peers */
	uint64_t shmem_gpa, shmem_size;		/* as this cell sees it */
	struct ivshmem_link *link;		/* NULL once the root cell left */

	uint16_t command;
	uint16_t msix_ctrl;			/* ENABLE | MASKALL */
	uint8_t intr_line;
	uint32_t bar[IVSHMEM_NUM_BARS];
	uint64_t trapped[IVSHMEM_NUM_BARS];	/* page made to exit, or 0 */
	struct msix_entry msix[IVSHMEM_MAX_VECTORS];
	uint32_t pending;			/* bit per masked vector rung */
	uint32_t intr_mask, intr_status;
	uint32_t state;				/* LOCAL_STATE */
	uint64_t stats[BH_IVSHMEM_STATS];	/* bulkhead/hypercall.h; atomic adds */
};

/* An interrupt to send once the lock is dropped. */
struct ivshmem_irq {
	struct ivshmem_dev *to, *from;		/* from: the doorbell's writer, or NULL */
	const struct cell *cell;
	uint16_t bdf;
	uint16_t vector;
	uint64_t addr;
	uint32_t data;
};

static struct ivshmem_dev devices[IVSHMEM_MAX_DEVICES];
static struct ivshmem_link links[IVSHMEM_MAX_DEVICES];
static spinlock_t ivshmem_lock;
static unsigned int doorbell_reports, msi_reports;

struct ivshmem_dev *ivshmem_find(const struct cell *cell, uint16_t bdf)
{
	unsigned int i;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++)
		if (devices[i].cell == cell && devices[i].bdf == bdf)
			return &devices[i];
	return NULL;
}

/*
 * Counters are added to outside the lock too (delivery); a slot reused
 * meanwhile at worst miscounts its new cell's first message.
 */
static void ivshmem_count(struct ivshmem_dev *dev, unsigned int stat)
{
	if (dev)
		__atomic_fetch_add(&dev->stats[stat], 1, __ATOMIC_RELAXED);
}

int64_t ivshmem_list(const struct cell *cell, uint64_t index)
{
	int64_t ret = -ENOENT;
	unsigned int i;

	spin_lock(&ivshmem_lock);
	for (i = 0; i < IVSHMEM_MAX_DEVICES && ret == -ENOENT; i++)
		if (devices[i].cell == cell && !index--)
			ret = devices[i].bdf | (int64_t)devices[i].id << 16;
	spin_unlock(&ivshmem_lock);
	return ret;
}

int64_t ivshmem_get_info(const struct cell *cell, uint16_t bdf, uint64_t what)
{
	const struct ivshmem_dev *dev;
	int64_t ret = -ENOENT;

	if (what >= BH_IVSHMEM_STATS)
		return -EINVAL;
	spin_lock(&ivshmem_lock);
	dev = ivshmem_find(cell, bdf);
	if (dev)
		ret = (int64_t)__atomic_load_n(&dev->stats[what], __ATOMIC_RELAXED);
	spin_unlock(&ivshmem_lock);
	return ret;
}

static int ivshmem_cell_running(const struct cell *cell)
{
	return cell == &root_cell || cell->state == CELL_RUNNING;
}

/* Peer @id of @dev's link other than @dev itself, or NULL. */
static struct ivshmem_dev *ivshmem_other(const struct ivshmem_dev *dev, uint32_t id)
{
	const struct ivshmem_link *link = dev->link;

	if (!link || id >= link->num_peers || id == dev->id)
		return NULL;
	return link->peers[id];
}

/* What the other peers read of @dev in the state table: its LOCAL_STATE. */
static void ivshmem_publish_state(const struct ivshmem_dev *dev)
{
	if (dev->link && dev->link->state_table)
		dev->link->state_table[IVSHMEM_STATE_ENTRY(dev->id) / 4] = dev->state;
}

/* ---- interrupts ----------------------------------------------------------- */

/*
 * Rings @vector of @dev (its own cell receives). Under the lock: fills
 * @irq when an MSI is to be sent, or marks the vector pending.
 */
static int ivshmem_ring(struct ivshmem_dev *dev, uint32_t vector, struct ivshmem_irq *irq,
			struct ivshmem_dev *from)
{
	const struct msix_entry *e;

	if (!ivshmem_cell_running(dev->cell)) {
		ivshmem_count(from, BH_IVSHMEM_DROPPED_NOT_RUNNING);
		return 0;
	}
	if (vector < dev->num_vectors)
		dev->intr_status |= 1;
	if (vector >= dev->num_vectors || !(dev->msix_ctrl & PCI_MSIX_FLAGS_ENABLE)) {
		ivshmem_count(from, BH_IVSHMEM_DROPPED_NO_VECTOR);
		return 0;		/* no INTx on this device */
	}
	e = &dev->msix[vector];
	if ((dev->msix_ctrl & PCI_MSIX_FLAGS_MASKALL) || (e->ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
		dev->pending |= 1u << vector;
		ivshmem_count(from, BH_IVSHMEM_DROPPED_MASKED);
		return 0;
	}
	irq->to = dev;
	irq->from = from;
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

	if (!err) {
		ivshmem_count(irq->from, BH_IVSHMEM_DOORBELLS_DELIVERED);
		ivshmem_count(irq->to, BH_IVSHMEM_INTERRUPTS_RECEIVED);
		return;
	}
	ivshmem_count(irq->to, BH_IVSHMEM_MSIX_REFUSED);
	if (msi_reports >= 8)
		return;
	msi_reports++;
	pci_bdf_text(irq->bdf, bdf);
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
		if ((pending & (1u << v)) && ivshmem_ring(dev, v, &irqs[n], NULL))
			n++;
	return n;
}

/*
 * @dev's cell changed its state: the state table says so, and every other
 * peer gets vector 0 (at most IVSHMEM_MAX_PEERS - 1 into @irqs).
 */
static unsigned int ivshmem_state_changed(struct ivshmem_dev *dev,
					  struct ivshmem_irq *irqs)
{
	struct ivshmem_dev *peer;
	unsigned int id, n = 0;

	ivshmem_publish_state(dev);
	for (id = 0; dev->link && id < dev->link->num_peers; id++) {
		peer = ivshmem_other(dev, id);
		if (peer && ivshmem_ring(peer, IVSHMEM_VECTOR_CHANNEL, &irqs[n], NULL))
			n++;
	}
	return n;
}

/* ---- config space ------------------------------------------------------- */

/* The link of the system config @dev belongs to, or NULL (a pair). */
static const struct bh_ivshmem_link *ivshmem_link_cfg(const struct ivshmem_dev *dev)
{
	return dev->link ? dev->link->cfg : NULL;
}

static unsigned int ivshmem_vcap_len(const struct ivshmem_dev *dev)
{
	return ivshmem_link_cfg(dev) ? IVSHMEM_VCAP_LINK_LEN : IVSHMEM_VCAP_LEN;
}

/* Version 2's layout fields; a pair's capability ends before them. */
static uint32_t ivshmem_vcap_link_dword(const struct bh_ivshmem_link *l, unsigned int off)
{
	switch (off) {
	case IVSHMEM_VCAP_PEERS_OFF:
		return l->num_peers;
	case IVSHMEM_VCAP_STATE_SIZE_OFF:
		return IVSHMEM_STATE_TABLE_SIZE;
	case IVSHMEM_VCAP_COMMON_SIZE_OFF:
		return (uint32_t)l->common_size;
	case IVSHMEM_VCAP_COMMON_SIZE_OFF + 4:
		return (uint32_t)(l->common_size >> 32);
	case IVSHMEM_VCAP_OUTPUT_SIZE_OFF:
		return (uint32_t)l->output_size;
	case IVSHMEM_VCAP_OUTPUT_SIZE_OFF + 4:
		return (uint32_t)(l->output_size >> 32);
	default:
		return 0;
	}
}

static uint32_t ivshmem_vcap_dword(const struct ivshmem_dev *dev, unsigned int off)
{
	const struct bh_ivshmem_link *l = ivshmem_link_cfg(dev);

	switch (off) {
	case 0:
		return (uint32_t)(l ? IVSHMEM_VCAP_LINK_VERSION : IVSHMEM_VCAP_VERSION) << 24 |
		       ivshmem_vcap_len(dev) << 16 | IVSHMEM_VCAP_ID;
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
		return l ? ivshmem_vcap_link_dword(l, off) : 0;
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
		if (reg >= CFG_VCAP && reg < CFG_VCAP + ivshmem_vcap_len(dev))
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

/* The other side's state where there is one other side; RESET otherwise. */
static uint32_t ivshmem_peer_state(const struct ivshmem_dev *dev)
{
	const struct ivshmem_dev *peer;

	if (!dev->link || dev->link->num_peers != 2)
		return IVSHMEM_STATE_RESET;
	peer = ivshmem_other(dev, 1 - dev->id);
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
	case IVSHMEM_REG_NUM_PEERS:
		return dev->link ? dev->link->num_peers : 0;
	default:
		return 0;
	}
}

/* Whether anyone but @dev is on its link now. */
static int ivshmem_has_others(const struct ivshmem_dev *dev)
{
	unsigned int id;

	for (id = 0; dev->link && id < dev->link->num_peers; id++)
		if (ivshmem_other(dev, id))
			return 1;
	return 0;
}

/*
 * A doorbell names a peer ID and a vector. An ID that is no other peer of
 * the link is dropped and reported a few times, for whoever debugs a
 * wrong ID; so is any ID while a pair has no other side. A link's peer
 * whose cell does not exist at the moment is no mistake (peers come and
 * go): that doorbell is dropped silently.
 */
static int ivshmem_doorbell(struct ivshmem_dev *dev, uint32_t value, struct ivshmem_irq *irq)
{
	uint32_t peer_id = value >> IVSHMEM_DOORBELL_PEER_SHIFT;
	struct ivshmem_dev *to = ivshmem_other(dev, peer_id);
	char bdf[8];

	ivshmem_count(dev, BH_IVSHMEM_DOORBELLS_SENT);
	if (to)
		return ivshmem_ring(to, value & IVSHMEM_DOORBELL_VECTOR_MASK, irq, dev);
	if (ivshmem_link_cfg(dev) && peer_id < dev->link->num_peers && peer_id != dev->id) {
		ivshmem_count(dev, BH_IVSHMEM_DROPPED_NOT_RUNNING);	/* no cell there now */
		return 0;
	}
	ivshmem_count(dev, BH_IVSHMEM_DROPPED_NO_PEER);
	if (doorbell_reports < 8) {
		doorbell_reports++;
		pci_bdf_text(dev->bdf, bdf);
		printk("Cell \"%s\": ivshmem %s: doorbell for peer %u ignored (%s)\n",
		       dev->cell->desc->name, bdf, peer_id,
		       ivshmem_link_cfg(dev) || ivshmem_has_others(dev) ?
		       "no such peer" : "no peer cell yet");
	}
	return 0;
}

/* Returns how many interrupts it put into @irqs (IVSHMEM_MAX_PEERS room). */
static unsigned int ivshmem_reg_write(struct ivshmem_dev *dev, unsigned int reg,
				      uint32_t value, struct ivshmem_irq *irqs)
{
	uint32_t old;

	switch (reg) {
	case IVSHMEM_REG_INTR_MASK:
		dev->intr_mask = value;
		return 0;
	case IVSHMEM_REG_DOORBELL:
		asm volatile("mfence" ::: "memory");	/* the writer's stores first */
		return (unsigned int)ivshmem_doorbell(dev, value, irqs);
	case IVSHMEM_REG_LOCAL_STATE:
		old = dev->state;
		dev->state = value;
		return old != value ? ivshmem_state_changed(dev, irqs) : 0;
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
	/* Enough for the vectors of an unmask and for the peers of a state change. */
	struct ivshmem_irq irqs[IVSHMEM_MAX_VECTORS > IVSHMEM_MAX_PEERS ?
				IVSHMEM_MAX_VECTORS : IVSHMEM_MAX_PEERS];
	unsigned int off = gpa & (IVSHMEM_EMU_BAR_SIZE - 1), bar, n = 0;
	struct ivshmem_dev *dev;

	(void)cpu;
	spin_lock(&ivshmem_lock);
	dev = ivshmem_bar_of(cell, gpa, &bar);
	if (!is_write)
		*value = 0;
	if (dev && size == 4 && !(off & 3)) {
		if (bar == IVSHMEM_BAR_REGS && is_write)
			n = ivshmem_reg_write(dev, off, (uint32_t)*value, irqs);
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

/* ---- links ----------------------------------------------------------------- */

static struct ivshmem_link *ivshmem_link_alloc(uint16_t bdf)
{
	unsigned int i;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++) {
		if (links[i].used)
			continue;
		memset(&links[i], 0, sizeof(links[i]));
		links[i].used = 1;
		links[i].bdf = bdf;
		return &links[i];
	}
	return NULL;
}

static struct ivshmem_link *ivshmem_link_find(uint16_t bdf)
{
	unsigned int i;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++)
		if (links[i].used && links[i].bdf == bdf)
			return &links[i];
	return NULL;
}

/*
 * The system config's links exist from enable to disable, with nobody on
 * them yet. Their state tables start with every peer RESET; the sections
 * are the peers' to initialise.
 */
static int ivshmem_links_init(void)
{
	const struct bh_ivshmem_link *cfg = bh_system_links(system_config);
	struct ivshmem_link *link;
	unsigned int i;

	for (i = 0; i < system_config->num_ivshmem_links; i++) {
		link = ivshmem_link_alloc(cfg[i].bdf);
		if (!link)
			return -ENOSPC;
		link->cfg = &cfg[i];
		link->num_peers = cfg[i].num_peers;
		link->state_table = (volatile uint32_t *)(uintptr_t)cfg[i].phys_start;
		memset((void *)link->state_table, 0, IVSHMEM_STATE_TABLE_SIZE);
	}
	return 0;
}

/* Disable (or a failed enable): every link goes, whoever is left on it. */
static void ivshmem_links_exit(void)
{
	unsigned int i, id;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++) {
		for (id = 0; links[i].used && id < links[i].num_peers; id++)
			if (links[i].peers[id])
				links[i].peers[id]->link = NULL;
		memset(&links[i], 0, sizeof(links[i]));
	}
}

/*
 * Makes [@off, @end) of @dev's link memory read-only for @dev's cell;
 * an empty range costs nothing.
 */
static int ivshmem_protect(struct ivshmem_dev *dev, uint64_t off, uint64_t end)
{
	if (off >= end)
		return 0;
	return arch_write_protect(dev->cell, dev->shmem_gpa + off, end - off);
}

/*
 * A link peer writes its own output section and the common one, and
 * nothing else of the link: the state table and the other peers' output
 * sections are read-only in its nested page tables. The cell's memory
 * region (the link's whole memory) was mapped read-write before.
 */
static int ivshmem_protect_link(struct ivshmem_dev *dev)
{
	const struct bh_ivshmem_link *l = dev->link->cfg;
	uint64_t own = IVSHMEM_LINK_OUTPUT_OFFSET(l->common_size, l->output_size, dev->id);
	int err;

	err = ivshmem_protect(dev, 0, IVSHMEM_STATE_TABLE_SIZE);
	err = err ?: ivshmem_protect(dev, IVSHMEM_LINK_OUTPUT_OFFSET(l->common_size,
								    l->output_size, 0), own);
	return err ?: ivshmem_protect(dev, own + l->output_size,
				      IVSHMEM_LINK_SIZE(l->common_size, l->output_size,
							l->num_peers));
}

/*
 * Which part of a link @gpa (in @dev's shared memory) is, if @dev may not
 * write it: the state table (*@owner IVSHMEM_POSITION_INVALID) or peer
 * *@owner's output section. Returns 0 where @dev may write.
 */
static int ivshmem_foreign_part(const struct ivshmem_dev *dev, uint64_t gpa,
				uint32_t *owner)
{
	const struct bh_ivshmem_link *l = ivshmem_link_cfg(dev);
	uint64_t off = gpa - dev->shmem_gpa, first;

	if (!l || gpa < dev->shmem_gpa || off >= dev->shmem_size)
		return 0;
	if (off < IVSHMEM_STATE_TABLE_SIZE) {
		*owner = IVSHMEM_POSITION_INVALID;
		return 1;
	}
	first = IVSHMEM_LINK_OUTPUT_OFFSET(l->common_size, l->output_size, 0);
	if (off < first)
		return 0;	/* the common section */
	*owner = (uint32_t)((off - first) / l->output_size);
	return *owner != dev->id;
}

int ivshmem_write_refused(const struct cell *cell, unsigned int cpu_id,
			  uint64_t gpa, uint64_t rip, int print)
{
	const struct ivshmem_dev *dev = NULL;
	uint32_t owner = 0;
	unsigned int i;
	char bdf[8];

	spin_lock(&ivshmem_lock);
	for (i = 0; i < IVSHMEM_MAX_DEVICES && !dev; i++)
		if (devices[i].cell == cell && ivshmem_foreign_part(&devices[i], gpa, &owner))
			dev = &devices[i];
	if (dev && print) {
		pci_bdf_text(dev->bdf, bdf);
		if (owner == IVSHMEM_POSITION_INVALID)
			printk("CPU %u: cell \"%s\": write of 0x%lx refused (RIP 0x%lx): ivshmem %s: the link's state table is written by the hypervisor only\n",
			       cpu_id, cell->desc->name, gpa, rip, bdf);
		else
			printk("CPU %u: cell \"%s\": write of 0x%lx refused (RIP 0x%lx): ivshmem %s: peer %u's output section is read-only for peer %u\n",
			       cpu_id, cell->desc->name, gpa, rip, bdf, owner, dev->id);
	}
	spin_unlock(&ivshmem_lock);
	return dev != NULL;
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
	ivshmem_publish_state(dev);
}

static struct ivshmem_dev *ivshmem_alloc_dev(void)
{
	unsigned int i;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++)
		if (!devices[i].cell)
			return &devices[i];
	return NULL;
}

/*
 * The link @cfg's device joins: a pair's root side makes the pair, its
 * inmate side finds it; a link peer finds the system config's link. The
 * place on the link must be free.
 */
static int ivshmem_join(struct cell *cell, const struct bh_pci_device *cfg,
			const char *bdf, struct ivshmem_link **out)
{
	struct ivshmem_link *link = ivshmem_link_find(cfg->bdf);
	int is_link = cfg->type == BH_PCI_TYPE_IVSHMEM_LINK;

	if (!is_link && cell == &root_cell) {
		*out = ivshmem_link_alloc(cfg->bdf);
		if (!*out)
			return -ENOSPC;
		(*out)->num_peers = 2;
		return 0;
	}
	if (!link || !link->cfg != !is_link) {
		if (is_link)
			printk("Cell \"%s\": ivshmem %s: the system config has no link there\n",
			       cell->desc->name, bdf);
		else
			printk("Cell \"%s\": ivshmem %s has no partner in the root cell\n",
			       cell->desc->name, bdf);
		return -EINVAL;
	}
	/* The checker said so already; the peers array must never overflow. */
	if (cfg->shmem_peer_id >= link->num_peers)
		return -EINVAL;
	if (link->peers[cfg->shmem_peer_id]) {
		if (is_link)
			printk("Cell \"%s\": ivshmem %s: peer %u of the link is cell \"%s\" already\n",
			       cell->desc->name, bdf, cfg->shmem_peer_id,
			       link->peers[cfg->shmem_peer_id]->cell->desc->name);
		else
			printk("Cell \"%s\": ivshmem %s is paired with cell \"%s\" already\n",
			       cell->desc->name, bdf,
			       link->peers[cfg->shmem_peer_id]->cell->desc->name);
		return -EBUSY;
	}
	*out = link;
	return 0;
}

static int ivshmem_add_dev(struct cell *cell, const struct bh_pci_device *cfg)
{
	const struct bh_memory_region *shm =
		&bh_cell_mem_regions(cell->desc)[cfg->shmem_region];
	struct ivshmem_dev *dev = ivshmem_alloc_dev();
	struct ivshmem_link *link = NULL;
	char bdf[8];
	int err;

	pci_bdf_text(cfg->bdf, bdf);
	if (!dev)
		return -ENOSPC;
	/* The checker refused these; an index into link->peers stays inside. */
	if (cfg->shmem_peer_id >= IVSHMEM_MAX_PEERS ||
	    (cfg->type == BH_PCI_TYPE_IVSHMEM && cell == &root_cell &&
	     cfg->shmem_peer_id != IVSHMEM_ROOT_PEER_ID))
		return -EINVAL;
	if (cell == &root_cell && arch_pci_hw_present(cfg->bdf)) {
		printk("ivshmem %s: a real PCI device is at that address\n", bdf);
		return -EBUSY;
	}
	err = ivshmem_join(cell, cfg, bdf, &link);
	if (err)
		return err;
	memset(dev, 0, sizeof(*dev));
	dev->bdf = cfg->bdf;
	dev->num_vectors = cfg->num_msix_vectors;
	dev->id = cfg->shmem_peer_id;
	dev->shmem_gpa = shm->virt_start;
	dev->shmem_size = shm->size;
	dev->cell = cell;
	dev->link = link;
	link->peers[dev->id] = dev;
	ivshmem_reset_dev(dev);
	if (link->cfg) {
		err = ivshmem_protect_link(dev);
		if (err)
			printk("Cell \"%s\": ivshmem %s: the link's sections cannot be protected (%d)\n",
			       cell->desc->name, bdf, err);
	}
	return err;
}

int ivshmem_cell_init(struct cell *cell)
{
	const struct bh_pci_device *cfg = bh_cell_pci_devices(cell->desc);
	unsigned int i;
	int err = 0;

	spin_lock(&ivshmem_lock);
	if (cell == &root_cell)
		err = ivshmem_links_init();
	for (i = 0; i < cell->desc->num_pci_devices && !err; i++) {
		if (cfg[i].type != BH_PCI_TYPE_IVSHMEM &&
		    cfg[i].type != BH_PCI_TYPE_IVSHMEM_LINK)
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

/* @dev back to RESET; the other peers are told (into @irqs). Lock held. */
static unsigned int ivshmem_announce_reset(struct ivshmem_dev *dev,
					   struct ivshmem_irq *irqs)
{
	if (dev->state == IVSHMEM_STATE_RESET)
		return 0;
	dev->state = IVSHMEM_STATE_RESET;
	return ivshmem_state_changed(dev, irqs);
}

/* @dev leaves its link and frees its slot. Lock held. */
static void ivshmem_remove_dev(struct ivshmem_dev *dev)
{
	struct ivshmem_link *link = dev->link;

	if (link) {
		link->peers[dev->id] = NULL;
		/* A pair is its root side's: the inmate side stays, alone. */
		if (!link->cfg && dev->cell == &root_cell) {
			if (link->peers[IVSHMEM_INMATE_PEER_ID])
				link->peers[IVSHMEM_INMATE_PEER_ID]->link = NULL;
			memset(link, 0, sizeof(*link));
		}
	}
	dev->command = 0;
	ivshmem_update_traps(dev);
	if (dev->cell == &root_cell)
		pci_untrap_function(dev->cell, dev->bdf);
	memset(dev, 0, sizeof(*dev));
}

/*
 * Every device of @cell back to RESET, each other peer told; with
 * @remove, the devices go too. One device at a time, so the interrupts
 * to send are at most one link's peers, sent with the lock dropped.
 */
static void ivshmem_cell_leave(struct cell *cell, int remove)
{
	struct ivshmem_irq irqs[IVSHMEM_MAX_PEERS];
	unsigned int i, n;

	for (i = 0; i < IVSHMEM_MAX_DEVICES; i++) {
		n = 0;
		spin_lock(&ivshmem_lock);
		if (devices[i].cell == cell) {
			n = ivshmem_announce_reset(&devices[i], irqs);
			if (remove)
				ivshmem_remove_dev(&devices[i]);
		}
		spin_unlock(&ivshmem_lock);
		ivshmem_send_all(irqs, n);
	}
}

void ivshmem_cell_exit(struct cell *cell)
{
	ivshmem_cell_leave(cell, 1);
	if (cell != &root_cell)
		return;
	spin_lock(&ivshmem_lock);
	ivshmem_links_exit();
	spin_unlock(&ivshmem_lock);
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
	ivshmem_cell_leave(cell, 0);
}
