/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: system and cell configurations.
 *
 * A config is a C file (configs/x86/) that defines one packed struct,
 * compiled and objcopy'd to a `.cell` blob. The blob is passed unchanged
 * from the tool through the driver to the hypervisor; each of them checks
 * the signature and the revision, and the hypervisor checks everything
 * else again (configs come from users and are never trusted).
 *
 * Layout of a cell description in memory: struct bh_cell_desc, then
 *   cpu_set[cpu_set_size]            bytes, bit N = CPU N
 *   struct bh_memory_region[num_memory_regions]
 *   struct bh_pio_region[num_pio_regions]
 *   struct bh_pci_device[num_pci_devices]
 * A system config is struct bh_system_config, whose last member is the
 * root cell's description, followed by the root cell's arrays, then
 *   struct bh_ivshmem_link[num_ivshmem_links]
 */
#ifndef BULKHEAD_CONFIG_H
#define BULKHEAD_CONFIG_H

#include <bulkhead/types.h>

#define BH_SYSTEM_SIGNATURE	"BHSYSTEM"	/* 8 bytes, no NUL */
#define BH_CELL_SIGNATURE	"BHCELL\0\0"
#define BH_SIGNATURE_LEN	8

/*
 * Raised whenever a layout in this file changes.
 * 2: ivshmem links (num_ivshmem_links, struct bh_ivshmem_link,
 *    BH_PCI_TYPE_IVSHMEM_LINK); the platform's IOMMU units (iommu_type,
 *    iommu_base[]).
 */
#define BH_CONFIG_REVISION	2

#define BH_CELL_NAME_LEN	32
#define BH_MAX_CPUS		64

/* Memory region flags. */
#define BH_MEM_READ		0x0001
#define BH_MEM_WRITE		0x0002
#define BH_MEM_EXECUTE		0x0004
#define BH_MEM_DMA		0x0008
#define BH_MEM_IO		0x0010	/* device memory: mapped uncached */
#define BH_MEM_LOADABLE		0x0020	/* root may load images into it */
#define BH_MEM_ROOTSHARED	0x0040	/* stays mapped in the root cell */
#define BH_MEM_COMM_REGION	0x0080	/* cell <-> hypervisor page */
#define BH_MEM_VALID_FLAGS	0x00ff

/*
 * @phys_start: host-physical start; @virt_start: where the cell sees it
 * (guest-physical). Both and @size are multiples of 4 KiB.
 */
struct bh_memory_region {
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t size;
	uint64_t flags;
} BH_PACKED;

/* I/O ports [base, base + length) the cell may access. */
struct bh_pio_region {
	uint16_t base;
	uint16_t length;
	uint32_t reserved;
} BH_PACKED;

#define BH_PCI_TYPE_DEVICE	1
/* A pair of root (peer 0) and one inmate (peer 1): one read-write area. */
#define BH_PCI_TYPE_IVSHMEM	2
/* A peer of the system config's ivshmem link at the same domain and BDF. */
#define BH_PCI_TYPE_IVSHMEM_LINK 3

/*
 * Written by the config's author, read by the checker, the driver (which
 * hot-adds the root cell's virtual functions) and the hypervisor.
 * For both ivshmem types @shmem_region is the cell's memory region that
 * holds the shared memory (for a link: its whole memory, same start and
 * size as the link's), @shmem_peer_id the cell's ID on it (IVPosition;
 * a pair: 0 root, 1 inmate; a link: below the link's num_peers).
 */
struct bh_pci_device {
	uint8_t type;			/* BH_PCI_TYPE_* */
	uint8_t reserved0;
	uint16_t domain;
	uint16_t bdf;			/* bus << 8 | device << 3 | function */
	uint16_t num_msix_vectors;
	uint32_t shmem_region;		/* ivshmem: index into memory regions */
	uint32_t shmem_peer_id;		/* ivshmem: this cell's peer ID */
	uint32_t reserved1;
} BH_PACKED;

/* Links a system config may describe. */
#define BH_MAX_IVSHMEM_LINKS	16

/*
 * An ivshmem link (include/bulkhead/ivshmem.h has its memory layout),
 * described once, in the system config, so that no two peers can see a
 * different layout: each peer's cell config names it by listing a
 * BH_PCI_TYPE_IVSHMEM_LINK device at @domain:@bdf with its own peer ID.
 * Written by the config's author; read by the checker and the hypervisor,
 * which lays the memory out from it and writes the state table.
 * The memory [@phys_start, + IVSHMEM_LINK_SIZE(@common_size, @output_size,
 * @num_peers)) is, when the root cell is a peer, a root cell region of its
 * own (and ROOTSHARED in the inmates); otherwise memory of the
 * reservation that only the peers' configs name. It lies below 4 GiB.
 */
struct bh_ivshmem_link {
	uint16_t domain;
	uint16_t bdf;			/* the peers' virtual PCI function */
	uint16_t num_peers;		/* 2..IVSHMEM_MAX_PEERS */
	uint16_t reserved0;		/* 0 */
	uint32_t flags;			/* none defined yet: 0 */
	uint32_t reserved1;		/* 0 */
	uint64_t phys_start;		/* host-physical, page-aligned */
	uint64_t common_size;		/* read-write for all, pages, may be 0 */
	uint64_t output_size;		/* each peer's output section, pages */
} BH_PACKED;

#define BH_CONSOLE_NONE		0
#define BH_CONSOLE_UART_8250	1	/* port I/O 16550 */

