// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validation of system and cell config blobs; see config_check.h.
 *
 * A blob comes from a user's file, so nothing in it is believed before
 * it is checked: the signature and the revision say which layout to
 * expect, the counts must add up to exactly the blob's size before any
 * array is read, and only then are the arrays looked at. Every problem is
 * reported, so a user fixes a config in one round rather than one error
 * per try.
 *
 * The root cell (inside a system config) and inmate cells share one
 * layout, so the rules on a cell's own fields are written once and report
 * through a prefix naming the cell ("root cell ", `cell "apic-demo": `).
 *
 * Freestanding: this file is built into the hypervisor, so it uses no
 * libc and formats nothing itself; the sink does.
 */
/*
 * Relative to this file, not through -I: the unit test and the bulkhead
 * tool build it with host flags, which do not name common/include.
 */
#include "include/common/config_check.h"

#include <bulkhead/image.h>
#include <bulkhead/ivshmem.h>

#define CONFIG_CHECK_MAX_COUNT	4096u		/* per array, far above any real machine */
#define CONFIG_CHECK_PAGE	0x1000ull
#define CONFIG_CHECK_2M		0x200000ull
#define CONFIG_CHECK_HV_MIN	0x400000ull	/* image, config, page tables, pool */
#define CONFIG_CHECK_PORTS	0x10000u	/* x86 I/O port space */
#define CONFIG_CHECK_UART_PORTS	8u		/* registers of an 8250 */
/* `cell "` + name + `": ` */
#define CONFIG_CHECK_WHO_LEN	(BH_CELL_NAME_LEN + 16)
/* "0,2,...,62": at most two digits and a separator per CPU */
#define CONFIG_CHECK_CPU_LIST	(BH_MAX_CPUS * 3 + 1)
/* "ffff:ff:1f.7": a PCI address with its domain, and the NUL */
#define CONFIG_CHECK_PCI_TEXT	13
/* Root ivshmem devices a report names before ", ..." */
#define CONFIG_CHECK_PCI_LIST_MAX	8u
/* "00:0e.0, 00:0f.0, ...": each address with its separator, then ", ..." */
#define CONFIG_CHECK_PCI_LIST	(CONFIG_CHECK_PCI_LIST_MAX * (CONFIG_CHECK_PCI_TEXT + 1) + 6)

struct config_check {
	const struct bh_system_config *sys;	/* NULL: a cell checked alone */
	const struct bh_cell_desc *cell;	/* the cell whose fields are checked */
	const char *whose;			/* "root cell" or "cell" */
	uint64_t size;
	const struct config_sink *sink;
	char who[CONFIG_CHECK_WHO_LEN];		/* prefix of the cell's reports */
	int err;
};

/*
 * A macro, not a function: the sink's report() takes "...", which a
 * function of ours could not pass on, and calling it directly keeps the
 * compiler's printf format checking on every message.
 */
#define config_check_report(ck, ...)						\
	do {									\
		const struct config_sink *sink_ = (ck)->sink;			\
		if (sink_ && sink_->report)					\
			sink_->report(sink_->ctx, __VA_ARGS__);			\
		(ck)->err = -EINVAL;						\
	} while (0)

