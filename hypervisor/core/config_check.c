// SPDX-License-Identifier: GPL-2.0-only
/*
 * Validation of a system config blob; see config_check.h.
 *
 * The blob comes from a user's file, so nothing in it is believed before
 * it is checked: the signature and the revision say which layout to
 * expect, the counts must add up to exactly the blob's size before any
 * array is read, and only then are the arrays looked at. Every problem is
 * reported, so a user fixes a config in one round rather than one error
 * per try.
 *
 * Freestanding: this file is built into the hypervisor, so it uses no
 * libc and formats nothing itself; the sink does.
 */
/*
 * Relative to this file, not through -I: the unit test includes this
 * file directly and is built with the Makefile's flags, which do not
 * name hypervisor/include.
 */
#include "../include/config_check.h"

#include <bulkhead/image.h>

#define CONFIG_CHECK_MAX_COUNT	4096u		/* per array, far above any real machine */
#define CONFIG_CHECK_PAGE	0x1000ull
#define CONFIG_CHECK_2M		0x200000ull
#define CONFIG_CHECK_HV_MIN	0x400000ull	/* image, config, page tables, pool */
#define CONFIG_CHECK_PORTS	0x10000u	/* x86 I/O port space */
#define CONFIG_CHECK_UART_PORTS	8u		/* registers of an 8250 */

