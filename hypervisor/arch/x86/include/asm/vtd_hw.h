/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VT-d unit's registers (VT-d spec 10.4) and what vtd.c (DMA remapping)
 * and vtd_ir.c (interrupt remapping, the root cell's emulated queue)
 * share of a unit. Internal to those two files.
 */
#ifndef BH_ASM_VTD_HW_H
#define BH_ASM_VTD_HW_H

#include <asm/processor.h>
#include <hv.h>

struct per_cpu;

/* Register offsets (VT-d spec 10.4) */
enum vtd_reg {
	VTD_VER = 0x00,
	VTD_CAP = 0x08,
	VTD_ECAP = 0x10,
	VTD_GCMD = 0x18,
	VTD_GSTS = 0x1c,
	VTD_RTADDR = 0x20,
	VTD_CCMD = 0x28,
	VTD_FSTS = 0x34,
	VTD_FECTL = 0x38,
	VTD_IQH = 0x80,
	VTD_IQT = 0x88,
	VTD_IQA = 0x90,
	VTD_ICS = 0x9c,
	VTD_IRTA = 0xb8,
};

#define VTD_GCMD_TE	(1u << 31)	/* GSTS: TES */
#define VTD_GCMD_SRTP	(1u << 30)	/* GSTS: RTPS */
#define VTD_GCMD_QIE	(1u << 26)
#define VTD_GCMD_IRE	(1u << 25)
#define VTD_GCMD_SIRTP	(1u << 24)	/* GSTS: IRTPS */
#define VTD_GCMD_CFI	(1u << 23)
/* The GSTS bits that stay set (one-shot commands are not written back). */
#define VTD_GSTS_KEEP	(VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_CFI)

#define VTD_CCMD_ICC		(1ull << 63)
#define VTD_CCMD_GLOBAL		(1ull << 61)
#define VTD_IOTLB_IVT		(1ull << 63)
#define VTD_IOTLB_GLOBAL	(1ull << 60)
#define VTD_IOTLB_DRAIN		(3ull << 48)	/* drain reads and writes */

#define VTD_FSTS_PFO		(1u << 0)	/* fault overflow, write 1 to clear */
#define VTD_FECTL_IM		(1u << 31)
#define VTD_FRCD_F		(1u << 31)	/* in the record's last dword */

#define VTD_CAP_SAGAW(c)	(((c) >> 8) & 0x1f)
#define VTD_SAGAW_39		(1u << 1)	/* 3-level tables */
#define VTD_SAGAW_48		(1u << 2)	/* 4-level tables */
#define VTD_CAP_SLLPS_2M	(1ull << 34)
#define VTD_CAP_FRO(c)		((((c) >> 24) & 0x3ff) * 16)
#define VTD_CAP_NFR(c)		((((c) >> 40) & 0xff) + 1)
#define VTD_ECAP_IRO(e)		((((e) >> 8) & 0x3ff) * 16)
#define VTD_ECAP_QI		(1ull << 1)
#define VTD_ECAP_IR		(1ull << 3)

#define VTD_ENTRY_P		1ull
#define VTD_CTX_AW_39		1ull
#define VTD_CTX_AW_48		2ull
#define VTD_ROOT_DOMAIN		1ull

/* Polls of the command and status registers before giving up. */
#define VTD_SPINS		10000000u
#define VTD_POLL_TSC		(1ull << 20)

/* What interrupt remapping keeps of a unit Linux had it on (vtd_ir.c). */
struct vtd_ir {
	int on;				/* Linux had IR and QI on: we emulate them */
	spinlock_t lock;		/* our queue, Linux's emulated one */
	uint64_t linux_irta, linux_iqa;	/* as Linux wrote them */
	uint32_t linux_tail;		/* Linux's IQT = IQH: we process at once */
	uint64_t *queue;		/* ours: one page, 256 descriptors */
	volatile uint32_t *status;	/* our wait descriptors' status word */
	unsigned int tail;		/* our next descriptor */
	uint64_t *irt;			/* ours: Linux's entries, checked */
	unsigned int entries;
	unsigned int irt_pages;
};

struct vtd_unit {
	uint64_t base;
	uint64_t cap, ecap;
	uint32_t fectl_saved;
	unsigned int aw;		/* VTD_CTX_AW_* */
	struct vtd_ir ir;
};

static inline uint32_t rd32(const struct vtd_unit *u, unsigned int reg)
{
	return *(volatile uint32_t *)(u->base + reg);
}

static inline uint64_t rd64(const struct vtd_unit *u, unsigned int reg)
{
	return *(volatile uint64_t *)(u->base + reg);
}

static inline void wr32(const struct vtd_unit *u, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(u->base + reg) = v;
}

static inline void wr64(const struct vtd_unit *u, unsigned int reg, uint64_t v)
{
	*(volatile uint64_t *)(u->base + reg) = v;
}

/* Until (@read(@reg) & @mask) == @want: 0, or -ETIMEDOUT. */
static inline int wait_reg(const struct vtd_unit *u, uint64_t (*read)(const struct vtd_unit *, unsigned int),
		    unsigned int reg, uint64_t mask, uint64_t want)
{
	unsigned int i;

	for (i = 0; i < VTD_SPINS; i++) {
		if ((read(u, reg) & mask) == want)
			return 0;
		cpu_relax();
	}
	return -ETIMEDOUT;
}

static inline uint64_t rd32_wide(const struct vtd_unit *u, unsigned int reg)
{
	return rd32(u, reg);
}

/*
 * A GCMD command bit on (@on 1) or off, the persistent ones kept; the
 * same GSTS bit says it is done. One-shot commands (SRTP) are never
 * among the kept ones, so they are set each time they are asked for.
 */
static inline int gcmd(const struct vtd_unit *u, uint32_t bit, int on)
{
	uint32_t keep = rd32(u, VTD_GSTS) & VTD_GSTS_KEEP;

	wr32(u, VTD_GCMD, on ? keep | bit : keep & ~bit);
	return wait_reg(u, rd32_wide, VTD_GSTS, bit, on ? bit : 0);
}


/* vtd_ir.c: interrupt remapping Linux had on, emulated for it */
int vtd_ir_probe(struct vtd_unit *u, unsigned int index);
int vtd_ir_take(struct vtd_unit *u, unsigned int index);
void vtd_ir_give_back(struct vtd_unit *u, unsigned int index);
void vtd_ir_recopy(struct vtd_unit *u, unsigned int index);
int vtd_qi_invalidate_all(struct vtd_unit *u);
void vtd_ir_root_access(struct per_cpu *cpu, struct vtd_unit *u, unsigned int index,
			unsigned int reg, int is_write, unsigned int size, uint64_t *value);
int vtd_ir_entry(const struct vtd_unit *u, unsigned int handle, uint64_t *lo, int *x2apic);
/*
 * The hypervisor's entry for MSI @slot of a passed-through function: to
 * physical APIC ID @apic_id, @vector, fixed or @lowest-priority, only
 * from requester @sid. Returns its index (the handle the function's
 * remappable MSI names), or -ENODEV where Linux runs no remapping here.
 */
int vtd_ir_hv_entry(struct vtd_unit *u, unsigned int index, unsigned int slot,
		    uint32_t apic_id, uint32_t vector, int lowest, uint16_t sid);
void vtd_ir_hv_entry_clear(struct vtd_unit *u, unsigned int index, unsigned int slot);

#endif