/* A problem of the cell under check: the line starts with its name. */
#define config_check_cell_report(ck, fmt, ...)					\
	config_check_report(ck, "%s" fmt, (ck)->who, ##__VA_ARGS__)

/* A problem of the cell's pci device @i: "pci device 1 (00:0e.0)" follows the name. */
#define config_check_pci_report(ck, i, dev, fmt, ...)				\
	do {									\
		char pci_[CONFIG_CHECK_PCI_TEXT];				\
		config_check_pci_text(dev, pci_);				\
		config_check_cell_report(ck, "pci device %u (%s)" fmt,		\
					 (unsigned int)(i), pci_, ##__VA_ARGS__); \
	} while (0)

/* ---- helpers ------------------------------------------------------------ */

static void config_check_init(struct config_check *ck,
			      const struct bh_system_config *sys,
			      const struct bh_cell_desc *cell, uint64_t size,
			      const struct config_sink *sink)
{
	ck->sys = sys;
	ck->cell = cell;
	ck->whose = "cell";
	ck->size = cell ? size : 0;
	ck->sink = sink;
	ck->who[0] = '\0';
	ck->err = 0;
}

static int config_check_bytes_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static char config_check_printable(char c)
{
	return c >= 0x20 && c < 0x7f ? c : '?';
}

/* A signature as printable text: it may be anything, even binary. */
static void config_check_sig_text(const char *sig, char out[BH_SIGNATURE_LEN + 1])
{
	size_t i;

	for (i = 0; i < BH_SIGNATURE_LEN && sig[i]; i++)
		out[i] = config_check_printable(sig[i]);
	out[i] = '\0';
}

/*
 * A cell name as printable text, so that a report stays one line whatever
 * the name holds; at most BH_CELL_NAME_LEN - 1 characters.
 */
static void config_check_name_text(const char *name, char out[BH_CELL_NAME_LEN])
{
	size_t i;

	for (i = 0; i < BH_CELL_NAME_LEN - 1 && name[i]; i++)
		out[i] = config_check_printable(name[i]);
	out[i] = '\0';
}

/* Appends @s to the NUL-terminated @buf of @len bytes; truncates. */
static void config_check_append(char *buf, size_t len, const char *s)
{
	size_t pos = 0;

	while (pos < len - 1 && buf[pos])
		pos++;
	while (pos < len - 1 && *s)
		buf[pos++] = *s++;
	buf[pos] = '\0';
}

/* Sets *@last to the last byte of [@start, @start + @size); 0 if empty or wrapping. */
static int config_check_range(uint64_t start, uint64_t size, uint64_t *last)
{
	if (size == 0 || start + (size - 1) < start)
		return 0;
	*last = start + (size - 1);
	return 1;
}

static int config_check_overlap(uint64_t a, uint64_t a_last, uint64_t b,
				uint64_t b_last)
{
	return a <= b_last && b <= a_last;
}

/* Whether [@a, +@a_size) and [@b, +@b_size) are sound and overlap; sets both last bytes. */
static int config_check_ranges_meet(uint64_t a, uint64_t a_size, uint64_t *a_last,
				    uint64_t b, uint64_t b_size, uint64_t *b_last)
{
	return config_check_range(a, a_size, a_last) &&
	       config_check_range(b, b_size, b_last) &&
	       config_check_overlap(a, *a_last, b, *b_last);
}

/* What a memory region is to its cell, for reports. */
static const char *config_check_mem_kind(const struct bh_memory_region *r)
{
	if (r->flags & BH_MEM_IO)
		return "device memory";
	return r->flags & BH_MEM_ROOTSHARED ? "shared memory" : "RAM";
}

static int config_check_cpu_bit(const struct bh_cell_desc *c, unsigned int cpu)
{
	return cpu / 8 < c->cpu_set_size &&
	       (bh_cell_cpu_set(c)[cpu / 8] >> (cpu % 8)) & 1;
}

/* Writes @v (< 100: a CPU number) at @buf[*pos]. */
static void config_check_put_cpu(char *buf, size_t *pos, unsigned int v)
{
	if (v >= 10)
		buf[(*pos)++] = (char)('0' + v / 10);
	buf[(*pos)++] = (char)('0' + v % 10);
}

/* Writes the low @digits hex digits of @v at @buf[*pos]. */
static void config_check_put_hex(char *buf, size_t *pos, unsigned int v,
				 unsigned int digits)
{
	while (digits--)
		buf[(*pos)++] = "0123456789abcdef"[(v >> (4 * digits)) & 0xf];
}

/* A PCI device's address as lspci writes it: "00:0e.0", "0001:00:0e.0" outside domain 0. */
static void config_check_pci_text(const struct bh_pci_device *dev,
				  char out[CONFIG_CHECK_PCI_TEXT])
{
	unsigned int bdf = dev->bdf;
	size_t pos = 0;

	if (dev->domain) {
		config_check_put_hex(out, &pos, dev->domain, 4);
		out[pos++] = ':';
	}
	config_check_put_hex(out, &pos, bdf >> 8, 2);
	out[pos++] = ':';
	config_check_put_hex(out, &pos, (bdf >> 3) & 0x1f, 2);
	out[pos++] = '.';
	config_check_put_hex(out, &pos, bdf & 7, 1);
	out[pos] = '\0';
}

static int config_check_same_address(const struct bh_pci_device *a,
				     const struct bh_pci_device *b)
{
	return a->domain == b->domain && a->bdf == b->bdf;
}

/* Either kind of ivshmem device: a pair's or a link's. */
static int config_check_is_ivshmem(const struct bh_pci_device *dev)
{
	return dev->type == BH_PCI_TYPE_IVSHMEM || dev->type == BH_PCI_TYPE_IVSHMEM_LINK;
}

/* @dev's shared memory among @c's regions; NULL if the index is not one (reported). */
static const struct bh_memory_region *
config_check_shmem(const struct bh_cell_desc *c, const struct bh_pci_device *dev)
{
	if (dev->shmem_region >= c->num_memory_regions)
		return NULL;
	return &bh_cell_mem_regions(c)[dev->shmem_region];
}

/* @c's CPUs as Linux writes a CPU list: "0-3,6". */
static void config_check_cpu_list(const struct bh_cell_desc *c,
				  char buf[CONFIG_CHECK_CPU_LIST])
{
	unsigned int cpu, end;
	size_t pos = 0;

	for (cpu = 0; cpu < BH_MAX_CPUS; cpu = end + 1) {
		end = cpu;
		if (!config_check_cpu_bit(c, cpu))
			continue;
		while (end + 1 < BH_MAX_CPUS && config_check_cpu_bit(c, end + 1))
			end++;
		if (pos)
			buf[pos++] = ',';
		config_check_put_cpu(buf, &pos, cpu);
		if (end != cpu) {
			buf[pos++] = '-';
			config_check_put_cpu(buf, &pos, end);
		}
	}
	buf[pos] = '\0';
}

/* ---- rules on any cell, the root cell included ----------------------------- */

/* Whether the name is NUL-terminated and not empty. */
static int config_check_name(struct config_check *ck)
{
	const char *name = ck->cell->name;
	size_t len;

	for (len = 0; len < BH_CELL_NAME_LEN && name[len]; len++)
		;
	if (len == BH_CELL_NAME_LEN)
		config_check_cell_report(ck, "name is not NUL-terminated within %u bytes",
					 BH_CELL_NAME_LEN);
	else if (len == 0)
		config_check_cell_report(ck, "name is empty");
	return len > 0 && len < BH_CELL_NAME_LEN;
}

static int config_check_count(struct config_check *ck, const char *what,
			      uint32_t count)
{
	if (count <= CONFIG_CHECK_MAX_COUNT)
		return 1;
	config_check_cell_report(ck, "%s %u is over the limit of %u",
				 what, count, CONFIG_CHECK_MAX_COUNT);
	return 0;
}

/*
 * Huge counts are refused before the size is summed: they could not be
 * real, and refusing them keeps the sum meaningful.
 */
static int config_check_counts(struct config_check *ck)
{
	const struct bh_cell_desc *c = ck->cell;
	int ok = 1;

	ok &= config_check_count(ck, "cpu_set_size", c->cpu_set_size);
	ok &= config_check_count(ck, "num_memory_regions", c->num_memory_regions);
	ok &= config_check_count(ck, "num_pio_regions", c->num_pio_regions);
	ok &= config_check_count(ck, "num_pci_devices", c->num_pci_devices);
	return ok;
}

/*
 * Whether the set's bytes can be looked at: its size is sound and, with
 * @layout_ok, within the blob. Those bytes are read only then.
 */
static int config_check_cpu_set(struct config_check *ck, int layout_ok)
{
	const struct bh_cell_desc *c = ck->cell;
	uint32_t i;

	if (c->cpu_set_size % 8)
		config_check_cell_report(ck, "cpu_set_size %u is not a multiple of 8",
					 (unsigned int)c->cpu_set_size);
	if (c->cpu_set_size == 0 || c->cpu_set_size > BH_MAX_CPUS / 8) {
		config_check_cell_report(ck, "cpu_set_size %u is outside 1..%u",
					 (unsigned int)c->cpu_set_size, BH_MAX_CPUS / 8);
		return 0;
	}
	if (!layout_ok)
		return 0;
	for (i = 0; i < c->cpu_set_size; i++)
		if (bh_cell_cpu_set(c)[i])
			return 1;
	config_check_cell_report(ck, "cpu set is empty: it needs at least one CPU");
	return 0;
}

static void config_check_page_aligned(struct config_check *ck, uint32_t i,
				      const char *what, uint64_t value)
{
	if (value % CONFIG_CHECK_PAGE)
		config_check_cell_report(ck, "memory region %u: %s 0x%llx is not a multiple of 4 KiB",
					 i, what, (unsigned long long)value);
}

/* Whether [@start, +@size) is sound; says which one wraps if not. */
static int config_check_mem_wrap(struct config_check *ck, uint32_t i,
				 const char *what, uint64_t start, uint64_t size)
{
	uint64_t last;

	if (config_check_range(start, size, &last))
		return 1;
	config_check_cell_report(ck, "memory region %u: %s 0x%llx + size 0x%llx wraps past 2^64",
				 i, what, (unsigned long long)start,
				 (unsigned long long)size);
	return 0;
}

/*
 * Nested paging has 4 levels (48 guest-physical bits) and page table
 * entries hold 52 physical bits: beyond them an address would wrap
 * around inside the tables onto another one.
 */
#define CONFIG_CHECK_GPA_BITS	48
#define CONFIG_CHECK_PA_BITS	52

/* Whether [@start, +@size) (sound) lies below 2^@bits; says so if not. */
static int config_check_mem_bits(struct config_check *ck, uint32_t i, const char *what,
				 uint64_t start, uint64_t size, unsigned int bits)
{
	if (start + (size - 1) < (1ull << bits))
		return 1;
	config_check_cell_report(ck, "memory region %u: %s 0x%llx + size 0x%llx is beyond %u address bits",
				 i, what, (unsigned long long)start,
				 (unsigned long long)size, bits);
	return 0;
}

/* One memory region on its own; whether its ranges are sound. */
static int config_check_mem_region(struct config_check *ck, uint32_t i,
				   const struct bh_memory_region *r)
{
	uint64_t last;

	if (r->size == 0) {
		config_check_cell_report(ck, "memory region %u at 0x%llx has size 0",
					 i, (unsigned long long)r->phys_start);
		return 0;
	}
	config_check_page_aligned(ck, i, "phys_start", r->phys_start);
	config_check_page_aligned(ck, i, "virt_start", r->virt_start);
	config_check_page_aligned(ck, i, "size", r->size);
	if (!config_check_mem_wrap(ck, i, "start", r->phys_start, r->size) ||
	    !config_check_mem_wrap(ck, i, "virt_start", r->virt_start, r->size))
		return 0;
	if (!config_check_mem_bits(ck, i, "start", r->phys_start, r->size,
				   CONFIG_CHECK_PA_BITS) ||
	    !config_check_mem_bits(ck, i, "virt_start", r->virt_start, r->size,
				   CONFIG_CHECK_GPA_BITS))
		return 0;
	last = r->phys_start + (r->size - 1);
	if (r->flags & ~(uint64_t)BH_MEM_VALID_FLAGS)
		config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] has unknown flags 0x%llx",
					 i, (unsigned long long)r->phys_start,
					 (unsigned long long)last,
					 (unsigned long long)(r->flags & ~(uint64_t)BH_MEM_VALID_FLAGS));
	if (!(r->flags & BH_MEM_READ))
		config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] lacks the READ flag",
					 i, (unsigned long long)r->phys_start,
					 (unsigned long long)last);
	return 1;
}

/*
 * Region @i against the regions before it: by physical address, or with
 * @guest by guest-physical address (as the cell sees them).
 */
static void config_check_earlier_overlaps(struct config_check *ck, uint32_t i,
					  const struct bh_memory_region *mem,
					  int guest)
{
	const char *where = guest ? " at guest-physical" : "";
	uint64_t start, last, o_start, o_last;
	uint32_t j;

	start = guest ? mem[i].virt_start : mem[i].phys_start;
	if (!config_check_range(start, mem[i].size, &last))
		return;
	for (j = 0; j < i; j++) {
		o_start = guest ? mem[j].virt_start : mem[j].phys_start;
		if (!config_check_range(o_start, mem[j].size, &o_last) ||
		    !config_check_overlap(start, last, o_start, o_last))
			continue;
		config_check_cell_report(ck, "memory region %u%s [0x%llx-0x%llx] overlaps memory region %u%s [0x%llx-0x%llx]",
					 i, where, (unsigned long long)start,
					 (unsigned long long)last, j, where,
					 (unsigned long long)o_start,
					 (unsigned long long)o_last);
	}
}

/* Region @i against the hypervisor memory and the cell's regions before it. */
static void config_check_mem_overlaps(struct config_check *ck, uint32_t i,
				      const struct bh_memory_region *mem)
{
	const struct bh_memory_region *hv;
	uint64_t last, hv_last;

	if (!config_check_range(mem[i].phys_start, mem[i].size, &last))
		return;
	/* Otherwise the cell could rewrite the hypervisor under it. */
	hv = ck->sys ? &ck->sys->hypervisor_memory : NULL;
	if (hv && config_check_range(hv->phys_start, hv->size, &hv_last) &&
	    config_check_overlap(mem[i].phys_start, last, hv->phys_start, hv_last))
		config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] overlaps the hypervisor memory [0x%llx-0x%llx]",
					 i, (unsigned long long)mem[i].phys_start,
					 (unsigned long long)last,
					 (unsigned long long)hv->phys_start,
					 (unsigned long long)hv_last);
	config_check_earlier_overlaps(ck, i, mem, 0);
}