struct config_check {
	const struct bh_system_config *sys;
	uint64_t size;
	const struct config_sink *sink;
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

static int config_check_bytes_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* A signature as printable text: it may be anything, even binary. */
static void config_check_sig_text(const char *sig, char out[BH_SIGNATURE_LEN + 1])
{
	size_t i;

	for (i = 0; i < BH_SIGNATURE_LEN && sig[i]; i++)
		out[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? sig[i] : '?';
	out[i] = '\0';
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

/* Signature, size and revision: whether the rest can be read at all. */
static int config_check_header(struct config_check *ck)
{
	const struct bh_system_config *sys = ck->sys;
	char sig[BH_SIGNATURE_LEN + 1];

	/* The signature alone is read first, so that a short file of
	 * something else is called that rather than "too short". */
	if (ck->size >= BH_SIGNATURE_LEN &&
	    !config_check_bytes_eq(sys->signature, BH_SYSTEM_SIGNATURE,
				   BH_SIGNATURE_LEN)) {
		config_check_sig_text(sys->signature, sig);
		config_check_report(ck, "not a system config (signature '%s')", sig);
		return -ENOEXEC;
	}
	if (ck->size < sizeof(*sys)) {
		config_check_report(ck, "config is %llu bytes, shorter than a system config header (%u bytes)",
				    (unsigned long long)ck->size,
				    (unsigned int)sizeof(*sys));
		return -EINVAL;
	}
	if (sys->revision != BH_CONFIG_REVISION) {
		config_check_report(ck, "config revision %u, this build expects %u",
				    (unsigned int)sys->revision, BH_CONFIG_REVISION);
		return -ENOEXEC;
	}
	return 0;
}

static void config_check_root_header(struct config_check *ck)
{
	const struct bh_cell_desc *c = &ck->sys->root_cell;
	char sig[BH_SIGNATURE_LEN + 1];
	size_t len;

	if (!config_check_bytes_eq(c->signature, BH_CELL_SIGNATURE,
				   BH_SIGNATURE_LEN)) {
		config_check_sig_text(c->signature, sig);
		config_check_report(ck, "root cell signature '%s' is not 'BHCELL'", sig);
	}
	if (c->revision != BH_CONFIG_REVISION)
		config_check_report(ck, "root cell revision %u, this build expects %u",
				    (unsigned int)c->revision, BH_CONFIG_REVISION);

	for (len = 0; len < BH_CELL_NAME_LEN && c->name[len]; len++)
		;
	if (len == BH_CELL_NAME_LEN)
		config_check_report(ck, "root cell name is not NUL-terminated within %u bytes",
				    BH_CELL_NAME_LEN);
	else if (len == 0)
		config_check_report(ck, "root cell name is empty");
}

static int config_check_count(struct config_check *ck, const char *what,
			      uint32_t count)
{
	if (count <= CONFIG_CHECK_MAX_COUNT)
		return 1;
	config_check_report(ck, "root cell %s %u is over the limit of %u",
			    what, count, CONFIG_CHECK_MAX_COUNT);
	return 0;
}

/*
 * Whether the root cell's arrays lie exactly within the blob. Huge counts
 * are refused first: they could not be real, and refusing them keeps the
 * size sum meaningful.
 */
static int config_check_layout(struct config_check *ck)
{
	const struct bh_cell_desc *c = &ck->sys->root_cell;
	uint64_t want;
	int ok = 1;

	ok &= config_check_count(ck, "cpu_set_size", c->cpu_set_size);
	ok &= config_check_count(ck, "num_memory_regions", c->num_memory_regions);
	ok &= config_check_count(ck, "num_pio_regions", c->num_pio_regions);
	ok &= config_check_count(ck, "num_pci_devices", c->num_pci_devices);
	if (!ok)
		return 0;

	want = offsetof(struct bh_system_config, root_cell) + bh_cell_desc_size(c);
	if (want != ck->size) {
		config_check_report(ck, "config is %llu bytes, but the root cell's counts make it %llu",
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

static void config_check_console(struct config_check *ck)
{
	const struct bh_console *con = &ck->sys->debug_console;

	if (con->type == BH_CONSOLE_NONE)
		return;
	if (con->type != BH_CONSOLE_UART_8250) {
		config_check_report(ck, "debug console type %u is unknown (%u: none, %u: 8250 UART)",
				    (unsigned int)con->type, BH_CONSOLE_NONE,
				    BH_CONSOLE_UART_8250);
		return;
	}
	if ((uint32_t)con->port + CONFIG_CHECK_UART_PORTS > CONFIG_CHECK_PORTS)
		config_check_report(ck, "debug console port 0x%x: its %u registers end past port 0xffff",
				    (unsigned int)con->port, CONFIG_CHECK_UART_PORTS);
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
}

/* The CPU set's bytes are read only when @layout_ok. */
static void config_check_cpu_set(struct config_check *ck, int layout_ok)
{
	const struct bh_cell_desc *c = &ck->sys->root_cell;
	const uint8_t *set = bh_cell_cpu_set(c);
	uint32_t i;

	if (c->cpu_set_size % 8)
		config_check_report(ck, "root cell cpu_set_size %u is not a multiple of 8",
				    (unsigned int)c->cpu_set_size);
	if (c->cpu_set_size == 0 || c->cpu_set_size > BH_MAX_CPUS / 8) {
		config_check_report(ck, "root cell cpu_set_size %u is outside 1..%u",
				    (unsigned int)c->cpu_set_size, BH_MAX_CPUS / 8);
		return;
	}
	if (!layout_ok)
		return;
	for (i = 0; i < c->cpu_set_size; i++)
		if (set[i])
			return;
	config_check_report(ck, "root cell cpu set is empty: it needs at least one CPU");
}

static void config_check_page_aligned(struct config_check *ck, uint32_t i,
				      const char *what, uint64_t value)
{
	if (value % CONFIG_CHECK_PAGE)
		config_check_report(ck, "memory region %u: %s 0x%llx is not a multiple of 4 KiB",
				    i, what, (unsigned long long)value);
}

/* One root memory region on its own; whether its ranges are sound. */
static int config_check_mem_region(struct config_check *ck, uint32_t i,
				   const struct bh_memory_region *r)
{
	uint64_t last, virt_last;

	if (r->size == 0) {
		config_check_report(ck, "memory region %u at 0x%llx has size 0",
				    i, (unsigned long long)r->phys_start);
		return 0;
	}
	config_check_page_aligned(ck, i, "phys_start", r->phys_start);
	config_check_page_aligned(ck, i, "virt_start", r->virt_start);
	config_check_page_aligned(ck, i, "size", r->size);
	if (!config_check_range(r->phys_start, r->size, &last) ||
	    !config_check_range(r->virt_start, r->size, &virt_last)) {
		config_check_report(ck, "memory region %u: start 0x%llx + size 0x%llx wraps past 2^64",
				    i, (unsigned long long)r->phys_start,
				    (unsigned long long)r->size);
		return 0;
	}
	if (r->flags & ~(uint64_t)BH_MEM_VALID_FLAGS)
		config_check_report(ck, "memory region %u [0x%llx-0x%llx] has unknown flags 0x%llx",
				    i, (unsigned long long)r->phys_start,
				    (unsigned long long)last,
				    (unsigned long long)(r->flags & ~(uint64_t)BH_MEM_VALID_FLAGS));
	if (!(r->flags & BH_MEM_READ))
		config_check_report(ck, "memory region %u [0x%llx-0x%llx] lacks the READ flag",
				    i, (unsigned long long)r->phys_start,
				    (unsigned long long)last);
	/* Linux keeps its own physical addresses when it becomes the root cell. */
	if (r->virt_start != r->phys_start)
		config_check_report(ck, "memory region %u [0x%llx-0x%llx]: virt_start 0x%llx differs, but the root cell is identity-mapped",
				    i, (unsigned long long)r->phys_start,
				    (unsigned long long)last,
				    (unsigned long long)r->virt_start);
	return 1;
}

/* Region @i against the hypervisor memory and the regions before it. */
static void config_check_mem_overlaps(struct config_check *ck, uint32_t i,
				      const struct bh_memory_region *mem)
{
	const struct bh_memory_region *hv = &ck->sys->hypervisor_memory;
	uint64_t last, hv_last, o_last;
	uint32_t j;

	if (!config_check_range(mem[i].phys_start, mem[i].size, &last))
		return;
	/* Otherwise Linux could rewrite the hypervisor under it. */
	if (config_check_range(hv->phys_start, hv->size, &hv_last) &&
	    config_check_overlap(mem[i].phys_start, last, hv->phys_start, hv_last))
		config_check_report(ck, "memory region %u [0x%llx-0x%llx] overlaps the hypervisor memory [0x%llx-0x%llx]",
				    i, (unsigned long long)mem[i].phys_start,
				    (unsigned long long)last,
				    (unsigned long long)hv->phys_start,
				    (unsigned long long)hv_last);
	for (j = 0; j < i; j++) {
		if (!config_check_range(mem[j].phys_start, mem[j].size, &o_last) ||
		    !config_check_overlap(mem[i].phys_start, last,
					  mem[j].phys_start, o_last))
			continue;
		config_check_report(ck, "memory region %u [0x%llx-0x%llx] overlaps memory region %u [0x%llx-0x%llx]",
				    i, (unsigned long long)mem[i].phys_start,
				    (unsigned long long)last, j,
				    (unsigned long long)mem[j].phys_start,
				    (unsigned long long)o_last);
	}
}

static void config_check_mem_regions(struct config_check *ck)
{
	const struct bh_cell_desc *c = &ck->sys->root_cell;
	const struct bh_memory_region *mem = bh_cell_mem_regions(c);
	uint32_t i;

	for (i = 0; i < c->num_memory_regions; i++)
		if (config_check_mem_region(ck, i, &mem[i]))
			config_check_mem_overlaps(ck, i, mem);
}

/* The hypervisor's UART is not Linux's: no root pio region may reach it. */
static void config_check_console_pio(struct config_check *ck, uint32_t i,
				     uint32_t base, uint32_t last)
{
	const struct bh_console *con = &ck->sys->debug_console;
	uint32_t con_last = (uint32_t)con->port + CONFIG_CHECK_UART_PORTS - 1;

	if (con->type != BH_CONSOLE_UART_8250 ||
	    !config_check_overlap(con->port, con_last, base, last))
		return;
	config_check_report(ck, "debug console ports [0x%x-0x%x] overlap root pio region %u [0x%x-0x%x]: the hypervisor's UART must not be given to Linux",
			    (unsigned int)con->port, con_last, i, base, last);
}

static void config_check_pio_regions(struct config_check *ck)
{
	const struct bh_cell_desc *c = &ck->sys->root_cell;
	const struct bh_pio_region *pio = bh_cell_pio_regions(c);
	uint32_t i, base, end;

	for (i = 0; i < c->num_pio_regions; i++) {
		base = pio[i].base;
		end = base + pio[i].length;
		if (pio[i].length == 0) {
			config_check_report(ck, "pio region %u at port 0x%x has length 0",
					    i, base);
			continue;
		}
		if (end > CONFIG_CHECK_PORTS)
			config_check_report(ck, "pio region %u [0x%x-0x%x] ends past port 0xffff",
					    i, base, end - 1);
		config_check_console_pio(ck, i, base, end - 1);
	}
}

static void config_check_pci_devices(struct config_check *ck)
{
	const struct bh_cell_desc *c = &ck->sys->root_cell;
	const struct bh_pci_device *dev = bh_cell_pci_devices(c);
	unsigned int bdf;
	uint32_t i;

	for (i = 0; i < c->num_pci_devices; i++) {
		bdf = dev[i].bdf;
		if (dev[i].type != BH_PCI_TYPE_DEVICE &&
		    dev[i].type != BH_PCI_TYPE_IVSHMEM)
			config_check_report(ck, "pci device %u (%x:%x.%x) has unknown type %u",
					    i, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7,
					    (unsigned int)dev[i].type);
		else if (dev[i].type == BH_PCI_TYPE_IVSHMEM &&
			 dev[i].shmem_region >= c->num_memory_regions)
			config_check_report(ck, "pci device %u (%x:%x.%x): ivshmem shmem_region %u is not one of the root cell's %u memory regions",
					    i, bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7,
					    (unsigned int)dev[i].shmem_region,
					    (unsigned int)c->num_memory_regions);
	}
}

int config_check_system(const void *blob, uint64_t size,
			const struct config_sink *sink)
{
	struct config_check ck = { .sys = blob, .size = size, .sink = sink };
	int layout_ok, err;

	if (!blob)
		ck.size = 0;
	err = config_check_header(&ck);
	if (err)
		return err;

	config_check_root_header(&ck);
	config_check_hv_memory(&ck);
	config_check_console(&ck);
	config_check_platform(&ck);
	layout_ok = config_check_layout(&ck);
	config_check_cpu_set(&ck, layout_ok);
	if (layout_ok) {
		config_check_mem_regions(&ck);
		config_check_pio_regions(&ck);
		config_check_pci_devices(&ck);
	}
	return ck.err;
}