struct bh_console {
	uint16_t type;
	uint16_t port;			/* I/O port base */
	uint32_t baud;			/* 0: leave as the firmware set it */
} BH_PACKED;

#define BH_CELL_PASSIVE_COMMREG	0x0001	/* reserved for later use */

struct bh_cell_desc {
	char signature[BH_SIGNATURE_LEN];
	uint16_t revision;
	uint16_t flags;
	uint32_t id;			/* 0 for the root cell */
	char name[BH_CELL_NAME_LEN];	/* NUL-terminated */

	uint32_t cpu_set_size;		/* bytes, multiple of 8 */
	uint32_t num_memory_regions;
	uint32_t num_pio_regions;
	uint32_t num_pci_devices;
	uint64_t entry_address;		/* inmate: guest-physical start */
	struct bh_console console;	/* inmate's serial port, if any */
} BH_PACKED;

#define BH_MAX_IOMMU_UNITS	4

/* Facts about the machine the hypervisor needs. */
struct bh_platform {
	uint64_t pci_mmconfig_base;	/* ECAM; 0: none */
	uint8_t pci_mmconfig_end_bus;
	uint8_t reserved[3];
	uint32_t apic_mode;		/* BH_APIC_XAPIC */
	uint64_t apic_base;		/* 0xfee00000 */
	uint32_t pm_timer_port;		/* ACPI PM timer, for inmates */
	uint32_t iommu_type;		/* BH_IOMMU_*, for all units */
	/*
	 * The register pages of the DMA remapping units (ACPI DMAR's DRHD
	 * entries for VT-d), from index 0; 0 ends the list. With units the
	 * hypervisor owns them: enable fails if one is absent or in use.
	 */
	uint64_t iommu_base[BH_MAX_IOMMU_UNITS];
} BH_PACKED;

#define BH_APIC_XAPIC		1

#define BH_IOMMU_NONE		0
#define BH_IOMMU_VTD		1	/* Intel VT-d */

struct bh_system_config {
	char signature[BH_SIGNATURE_LEN];
	uint16_t revision;
	uint16_t flags;
	uint32_t num_ivshmem_links;	/* after the root cell's arrays */
	/* The memmap= reservation: the hypervisor and all cell memory. */
	struct bh_memory_region hypervisor_memory;
	struct bh_console debug_console;
	struct bh_platform platform;
	struct bh_cell_desc root_cell;
} BH_PACKED;

/* Sizes and offsets the tools, driver and hypervisor all rely on. */
_Static_assert(sizeof(struct bh_memory_region) == 32, "bh_memory_region size");
_Static_assert(sizeof(struct bh_pio_region) == 8, "bh_pio_region size");
_Static_assert(sizeof(struct bh_pci_device) == 20, "bh_pci_device size");
_Static_assert(sizeof(struct bh_ivshmem_link) == 40, "bh_ivshmem_link size");
_Static_assert(__builtin_offsetof(struct bh_ivshmem_link, phys_start) == 16,
	       "bh_ivshmem_link layout");
_Static_assert(sizeof(struct bh_console) == 8, "bh_console size");
_Static_assert(sizeof(struct bh_cell_desc) == 80, "bh_cell_desc size");
_Static_assert(sizeof(struct bh_platform) == 64, "bh_platform size");
_Static_assert(sizeof(struct bh_system_config) == 200, "bh_system_config size");
_Static_assert(__builtin_offsetof(struct bh_system_config, root_cell) == 120,
	       "root cell offset");

/* Where a cell's arrays start, given its descriptor. */
static inline const uint8_t *bh_cell_cpu_set(const struct bh_cell_desc *c)
{
	return (const uint8_t *)(c + 1);
}

static inline const struct bh_memory_region *
bh_cell_mem_regions(const struct bh_cell_desc *c)
{
	return (const struct bh_memory_region *)(bh_cell_cpu_set(c) + c->cpu_set_size);
}

static inline const struct bh_pio_region *
bh_cell_pio_regions(const struct bh_cell_desc *c)
{
	return (const struct bh_pio_region *)(bh_cell_mem_regions(c) +
					      c->num_memory_regions);
}

static inline const struct bh_pci_device *
bh_cell_pci_devices(const struct bh_cell_desc *c)
{
	return (const struct bh_pci_device *)(bh_cell_pio_regions(c) +
					      c->num_pio_regions);
}

/* Bytes of a cell description with its arrays (64-bit: no overflow). */
static inline uint64_t bh_cell_desc_size(const struct bh_cell_desc *c)
{
	return sizeof(*c) + (uint64_t)c->cpu_set_size +
	       (uint64_t)c->num_memory_regions * sizeof(struct bh_memory_region) +
	       (uint64_t)c->num_pio_regions * sizeof(struct bh_pio_region) +
	       (uint64_t)c->num_pci_devices * sizeof(struct bh_pci_device);
}

/* A system config's links, after the root cell's arrays. */
static inline const struct bh_ivshmem_link *
bh_system_links(const struct bh_system_config *sys)
{
	return (const struct bh_ivshmem_link *)((const uint8_t *)&sys->root_cell +
						bh_cell_desc_size(&sys->root_cell));
}

/* Bytes of a system config with all its arrays (64-bit: no overflow). */
static inline uint64_t bh_system_config_size(const struct bh_system_config *sys)
{
	return __builtin_offsetof(struct bh_system_config, root_cell) +
	       bh_cell_desc_size(&sys->root_cell) +
	       (uint64_t)sys->num_ivshmem_links * sizeof(struct bh_ivshmem_link);
}

#endif /* BULKHEAD_CONFIG_H */