/* Whether the region has ports; sets *@last (may lie past 0xffff). */
static int config_check_pio_region(struct config_check *ck, uint32_t i,
				   const struct bh_pio_region *pio, uint32_t *last)
{
	uint32_t base = pio->base, end = base + pio->length;

	if (pio->length == 0) {
		config_check_cell_report(ck, "pio region %u at port 0x%x has length 0",
					 i, base);
		return 0;
	}
	if (end > CONFIG_CHECK_PORTS)
		config_check_cell_report(ck, "pio region %u [0x%x-0x%x] ends past port 0xffff",
					 i, base, end - 1);
	*last = end - 1;
	return 1;
}

/* Type, shmem_region index and vectors; whether @dev is an ivshmem. */
static int config_check_pci_device(struct config_check *ck, uint32_t i,
				   const struct bh_pci_device *dev)
{
	if (dev->type != BH_PCI_TYPE_DEVICE && !config_check_is_ivshmem(dev)) {
		config_check_pci_report(ck, i, dev, " has unknown type %u",
					(unsigned int)dev->type);
		return 0;
	}
	if (!config_check_is_ivshmem(dev))
		return 0;
	/* The emulated device's MSI-X table has this many entries. */
	if (dev->num_msix_vectors == 0 || dev->num_msix_vectors > IVSHMEM_MAX_VECTORS)
		config_check_pci_report(ck, i, dev, ": ivshmem num_msix_vectors %u is outside 1..%u",
					(unsigned int)dev->num_msix_vectors,
					IVSHMEM_MAX_VECTORS);
	if (dev->shmem_region >= ck->cell->num_memory_regions)
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_region %u is not one of the %s's %u memory regions",
					(unsigned int)dev->shmem_region, ck->whose,
					(unsigned int)ck->cell->num_memory_regions);
	return 1;
}

/*
 * Device @i against the cell's devices before it: one device per address,
 * and each ivshmem with shared memory of its own.
 */
static void config_check_pci_twice(struct config_check *ck, uint32_t i,
				   const struct bh_pci_device *dev)
{
	char other[CONFIG_CHECK_PCI_TEXT];
	uint32_t j;

	for (j = 0; j < i; j++) {
		if (config_check_same_address(&dev[i], &dev[j]))
			config_check_pci_report(ck, i, &dev[i], " has the same domain and BDF as pci device %u",
						j);
		if (!config_check_is_ivshmem(&dev[i]) || !config_check_is_ivshmem(&dev[j]) ||
		    dev[i].shmem_region != dev[j].shmem_region ||
		    !config_check_shmem(ck->cell, &dev[i]))
			continue;
		config_check_pci_text(&dev[j], other);
		config_check_pci_report(ck, i, &dev[i], ": ivshmem shmem_region %u is already pci device %u (%s)'s: each ivshmem device needs shared memory of its own",
					(unsigned int)dev[i].shmem_region, j, other);
	}
}

/* Which end of the pair @dev is: IVSHMEM_ROOT_PEER_ID or IVSHMEM_INMATE_PEER_ID. */
static void config_check_peer_id(struct config_check *ck, uint32_t i,
				 const struct bh_pci_device *dev, uint32_t want,
				 const char *side)
{
	if (dev->shmem_peer_id != want)
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_peer_id %u must be %u, %s",
					(unsigned int)dev->shmem_peer_id,
					(unsigned int)want, side);
}

/*
 * A console's type and port range (@what: "debug console" or "console");
 * whether it is a UART whose registers all exist.
 */
static int config_check_uart(struct config_check *ck, const char *who,
			     const char *what, const struct bh_console *con)
{
	if (con->type == BH_CONSOLE_NONE)
		return 0;
	if (con->type != BH_CONSOLE_UART_8250) {
		config_check_report(ck, "%s%s type %u is unknown (%u: none, %u: 8250 UART)",
				    who, what, (unsigned int)con->type,
				    BH_CONSOLE_NONE, BH_CONSOLE_UART_8250);
		return 0;
	}
	if ((uint32_t)con->port + CONFIG_CHECK_UART_PORTS <= CONFIG_CHECK_PORTS)
		return 1;
	config_check_report(ck, "%s%s port 0x%x: its %u registers end past port 0xffff",
			    who, what, (unsigned int)con->port,
			    CONFIG_CHECK_UART_PORTS);
	return 0;
}

/* Whether ports [@base, @last] reach the hypervisor's UART; sets its last port. */
static int config_check_hits_debug_console(const struct bh_system_config *sys,
					   uint32_t base, uint32_t last,
					   uint32_t *con_last)
{
	const struct bh_console *con = &sys->debug_console;

	*con_last = (uint32_t)con->port + CONFIG_CHECK_UART_PORTS - 1;
	return con->type == BH_CONSOLE_UART_8250 &&
	       config_check_overlap(con->port, *con_last, base, last);
}

/* ---- ivshmem links --------------------------------------------------------- */

/*
 * Sizes past this are no real link and would make the layout's sums
 * overflow; 1 TiB is far above anything below 4 GiB anyway.
 */
#define CONFIG_CHECK_LINK_SIZE_MAX	(1ull << 40)

/* A link's address as a device's: the reports and lookups use one form. */
static void config_check_link_text(const struct bh_ivshmem_link *l,
				   char out[CONFIG_CHECK_PCI_TEXT])
{
	struct bh_pci_device dev = { .domain = l->domain, .bdf = l->bdf };

	config_check_pci_text(&dev, out);
}

/* A problem of the system config's link @i: "ivshmem link 0 (00:10.0)" starts the line. */
#define config_check_link_report(ck, i, l, fmt, ...)				\
	do {									\
		char link_[CONFIG_CHECK_PCI_TEXT];				\
		config_check_link_text(l, link_);				\
		config_check_report(ck, "ivshmem link %u (%s)" fmt,		\
				    (unsigned int)(i), link_, ##__VA_ARGS__);	\
	} while (0)

/* The system config's link at @dev's address, or NULL; sets *@index. */
static const struct bh_ivshmem_link *
config_check_link_at(const struct bh_system_config *sys,
		     const struct bh_pci_device *dev, uint32_t *index)
{
	const struct bh_ivshmem_link *l = bh_system_links(sys);
	uint32_t i;

	for (i = 0; i < sys->num_ivshmem_links; i++) {
		if (l[i].domain == dev->domain && l[i].bdf == dev->bdf) {
			if (index)
				*index = i;
			return &l[i];
		}
	}
	return NULL;
}

/* Whether the link's fields make a layout; sets its memory's last byte. */
static int config_check_link_span(const struct bh_ivshmem_link *l, uint64_t *last)
{
	uint64_t size;

	if (l->num_peers < 2 || l->num_peers > IVSHMEM_MAX_PEERS ||
	    !l->output_size || l->output_size > CONFIG_CHECK_LINK_SIZE_MAX ||
	    l->common_size > CONFIG_CHECK_LINK_SIZE_MAX)
		return 0;
	size = IVSHMEM_LINK_SIZE(l->common_size, l->output_size, l->num_peers);
	return config_check_range(l->phys_start, size, last);
}

/* The size of a link whose span is sound. */
static uint64_t config_check_link_size(const struct bh_ivshmem_link *l)
{
	return IVSHMEM_LINK_SIZE(l->common_size, l->output_size, l->num_peers);
}

/* The root cell's link device at @l's address, or NULL. */
static const struct bh_pci_device *
config_check_root_link_dev(const struct bh_system_config *sys,
			   const struct bh_ivshmem_link *l)
{
	const struct bh_cell_desc *root = &sys->root_cell;
	const struct bh_pci_device *dev = bh_cell_pci_devices(root);
	uint32_t i;

	for (i = 0; i < root->num_pci_devices; i++)
		if (dev[i].type == BH_PCI_TYPE_IVSHMEM_LINK &&
		    dev[i].domain == l->domain && dev[i].bdf == l->bdf)
			return &dev[i];
	return NULL;
}

/* The fields of link @i on their own. */
static void config_check_link_fields(struct config_check *ck, uint32_t i,
				     const struct bh_ivshmem_link *l)
{
	uint64_t last;

	if (l->num_peers < 2 || l->num_peers > IVSHMEM_MAX_PEERS)
		config_check_link_report(ck, i, l, ": num_peers %u is outside 2..%u",
					 (unsigned int)l->num_peers, IVSHMEM_MAX_PEERS);
	if (l->flags || l->reserved0 || l->reserved1)
		config_check_link_report(ck, i, l, ": flags 0x%x and the reserved fields must be 0",
					 (unsigned int)l->flags);
	if (l->phys_start % CONFIG_CHECK_PAGE)
		config_check_link_report(ck, i, l, ": phys_start 0x%llx is not a multiple of 4 KiB",
					 (unsigned long long)l->phys_start);
	if (l->common_size % CONFIG_CHECK_PAGE || l->common_size > CONFIG_CHECK_LINK_SIZE_MAX)
		config_check_link_report(ck, i, l, ": common_size 0x%llx is not a multiple of 4 KiB up to 1 TiB",
					 (unsigned long long)l->common_size);
	if (!l->output_size || l->output_size % CONFIG_CHECK_PAGE ||
	    l->output_size > CONFIG_CHECK_LINK_SIZE_MAX)
		config_check_link_report(ck, i, l, ": output_size 0x%llx is not a non-zero multiple of 4 KiB up to 1 TiB",
					 (unsigned long long)l->output_size);
	if (!config_check_link_span(l, &last))
		return;
	/* The hypervisor writes the state table through its own 4 GiB map. */
	if (last >= BH_IDENTITY_LIMIT)
		config_check_link_report(ck, i, l, ": memory [0x%llx-0x%llx] ends above 4 GiB",
					 (unsigned long long)l->phys_start,
					 (unsigned long long)last);
}

/* Link @i against the hypervisor, the links before it and the root cell. */
static void config_check_link_place(struct config_check *ck, uint32_t i,
				    const struct bh_ivshmem_link *links)
{
	const struct bh_ivshmem_link *l = &links[i];
	const struct bh_memory_region *hv = &ck->sys->hypervisor_memory;
	const struct bh_cell_desc *root = &ck->sys->root_cell;
	const struct bh_memory_region *rmem = bh_cell_mem_regions(root);
	uint64_t last, o_last;
	uint32_t j;

	for (j = 0; j < i; j++)
		if (links[j].domain == l->domain && links[j].bdf == l->bdf)
			config_check_link_report(ck, i, l, ": ivshmem link %u has the same address", j);
	if (!config_check_link_span(l, &last))
		return;
	if (config_check_ranges_meet(l->phys_start, config_check_link_size(l), &last,
				     hv->phys_start, hv->size, &o_last))
		config_check_link_report(ck, i, l, ": memory [0x%llx-0x%llx] overlaps the hypervisor memory",
					 (unsigned long long)l->phys_start,
					 (unsigned long long)last);
	for (j = 0; j < i; j++) {
		if (!config_check_link_span(&links[j], &o_last) ||
		    !config_check_overlap(l->phys_start, last, links[j].phys_start, o_last))
			continue;
		config_check_link_report(ck, i, l, ": memory [0x%llx-0x%llx] overlaps ivshmem link %u's [0x%llx-0x%llx]",
					 (unsigned long long)l->phys_start,
					 (unsigned long long)last, j,
					 (unsigned long long)links[j].phys_start,
					 (unsigned long long)o_last);
	}
	/* With the root a peer, its device's checks say where the memory must be. */
	if (config_check_root_link_dev(ck->sys, l))
		return;
	for (j = 0; j < root->num_memory_regions; j++) {
		if (!config_check_ranges_meet(l->phys_start, config_check_link_size(l), &last,
					      rmem[j].phys_start, rmem[j].size, &o_last))
			continue;
		config_check_link_report(ck, i, l, ": memory [0x%llx-0x%llx] overlaps root cell memory region %u [0x%llx-0x%llx], but the root cell is no peer of the link",
					 (unsigned long long)l->phys_start,
					 (unsigned long long)last, j,
					 (unsigned long long)rmem[j].phys_start,
					 (unsigned long long)o_last);
	}
}

static void config_check_links(struct config_check *ck)
{
	const struct bh_ivshmem_link *l = bh_system_links(ck->sys);
	uint32_t i;

	for (i = 0; i < ck->sys->num_ivshmem_links; i++) {
		config_check_link_fields(ck, i, &l[i]);
		config_check_link_place(ck, i, l);
	}
}

/*
 * Device @i of the cell under check as a peer of a link: the link exists,
 * the peer ID is one of its peers', the shared memory is exactly the
 * link's, and it is RAM. @root_peer: the root cell's own device on the
 * link (NULL when the root is no peer, or is the cell under check).
 * Returns the link, or NULL.
 */
static const struct bh_ivshmem_link *
config_check_link_peer(struct config_check *ck, uint32_t i,
		       const struct bh_pci_device *dev)
{
	const struct bh_memory_region *r = config_check_shmem(ck->cell, dev);
	const struct bh_ivshmem_link *l;
	char here[CONFIG_CHECK_PCI_TEXT];
	uint64_t last, l_last;
	uint32_t li;

	if (dev->shmem_peer_id >= IVSHMEM_MAX_PEERS)
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_peer_id %u is not below %u, the most peers a link has",
					(unsigned int)dev->shmem_peer_id, IVSHMEM_MAX_PEERS);
	if (r && (r->flags & BH_MEM_IO))
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_region %u is device memory, not RAM",
					(unsigned int)dev->shmem_region);
	if (!ck->sys)
		return NULL;
	l = config_check_link_at(ck->sys, dev, &li);
	if (!l) {
		config_check_pci_text(dev, here);
		config_check_pci_report(ck, i, dev, ": the system config has no ivshmem link at %s",
					here);
		return NULL;
	}
	if (dev->shmem_peer_id < IVSHMEM_MAX_PEERS && dev->shmem_peer_id >= l->num_peers)
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_peer_id %u is not below ivshmem link %u's num_peers %u",
					(unsigned int)dev->shmem_peer_id, li,
					(unsigned int)l->num_peers);
	if (r && config_check_link_span(l, &l_last) &&
	    config_check_range(r->phys_start, r->size, &last) &&
	    (r->phys_start != l->phys_start || r->size != config_check_link_size(l)))
		config_check_pci_report(ck, i, dev, ": ivshmem shared memory [0x%llx-0x%llx] is not ivshmem link %u's memory [0x%llx-0x%llx]: start and size must be the link's",
					(unsigned long long)r->phys_start,
					(unsigned long long)last, li,
					(unsigned long long)l->phys_start,
					(unsigned long long)l_last);
	return l;
}

/* A pair device where the system config has a link is a mistake of type. */
static void config_check_not_link(struct config_check *ck, uint32_t i,
				  const struct bh_pci_device *dev)
{
	uint32_t li;

	if (ck->sys && config_check_link_at(ck->sys, dev, &li))
		config_check_pci_report(ck, i, dev, ": ivshmem pair device at ivshmem link %u's address: a link's peers have type BH_PCI_TYPE_IVSHMEM_LINK",
					li);
}

/*
 * An inmate's link device: the rules of any peer, a peer ID the root
 * cell does not have on the link, and ROOTSHARED exactly when the root
 * cell is a peer (its memory is then the root's, otherwise the
 * reservation's).
 */
static void config_check_cell_link(struct config_check *ck, uint32_t i,
				   const struct bh_pci_device *dev)
{
	const struct bh_memory_region *r = config_check_shmem(ck->cell, dev);
	const struct bh_ivshmem_link *l = config_check_link_peer(ck, i, dev);
	const struct bh_pci_device *root_dev;

	if (!l)
		return;
	root_dev = config_check_root_link_dev(ck->sys, l);
	if (root_dev && root_dev->shmem_peer_id == dev->shmem_peer_id)
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_peer_id %u is the root cell's on the link",
					(unsigned int)dev->shmem_peer_id);
	if (!r)
		return;
	if (root_dev && !(r->flags & BH_MEM_ROOTSHARED))
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_region %u lacks the ROOTSHARED flag: the root cell is a peer of the link",
					(unsigned int)dev->shmem_region);
	else if (!root_dev && (r->flags & BH_MEM_ROOTSHARED))
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_region %u is ROOTSHARED, but the root cell is no peer of the link",
					(unsigned int)dev->shmem_region);
}

/* ---- system config ---------------------------------------------------------- */

/*
 * Signature, size and revision of a system or cell config: whether the
 * rest can be read at all. Both start with the signature and the
 * revision at the same offsets. The signature alone is read first, so
 * that a short file of something else is called that rather than "too
 * short"; the revision only once the header is known to be there.
 */
_Static_assert(offsetof(struct bh_system_config, signature) ==
	       offsetof(struct bh_cell_desc, signature), "signature offset");
_Static_assert(offsetof(struct bh_system_config, revision) ==
	       offsetof(struct bh_cell_desc, revision), "revision offset");

static int config_check_blob_header(struct config_check *ck, const void *blob,
				    const char *want_sig, const char *what,
				    size_t header_size)
{
	const uint8_t *bytes = blob;
	const char *sig = (const char *)bytes +
			  offsetof(struct bh_system_config, signature);
	char text[BH_SIGNATURE_LEN + 1];
	unsigned int revision;

	if (ck->size >= BH_SIGNATURE_LEN &&
	    !config_check_bytes_eq(sig, want_sig, BH_SIGNATURE_LEN)) {
		config_check_sig_text(sig, text);
		config_check_report(ck, "not a %s config (signature '%s')", what, text);
		return -ENOEXEC;
	}
	if (ck->size < header_size) {
		config_check_report(ck, "config is %llu bytes, shorter than a %s config header (%u bytes)",
				    (unsigned long long)ck->size, what,
				    (unsigned int)header_size);
		return -EINVAL;
	}
	/* Little-endian 16 bits in a packed struct. */
	bytes += offsetof(struct bh_system_config, revision);
	revision = bytes[0] | (unsigned int)bytes[1] << 8;
	if (revision != BH_CONFIG_REVISION) {
		config_check_report(ck, "config revision %u, this build expects %u",
				    revision, BH_CONFIG_REVISION);
		return -ENOEXEC;
	}
	return 0;
}

static int config_check_header(struct config_check *ck)
{
	return config_check_blob_header(ck, ck->sys, BH_SYSTEM_SIGNATURE, "system",
					sizeof(*ck->sys));
}

static void config_check_root_header(struct config_check *ck)
{
	const struct bh_cell_desc *c = ck->cell;
	char sig[BH_SIGNATURE_LEN + 1];

	if (!config_check_bytes_eq(c->signature, BH_CELL_SIGNATURE,
				   BH_SIGNATURE_LEN)) {
		config_check_sig_text(c->signature, sig);
		config_check_report(ck, "root cell signature '%s' is not 'BHCELL'", sig);
	}
	if (c->revision != BH_CONFIG_REVISION)
		config_check_report(ck, "root cell revision %u, this build expects %u",
				    (unsigned int)c->revision, BH_CONFIG_REVISION);
	config_check_name(ck);
}

/* Whether the root cell's arrays lie exactly within the blob. */
static int config_check_layout(struct config_check *ck)
{
	uint64_t want;

	if (!config_check_counts(ck))
		return 0;
	if (ck->sys->num_ivshmem_links > BH_MAX_IVSHMEM_LINKS) {
		config_check_report(ck, "num_ivshmem_links %u is over the limit of %u",
				    (unsigned int)ck->sys->num_ivshmem_links,
				    BH_MAX_IVSHMEM_LINKS);
		return 0;
	}
	want = bh_system_config_size(ck->sys);
	if (want != ck->size) {
		config_check_report(ck, "config is %llu bytes, but the root cell's and the links' counts make it %llu",
				    (unsigned long long)ck->size,
				    (unsigned long long)want);
		return 0;
	}
	return 1;
}

static void config_check_hv_memory(struct config_check *ck)
{
	const struct bh_memory_region *r = &ck->sys->hypervisor_memory;
	uint64_t last;

	if (r->size == 0) {
		config_check_report(ck, "hypervisor memory has size 0");
		return;
	}
	if (r->phys_start % CONFIG_CHECK_2M)
		config_check_report(ck, "hypervisor memory phys_start 0x%llx is not a multiple of 2 MiB",
				    (unsigned long long)r->phys_start);
	if (r->size % CONFIG_CHECK_2M)
		config_check_report(ck, "hypervisor memory size 0x%llx is not a multiple of 2 MiB",
				    (unsigned long long)r->size);
	if (r->size < CONFIG_CHECK_HV_MIN)
		config_check_report(ck, "hypervisor memory size 0x%llx is below the minimum of 4 MiB",
				    (unsigned long long)r->size);
	if (!config_check_range(r->phys_start, r->size, &last)) {
		config_check_report(ck, "hypervisor memory phys_start 0x%llx + size 0x%llx wraps past 2^64",
				    (unsigned long long)r->phys_start,
				    (unsigned long long)r->size);
		return;
	}
	/* The boot page tables map only this much (image.h). */
	if (last >= BH_IDENTITY_LIMIT)
		config_check_report(ck, "hypervisor memory [0x%llx-0x%llx] ends above 4 GiB",
				    (unsigned long long)r->phys_start,
				    (unsigned long long)last);
}

/*
 * The units are listed from index 0 and end at the first 0; the
 * hypervisor reaches their registers through its identity map (below
 * 4 GiB, image.h).
 */
static void config_check_iommu(struct config_check *ck, const struct bh_platform *p)
{
	unsigned int i, units = 0;

	for (i = 0; i < BH_MAX_IOMMU_UNITS; i++) {
		uint64_t base = p->iommu_base[i];

		if (!base)
			continue;
		if (i != units)
			config_check_report(ck, "platform iommu_base[%u] follows an empty entry (list the units from index 0)", i);
		units++;
		if (base % CONFIG_CHECK_PAGE || base >= BH_IDENTITY_LIMIT)
			config_check_report(ck, "platform iommu_base[%u] 0x%llx is not a page below 4 GiB",
					    i, (unsigned long long)base);
	}
	if (p->iommu_type != BH_IOMMU_NONE && p->iommu_type != BH_IOMMU_VTD)
		config_check_report(ck, "platform iommu_type %u is not supported (%u: none, %u: Intel VT-d)",
				    (unsigned int)p->iommu_type, BH_IOMMU_NONE, BH_IOMMU_VTD);
	else if (p->iommu_type == BH_IOMMU_NONE && units)
		config_check_report(ck, "platform lists %u IOMMU unit(s) but iommu_type is 0 (none)", units);
	else if (p->iommu_type != BH_IOMMU_NONE && !units)
		config_check_report(ck, "platform iommu_type is %u but iommu_base[0] is 0 (no unit)",
				    (unsigned int)p->iommu_type);
}

static void config_check_platform(struct config_check *ck)
{
	const struct bh_platform *p = &ck->sys->platform;

	if (p->apic_mode != BH_APIC_XAPIC)
		config_check_report(ck, "platform apic_mode %u is not supported (only %u, xAPIC)",
				    (unsigned int)p->apic_mode, BH_APIC_XAPIC);
	if (p->apic_base == 0)
		config_check_report(ck, "platform apic_base is 0");
	else if (p->apic_base % CONFIG_CHECK_PAGE)
		config_check_report(ck, "platform apic_base 0x%llx is not page-aligned",
				    (unsigned long long)p->apic_base);
	config_check_iommu(ck, p);
}

static void config_check_root_mem_regions(struct config_check *ck)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(ck->cell);
	uint64_t last;
	uint32_t i;

	for (i = 0; i < ck->cell->num_memory_regions; i++) {
		if (!config_check_mem_region(ck, i, &mem[i]))
			continue;
		config_check_mem_overlaps(ck, i, mem);
		/* Linux keeps its own physical addresses when it becomes the root cell. */
		last = mem[i].phys_start + (mem[i].size - 1);
		if (mem[i].virt_start != mem[i].phys_start)
			config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx]: virt_start 0x%llx differs, but the root cell is identity-mapped",
						 i, (unsigned long long)mem[i].phys_start,
						 (unsigned long long)last,
						 (unsigned long long)mem[i].virt_start);
	}
}

/* The hypervisor's UART is not Linux's: no root pio region may reach it. */
static void config_check_root_pio_regions(struct config_check *ck)
{
	const struct bh_pio_region *pio = bh_cell_pio_regions(ck->cell);
	uint32_t i, last, con_last;

	for (i = 0; i < ck->cell->num_pio_regions; i++) {
		if (!config_check_pio_region(ck, i, &pio[i], &last) ||
		    !config_check_hits_debug_console(ck->sys, pio[i].base, last,
						     &con_last))
			continue;
		config_check_report(ck, "debug console ports [0x%x-0x%x] overlap root pio region %u [0x%x-0x%x]: the hypervisor's UART must not be given to Linux",
				    (unsigned int)ck->sys->debug_console.port,
				    con_last, i, (unsigned int)pio[i].base, last);
	}
}

/* Config space is reached through the ECAM, which covers buses 0..end_bus. */
static void config_check_root_pci_bus(struct config_check *ck, uint32_t i,
				      const struct bh_pci_device *dev)
{
	const struct bh_platform *p = &ck->sys->platform;
	unsigned int bus = dev->bdf >> 8;

	/* Without an ECAM, ports 0xcf8/0xcfc reach every bus. */
	if (p->pci_mmconfig_base && bus > p->pci_mmconfig_end_bus)
		config_check_pci_report(ck, i, dev, ": bus 0x%x is past the platform's pci_mmconfig_end_bus 0x%x",
					bus, (unsigned int)p->pci_mmconfig_end_bus);
}

/*
 * The shared memory is a root cell region of its own: under another one,
 * Linux would use it as RAM or device memory beside the inmate.
 */
static void config_check_root_shmem_alone(struct config_check *ck, uint32_t i,
					  const struct bh_pci_device *dev)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(ck->cell);
	const struct bh_memory_region *r = config_check_shmem(ck->cell, dev);
	uint64_t last, o_last;
	uint32_t j;

	for (j = 0; r && j < ck->cell->num_memory_regions; j++) {
		if (j == dev->shmem_region ||
		    !config_check_ranges_meet(r->phys_start, r->size, &last,
					      mem[j].phys_start, mem[j].size, &o_last))
			continue;
		config_check_pci_report(ck, i, dev, ": ivshmem shared memory [0x%llx-0x%llx] overlaps memory region %u [0x%llx-0x%llx]: Linux would use the shared memory as %s; it must be a region of its own",
					(unsigned long long)r->phys_start,
					(unsigned long long)last, j,
					(unsigned long long)mem[j].phys_start,
					(unsigned long long)o_last,
					config_check_mem_kind(&mem[j]));
	}
}

static void config_check_root_pci_devices(struct config_check *ck)
{
	const struct bh_pci_device *dev = bh_cell_pci_devices(ck->cell);
	uint32_t i;

	for (i = 0; i < ck->cell->num_pci_devices; i++) {
		config_check_pci_twice(ck, i, dev);
		config_check_root_pci_bus(ck, i, &dev[i]);
		if (!config_check_pci_device(ck, i, &dev[i]))
			continue;
		if (dev[i].type == BH_PCI_TYPE_IVSHMEM_LINK) {
			config_check_link_peer(ck, i, &dev[i]);
		} else {
			config_check_peer_id(ck, i, &dev[i], IVSHMEM_ROOT_PEER_ID,
					     "the root cell's end of the pair");
			config_check_not_link(ck, i, &dev[i]);
		}
		config_check_root_shmem_alone(ck, i, &dev[i]);
	}
}

int config_check_system(const void *blob, uint64_t size,
			const struct config_sink *sink)
{
	const struct bh_system_config *sys = blob;
	struct config_check ck;
	int layout_ok, err;

	config_check_init(&ck, sys, sys ? &sys->root_cell : NULL, size, sink);
	ck.whose = "root cell";
	config_check_append(ck.who, sizeof(ck.who), "root cell ");
	err = config_check_header(&ck);
	if (err)
		return err;

	config_check_root_header(&ck);
	config_check_hv_memory(&ck);
	config_check_uart(&ck, "", "debug console", &sys->debug_console);
	config_check_platform(&ck);
	layout_ok = config_check_layout(&ck);
	config_check_cpu_set(&ck, layout_ok);
	if (layout_ok) {
		config_check_root_mem_regions(&ck);
		config_check_root_pio_regions(&ck);
		config_check_root_pci_devices(&ck);
		config_check_links(&ck);
	}
	return ck.err;
}

/* ---- cell config -------------------------------------------------------------- */

static int config_check_cell_header(struct config_check *ck)
{
	return config_check_blob_header(ck, ck->cell, BH_CELL_SIGNATURE, "cell",
					sizeof(*ck->cell));
}

/* Name and ID; from here on, reports start with the cell's name. */
static void config_check_cell_identity(struct config_check *ck)
{
	const struct bh_cell_desc *c = ck->cell;
	char name[BH_CELL_NAME_LEN];

	config_check_append(ck->who, sizeof(ck->who), "cell ");
	if (config_check_name(ck)) {
		config_check_name_text(c->name, name);
		ck->who[0] = '\0';
		config_check_append(ck->who, sizeof(ck->who), "cell \"");
		config_check_append(ck->who, sizeof(ck->who), name);
		config_check_append(ck->who, sizeof(ck->who), "\": ");
		/* Both are NUL-terminated within BH_CELL_NAME_LEN by now. */
		if (ck->sys && config_check_bytes_eq(c->name, ck->sys->root_cell.name,
						     BH_CELL_NAME_LEN))
			config_check_cell_report(ck, "name is the root cell's name");
	}
	if (c->id != 0)
		config_check_cell_report(ck, "id %u must be 0: the hypervisor assigns cell IDs",
					 (unsigned int)c->id);
}

static int config_check_cell_layout(struct config_check *ck)
{
	uint64_t want;

	if (!config_check_counts(ck))
		return 0;
	want = bh_cell_desc_size(ck->cell);
	if (want != ck->size) {
		config_check_cell_report(ck, "config is %llu bytes, but its counts make it %llu",
					 (unsigned long long)ck->size,
					 (unsigned long long)want);
		return 0;
	}
	return 1;
}

/* Only CPUs the root cell has can be given away, and not Linux's boot CPU. */
static void config_check_cell_cpus(struct config_check *ck)
{
	const struct bh_cell_desc *root = ck->sys ? &ck->sys->root_cell : NULL;
	char list[CONFIG_CHECK_CPU_LIST];
	unsigned int cpu;

	for (cpu = 0; cpu < BH_MAX_CPUS; cpu++) {
		if (!config_check_cpu_bit(ck->cell, cpu))
			continue;
		if (cpu == 0) {
			config_check_cell_report(ck, "CPU 0 cannot be given to a cell: it is Linux's boot CPU, which cannot go offline");
		} else if (root && !config_check_cpu_bit(root, cpu)) {
			config_check_cpu_list(root, list);
			config_check_cell_report(ck, "CPU %u does not exist (the root cell has CPUs %s)",
						 cpu, list);
		}
	}
}

/* A ROOTSHARED region stays mapped in the root cell: it must be root's already. */
static void config_check_cell_shared(struct config_check *ck, uint32_t i,
				     const struct bh_memory_region *r,
				     uint64_t last)
{
	const struct bh_cell_desc *root = &ck->sys->root_cell;
	const struct bh_memory_region *rmem = bh_cell_mem_regions(root);
	uint64_t r_last;
	uint32_t j;

	for (j = 0; j < root->num_memory_regions; j++)
		if (config_check_range(rmem[j].phys_start, rmem[j].size, &r_last) &&
		    r->phys_start >= rmem[j].phys_start && last <= r_last)
			return;
	config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] is ROOTSHARED but does not lie inside one root cell memory region",
				 i, (unsigned long long)r->phys_start,
				 (unsigned long long)last);
}

/* A private RAM region comes out of the memmap= reservation, which Linux does not have. */
static void config_check_cell_private(struct config_check *ck, uint32_t i,
				      const struct bh_memory_region *r,
				      uint64_t last)
{
	const struct bh_cell_desc *root = &ck->sys->root_cell;
	const struct bh_memory_region *rmem = bh_cell_mem_regions(root);
	uint64_t r_last;
	uint32_t j;

	for (j = 0; j < root->num_memory_regions; j++) {
		if (!config_check_range(rmem[j].phys_start, rmem[j].size, &r_last) ||
		    !config_check_overlap(r->phys_start, last, rmem[j].phys_start,
					  r_last))
			continue;
		config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] overlaps the root cell's memory region %u [0x%llx-0x%llx]",
					 i, (unsigned long long)r->phys_start,
					 (unsigned long long)last, j,
					 (unsigned long long)rmem[j].phys_start,
					 (unsigned long long)r_last);
	}
}

/* The root ivshmem device whose shared memory is root region @j, or NULL. */
static const struct bh_pci_device *
config_check_shmem_owner(const struct bh_cell_desc *root, uint32_t j)
{
	const struct bh_pci_device *rdev = bh_cell_pci_devices(root);
	uint32_t k;

	for (k = 0; k < root->num_pci_devices; k++)
		if (config_check_is_ivshmem(&rdev[k]) && rdev[k].shmem_region == j)
			return &rdev[k];
	return NULL;
}

/*
 * Device memory (IO) is passed on from the root cell, so it obeys the
 * rules of RAM and more: uncached or not, a device region over root RAM
 * gives the inmate Linux's memory, one over an ivshmem's shared memory
 * another pair's channel. It must lie inside one root device region
 * (which keeps it off the reservation too); the hypervisor memory is
 * reported by config_check_mem_overlaps() already, other cells by
 * config_check_cell_set().
 */
static void config_check_cell_device(struct config_check *ck, uint32_t i,
				     const struct bh_memory_region *r,
				     uint64_t last)
{
	const struct bh_memory_region *hv = &ck->sys->hypervisor_memory;
	const struct bh_cell_desc *root = &ck->sys->root_cell;
	const struct bh_memory_region *rmem = bh_cell_mem_regions(root);
	const struct bh_pci_device *owner;
	char pci[CONFIG_CHECK_PCI_TEXT], kind[CONFIG_CHECK_PCI_TEXT + 32];
	int inside = 0, clash = 0;
	uint64_t r_last;
	uint32_t j;

	for (j = 0; j < root->num_memory_regions; j++) {
		if (!config_check_range(rmem[j].phys_start, rmem[j].size, &r_last) ||
		    !config_check_overlap(r->phys_start, last, rmem[j].phys_start,
					  r_last))
			continue;
		if (rmem[j].flags & BH_MEM_IO) {
			inside |= r->phys_start >= rmem[j].phys_start && last <= r_last;
			continue;
		}
		owner = config_check_shmem_owner(root, j);
		kind[0] = '\0';
		if (owner) {
			config_check_pci_text(owner, pci);
			config_check_append(kind, sizeof(kind), "the shared memory of ivshmem ");
			config_check_append(kind, sizeof(kind), pci);
		} else {
			config_check_append(kind, sizeof(kind), config_check_mem_kind(&rmem[j]));
		}
		config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] is device memory over the root cell's memory region %u [0x%llx-0x%llx] (%s): only the root cell's device memory can be passed on",
					 i, (unsigned long long)r->phys_start,
					 (unsigned long long)last, j,
					 (unsigned long long)rmem[j].phys_start,
					 (unsigned long long)r_last, kind);
		clash = 1;
	}
	if (inside || clash ||
	    (config_check_range(hv->phys_start, hv->size, &r_last) &&
	     config_check_overlap(r->phys_start, last, hv->phys_start, r_last)))
		return;
	config_check_cell_report(ck, "memory region %u [0x%llx-0x%llx] is device memory but does not lie inside one root cell device memory region",
				 i, (unsigned long long)r->phys_start,
				 (unsigned long long)last);
}

static void config_check_cell_mem_regions(struct config_check *ck)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(ck->cell);
	uint64_t last;
	uint32_t i;

	for (i = 0; i < ck->cell->num_memory_regions; i++) {
		if (!config_check_mem_region(ck, i, &mem[i]))
			continue;
		config_check_mem_overlaps(ck, i, mem);
		config_check_earlier_overlaps(ck, i, mem, 1);
		if (!ck->sys)
			continue;
		last = mem[i].phys_start + (mem[i].size - 1);
		if (mem[i].flags & BH_MEM_ROOTSHARED)
			config_check_cell_shared(ck, i, &mem[i], last);
		else if (mem[i].flags & BH_MEM_IO)
			config_check_cell_device(ck, i, &mem[i], last);
		else
			config_check_cell_private(ck, i, &mem[i], last);
	}
}

/* The driver loads images only into LOADABLE regions; the CPU starts in one. */
static void config_check_cell_entry(struct config_check *ck)
{
	const struct bh_cell_desc *c = ck->cell;
	const struct bh_memory_region *mem = bh_cell_mem_regions(c);
	int loadable = 0;
	uint64_t last;
	uint32_t i;

	for (i = 0; i < c->num_memory_regions; i++) {
		if (!(mem[i].flags & BH_MEM_LOADABLE))
			continue;
		loadable = 1;
		if (config_check_range(mem[i].virt_start, mem[i].size, &last) &&
		    c->entry_address >= mem[i].virt_start && c->entry_address <= last)
			return;
	}
	if (!loadable)
		config_check_cell_report(ck, "no memory region is LOADABLE: no image could be loaded into the cell");
	else
		config_check_cell_report(ck, "entry_address 0x%llx lies in no LOADABLE region's guest-physical range",
					 (unsigned long long)c->entry_address);
}

static void config_check_cell_pio_regions(struct config_check *ck)
{
	const struct bh_pio_region *pio = bh_cell_pio_regions(ck->cell);
	uint32_t i, last, con_last;

	for (i = 0; i < ck->cell->num_pio_regions; i++) {
		if (!config_check_pio_region(ck, i, &pio[i], &last) || !ck->sys ||
		    !config_check_hits_debug_console(ck->sys, pio[i].base, last,
						     &con_last))
			continue;
		config_check_cell_report(ck, "pio region %u [0x%x-0x%x] overlaps the hypervisor's debug console ports [0x%x-0x%x]",
					 i, (unsigned int)pio[i].base, last,
					 (unsigned int)ck->sys->debug_console.port,
					 con_last);
	}
}

static void config_check_cell_console(struct config_check *ck)
{
	const struct bh_console *con = &ck->cell->console;
	uint32_t con_last;

	if (!config_check_uart(ck, ck->who, "console", con) || !ck->sys ||
	    !config_check_hits_debug_console(ck->sys, con->port,
					     con->port + CONFIG_CHECK_UART_PORTS - 1,
					     &con_last))
		return;
	config_check_cell_report(ck, "console ports [0x%x-0x%x] overlap the hypervisor's debug console ports [0x%x-0x%x]",
				 (unsigned int)con->port,
				 (unsigned int)con->port + CONFIG_CHECK_UART_PORTS - 1,
				 (unsigned int)ck->sys->debug_console.port, con_last);
}

/* The root cell's ivshmem device at @dev's address, if any. */
static const struct bh_pci_device *
config_check_partner(const struct bh_cell_desc *root, const struct bh_pci_device *dev)
{
	const struct bh_pci_device *rdev = bh_cell_pci_devices(root);
	uint32_t j;

	for (j = 0; j < root->num_pci_devices; j++)
		if (rdev[j].type == BH_PCI_TYPE_IVSHMEM &&
		    config_check_same_address(&rdev[j], dev))
			return &rdev[j];
	return NULL;
}

/* The root cell's ivshmem devices: "00:0e.0, 00:0f.0", or "none". */
static void config_check_ivshmem_list(const struct bh_cell_desc *root,
				      char buf[CONFIG_CHECK_PCI_LIST])
{
	const struct bh_pci_device *rdev = bh_cell_pci_devices(root);
	char text[CONFIG_CHECK_PCI_TEXT];
	unsigned int n = 0;
	uint32_t j;

	buf[0] = '\0';
	for (j = 0; j < root->num_pci_devices; j++) {
		if (rdev[j].type != BH_PCI_TYPE_IVSHMEM)
			continue;
		if (n == CONFIG_CHECK_PCI_LIST_MAX) {
			config_check_append(buf, CONFIG_CHECK_PCI_LIST, ", ...");
			return;
		}
		if (n++)
			config_check_append(buf, CONFIG_CHECK_PCI_LIST, ", ");
		config_check_pci_text(&rdev[j], text);
		config_check_append(buf, CONFIG_CHECK_PCI_LIST, text);
	}
	if (n == 0)
		config_check_append(buf, CONFIG_CHECK_PCI_LIST, "none");
}

/*
 * The other end of an inmate's ivshmem is the root cell's at the same
 * address, and both ends are the same memory.
 */
static void config_check_cell_partner(struct config_check *ck, uint32_t i,
				      const struct bh_pci_device *dev,
				      const struct bh_memory_region *r)
{
	const struct bh_cell_desc *root = &ck->sys->root_cell;
	const struct bh_pci_device *partner = config_check_partner(root, dev);
	const struct bh_memory_region *pr;
	char here[CONFIG_CHECK_PCI_TEXT], list[CONFIG_CHECK_PCI_LIST];
	uint64_t last, p_last;

	if (!partner) {
		config_check_pci_text(dev, here);
		config_check_ivshmem_list(root, list);
		config_check_pci_report(ck, i, dev, " has no partner: the root cell has no ivshmem device at %s (root ivshmem devices: %s)",
					here, list);
		return;
	}
	pr = config_check_shmem(root, partner);
	if (!r || !pr || (r->phys_start == pr->phys_start && r->size == pr->size) ||
	    !config_check_range(r->phys_start, r->size, &last) ||
	    !config_check_range(pr->phys_start, pr->size, &p_last))
		return;
	config_check_pci_report(ck, i, dev, ": ivshmem shared memory [0x%llx-0x%llx] differs from the root cell's [0x%llx-0x%llx]: start and size must be the same in both cells",
				(unsigned long long)r->phys_start, (unsigned long long)last,
				(unsigned long long)pr->phys_start, (unsigned long long)p_last);
}

/* The shared memory is none of the cell's other regions, in either address space. */
static void config_check_cell_shmem_alone(struct config_check *ck, uint32_t i,
					  const struct bh_pci_device *dev,
					  const struct bh_memory_region *r)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(ck->cell);
	uint64_t last, o_last;
	uint32_t j;

	for (j = 0; j < ck->cell->num_memory_regions; j++) {
		if (j == dev->shmem_region)
			continue;
		if (config_check_ranges_meet(r->phys_start, r->size, &last,
					     mem[j].phys_start, mem[j].size, &o_last))
			config_check_pci_report(ck, i, dev, ": ivshmem shared memory [0x%llx-0x%llx] overlaps memory region %u [0x%llx-0x%llx] (%s)",
						(unsigned long long)r->phys_start,
						(unsigned long long)last, j,
						(unsigned long long)mem[j].phys_start,
						(unsigned long long)o_last,
						config_check_mem_kind(&mem[j]));
		if (config_check_ranges_meet(r->virt_start, r->size, &last,
					     mem[j].virt_start, mem[j].size, &o_last))
			config_check_pci_report(ck, i, dev, ": ivshmem shared memory at guest-physical [0x%llx-0x%llx] overlaps memory region %u at guest-physical [0x%llx-0x%llx] (%s)",
						(unsigned long long)r->virt_start,
						(unsigned long long)last, j,
						(unsigned long long)mem[j].virt_start,
						(unsigned long long)o_last,
						config_check_mem_kind(&mem[j]));
	}
}

/* An ivshmem's memory is seen by both peers, so the root keeps it mapped. */
static void config_check_cell_ivshmem(struct config_check *ck, uint32_t i,
				      const struct bh_pci_device *dev)
{
	const struct bh_memory_region *r = config_check_shmem(ck->cell, dev);

	if (dev->type == BH_PCI_TYPE_IVSHMEM_LINK) {
		config_check_cell_link(ck, i, dev);
		if (r)
			config_check_cell_shmem_alone(ck, i, dev, r);
		return;
	}
	config_check_peer_id(ck, i, dev, IVSHMEM_INMATE_PEER_ID,
			     "the inmate's end of the pair");
	config_check_not_link(ck, i, dev);
	if (ck->sys && !config_check_link_at(ck->sys, dev, NULL))
		config_check_cell_partner(ck, i, dev, r);
	if (!r)
		return;		/* reported already */
	if (!(r->flags & BH_MEM_ROOTSHARED))
		config_check_pci_report(ck, i, dev, ": ivshmem shmem_region %u at 0x%llx lacks the ROOTSHARED flag",
					(unsigned int)dev->shmem_region,
					(unsigned long long)r->phys_start);
	config_check_cell_shmem_alone(ck, i, dev, r);
}

/*
 * A real function passed to an inmate: its DMA is confined to the
 * inmate's memory only by an IOMMU the hypervisor owns, so a system
 * config without one cannot have it (the hypervisor refuses the same at
 * cell create); PCI domains other than 0 are not reached.
 */
static void config_check_cell_passthrough(struct config_check *ck, uint32_t i,
					  const struct bh_pci_device *dev)
{
	if (dev->domain != 0)
		config_check_pci_report(ck, i, dev, " is in PCI domain %u: only domain 0 can be passed through",
					(unsigned int)dev->domain);
	if (ck->sys && ck->sys->platform.iommu_type == BH_IOMMU_NONE)
		config_check_pci_report(ck, i, dev, " is passed through, but the system config lists no IOMMU (platform.iommu_type): its DMA would reach all memory");
}

static void config_check_cell_pci_devices(struct config_check *ck)
{
	const struct bh_pci_device *dev = bh_cell_pci_devices(ck->cell);
	uint32_t i;

	for (i = 0; i < ck->cell->num_pci_devices; i++) {
		config_check_pci_twice(ck, i, dev);
		if (config_check_pci_device(ck, i, &dev[i]))
			config_check_cell_ivshmem(ck, i, &dev[i]);
		else if (dev[i].type == BH_PCI_TYPE_DEVICE)
			config_check_cell_passthrough(ck, i, &dev[i]);
	}
}

int config_check_cell(const void *blob, uint64_t size,
		      const struct bh_system_config *sys,
		      const struct config_sink *sink)
{
	struct config_check ck;
	int layout_ok, set_ok, err;

	config_check_init(&ck, sys, blob, size, sink);
	err = config_check_cell_header(&ck);
	if (err)
		return err;

	config_check_cell_identity(&ck);
	config_check_cell_console(&ck);
	layout_ok = config_check_cell_layout(&ck);
	set_ok = config_check_cpu_set(&ck, layout_ok);
	if (!layout_ok)
		return ck.err;
	if (set_ok)
		config_check_cell_cpus(&ck);
	config_check_cell_mem_regions(&ck);
	config_check_cell_entry(&ck);
	config_check_cell_pio_regions(&ck);
	config_check_cell_pci_devices(&ck);
	return ck.err;
}

/* ---- cells against each other ---------------------------------------------------- */

/* Two cells may share a region only if both say so and it is the same one. */
static int config_check_same_shared(const struct bh_memory_region *a,
				    const struct bh_memory_region *b)
{
	return (a->flags & BH_MEM_ROOTSHARED) && (b->flags & BH_MEM_ROOTSHARED) &&
	       a->phys_start == b->phys_start && a->size == b->size;
}

/* The link device of @c whose shared memory is @c's region @idx, or NULL. */
static const struct bh_pci_device *
config_check_link_dev_of(const struct bh_cell_desc *c, uint32_t idx)
{
	const struct bh_pci_device *dev = bh_cell_pci_devices(c);
	uint32_t i;

	for (i = 0; i < c->num_pci_devices; i++)
		if (dev[i].type == BH_PCI_TYPE_IVSHMEM_LINK && dev[i].shmem_region == idx)
			return &dev[i];
	return NULL;
}

/*
 * Two peers of one link name its memory, ROOTSHARED or not (a link
 * without the root lives in the reservation, like inmate RAM).
 */
static int config_check_same_link_mem(const struct bh_cell_desc *a, uint32_t i,
				      const struct bh_cell_desc *b, uint32_t j)
{
	const struct bh_memory_region *am = &bh_cell_mem_regions(a)[i];
	const struct bh_memory_region *bm = &bh_cell_mem_regions(b)[j];
	const struct bh_pci_device *ad = config_check_link_dev_of(a, i);
	const struct bh_pci_device *bd = config_check_link_dev_of(b, j);

	return ad && bd && config_check_same_address(ad, bd) &&
	       am->phys_start == bm->phys_start && am->size == bm->size;
}

static void config_check_pair_mem(struct config_check *ck,
				  const struct bh_cell_desc *a, const char *a_name,
				  const struct bh_cell_desc *b, const char *b_name)
{
	const struct bh_memory_region *am = bh_cell_mem_regions(a);
	const struct bh_memory_region *bm = bh_cell_mem_regions(b);
	uint64_t a_last, b_last;
	uint32_t i, j;

	for (j = 0; j < b->num_memory_regions; j++) {
		if (!config_check_range(bm[j].phys_start, bm[j].size, &b_last))
			continue;
		for (i = 0; i < a->num_memory_regions; i++) {
			if (!config_check_range(am[i].phys_start, am[i].size, &a_last) ||
			    !config_check_overlap(bm[j].phys_start, b_last,
						  am[i].phys_start, a_last) ||
			    config_check_same_shared(&am[i], &bm[j]) ||
			    config_check_same_link_mem(a, i, b, j))
				continue;
			config_check_report(ck, "cell \"%s\": memory region %u [0x%llx-0x%llx] overlaps cell \"%s\"'s memory region %u [0x%llx-0x%llx]%s",
					    b_name, j, (unsigned long long)bm[j].phys_start,
					    (unsigned long long)b_last, a_name, i,
					    (unsigned long long)am[i].phys_start,
					    (unsigned long long)a_last,
					    (am[i].flags & bm[j].flags & BH_MEM_ROOTSHARED) ?
					    " (a shared region must have the same start and size in both)" : "");
		}
	}
}

/* A root ivshmem device has one other end: two cells cannot both be it. */
static void config_check_pair_ivshmem(struct config_check *ck,
				      const struct bh_cell_desc *a, const char *a_name,
				      const struct bh_cell_desc *b, const char *b_name)
{
	const struct bh_pci_device *ad = bh_cell_pci_devices(a);
	const struct bh_pci_device *bd = bh_cell_pci_devices(b);
	char text[CONFIG_CHECK_PCI_TEXT];
	uint32_t i, j;

	for (j = 0; j < b->num_pci_devices; j++) {
		if (!config_check_is_ivshmem(&bd[j]))
			continue;
		for (i = 0; i < a->num_pci_devices; i++) {
			if (!config_check_is_ivshmem(&ad[i]) ||
			    !config_check_same_address(&ad[i], &bd[j]))
				continue;
			config_check_pci_text(&bd[j], text);
			if (ad[i].type == BH_PCI_TYPE_IVSHMEM_LINK &&
			    bd[j].type == BH_PCI_TYPE_IVSHMEM_LINK) {
				if (ad[i].shmem_peer_id == bd[j].shmem_peer_id)
					config_check_report(ck, "cell \"%s\": pci device %u (%s): ivshmem shmem_peer_id %u is also cell \"%s\"'s on the link (its pci device %u): peer IDs must be unique",
							    b_name, j, text,
							    (unsigned int)bd[j].shmem_peer_id,
							    a_name, i);
				continue;
			}
			config_check_report(ck, "cell \"%s\": pci device %u (%s) is also cell \"%s\"'s ivshmem device %u: a root ivshmem device pairs with one cell at a time",
					    b_name, j, text, a_name, i);
		}
	}
}

static void config_check_pair(struct config_check *ck,
			      const struct bh_cell_desc *a,
			      const struct bh_cell_desc *b)
{
	char a_name[BH_CELL_NAME_LEN], b_name[BH_CELL_NAME_LEN];
	unsigned int cpu;

	config_check_name_text(a->name, a_name);
	config_check_name_text(b->name, b_name);
	if (config_check_bytes_eq(a->name, b->name, BH_CELL_NAME_LEN))
		config_check_report(ck, "cell \"%s\": another cell has the same name", b_name);
	for (cpu = 0; cpu < BH_MAX_CPUS; cpu++)
		if (config_check_cpu_bit(a, cpu) && config_check_cpu_bit(b, cpu))
			config_check_report(ck, "cell \"%s\": CPU %u is also in cell \"%s\"",
					    b_name, cpu, a_name);
	config_check_pair_mem(ck, a, a_name, b, b_name);
	config_check_pair_ivshmem(ck, a, a_name, b, b_name);
}

int config_check_cell_set(const struct bh_cell_desc *const *cells,
			  unsigned int n, const struct config_sink *sink)
{
	struct config_check ck;
	unsigned int i, j;

	config_check_init(&ck, NULL, NULL, 0, sink);
	for (j = 1; cells && j < n; j++)
		for (i = 0; i < j; i++)
			config_check_pair(&ck, cells[i], cells[j]);
	return ck.err;
}
