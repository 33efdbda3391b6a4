// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead config create: the system config of the running machine, from
 * what Linux shows of it, as C in the form of configs/x86/ (and as the
 * blob). The config is built once, as the struct the hypervisor reads;
 * the C text and the blob are two renderings of it, so they cannot
 * disagree (tests/system/scenarios/config-create.sh compiles the C and
 * compares).
 *
 * Where things come from:
 *   CPUs            /sys/devices/system/cpu/possible (the MADT for a count)
 *   RAM             top-level "System RAM" of /proc/iomem (needs root)
 *   reservation     memmap=SIZE$START on /proc/cmdline
 *   ECAM            the ACPI MCFG table
 *   local APIC      the ACPI MADT (APIC)
 *   PM timer        the ACPI FADT (FACP)
 *   IOMMU           the ACPI DMAR table's DRHD entries
 *   console UART    the first 16550 of /sys/class/tty/ttyS* that Linux's
 *                   console= does not use
 *   64-bit BARs     /sys/bus/pci/devices/<*>/resource above 4 GiB
 *   ivshmem pairs   each --cell config's ivshmem functions
 *   ivshmem links   --link BDF,PEERS,COMMON,OUTPUT: the shape; where its
 *                   memory is and the vectors, from the --cell configs
 *                   of its peers (which must agree)
 * Root Linux gets its RAM around the reservation, every ivshmem region of
 * the --cell configs, all MMIO from the end of RAM below 4 GiB up, the
 * BARs above it, and every I/O port but the hypervisor's UART.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include <bulkhead/config.h>
#include <bulkhead/ivshmem.h>
#include <bulkhead/sysfs.h>

#include "../common/include/common/x86_apic.h"
#include "config_create.h"
#include "exit_codes.h"
#include "machine.h"

#define MAX_MEM		32
#define MAX_PIO		4
#define MAX_PCI		16
#define MAX_LINKS	CONFIG_CREATE_MAX_LINKS
#define GIB4		0x100000000ull
#define MIB2		0x200000ull


/* The config being built: the same arrays a configs/x86/ file declares. */
struct generated {
	struct bh_system_config sys;
	uint64_t cpus;
	struct bh_memory_region mem[MAX_MEM];
	const char *mem_what[MAX_MEM];		/* a comment for the C text */
	struct bh_pio_region pio[MAX_PIO];
	struct bh_pci_device pci[MAX_PCI];
	const char *cell_of[MAX_PCI];		/* the --cell each pair came from */
	struct bh_ivshmem_link links[MAX_LINKS];
	/* per --link: its memory and vectors as the first --cell on it says */
	uint64_t link_size[MAX_LINKS];
	uint16_t link_vectors[MAX_LINKS];
	const char *link_cell[MAX_LINKS];
};

/* What could not be done or determined, one line on stderr. */
__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bulkhead: config create: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- what Linux shows -------------------------------------------------------------- */

/* An ACPI table, checked for its own length; 0 if absent. */
static size_t acpi_table(const char *sig, uint8_t *buf, size_t max)
{
	char path[64];
	size_t n;

	snprintf(path, sizeof(path), "/sys/firmware/acpi/tables/%s", sig);
	n = machine_read(path, buf, max);
	if (n < 36 || memcmp(buf, sig, 4))
		return 0;
	return *(uint32_t *)(buf + 4) <= n ? *(uint32_t *)(buf + 4) : 0;
}

/* The first memmap= reservation at least @min bytes large; 0 if none. */
static int find_reservation(uint64_t min, struct mem_range *r)
{
	struct mem_range all[MAX_MEM];
	int i, n = machine_reservations(all, MAX_MEM);

	for (i = 0; i < n; i++)
		if (all[i].end - all[i].start >= min) {
			*r = all[i];
			return 1;
		}
	return 0;
}

/* The CPU numbers Linux may ever use, as a mask; 0 if unreadable. */
static uint64_t possible_cpus(void)
{
	char buf[256], *p = buf, *end;
	uint64_t mask = 0;
	unsigned long a, b;

	if (!machine_read("/sys/devices/system/cpu/possible", buf, sizeof(buf) - 1))
		return 0;
	buf[sizeof(buf) - 1] = 0;
	while (*p >= '0' && *p <= '9') {
		a = b = strtoul(p, &end, 10);
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < BH_MAX_CPUS; a++)
			mask |= 1ull << a;
		if (*end != ',')
			break;
		p = end + 1;
	}
	return mask;
}

/* The I/O port of the first 16550 Linux's console= does not name; 0 if none. */
static uint16_t hypervisor_uart(void)
{
	char cmdline[4096] = "", path[96], buf[32], name[16];
	unsigned int i;

	machine_read("/proc/cmdline", cmdline, sizeof(cmdline) - 1);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "console=ttyS%u", i);
		snprintf(path, sizeof(path), "/sys/class/tty/ttyS%u/type", i);
		memset(buf, 0, sizeof(buf));
		/* 0: no UART there (PORT_UNKNOWN) */
		if (!machine_read(path, buf, sizeof(buf) - 1) || atoi(buf) == 0)
			continue;
		if (strstr(cmdline, name))
			continue;
		snprintf(path, sizeof(path), "/sys/class/tty/ttyS%u/port", i);
		memset(buf, 0, sizeof(buf));
		if (machine_read(path, buf, sizeof(buf) - 1))
			return (uint16_t)strtoul(buf, NULL, 0);
	}
	return 0;
}

/* ---- building the config ---------------------------------------------------------- */

static int add_mem(struct generated *g, uint64_t start, uint64_t size, uint64_t flags,
		   const char *what)
{
	struct bh_cell_desc *root = &g->sys.root_cell;

	if (!size)
		return 0;
	if (root->num_memory_regions == MAX_MEM) {
		note("more than %d memory regions", MAX_MEM);
		return -1;
	}
	g->mem_what[root->num_memory_regions] = what;
	g->mem[root->num_memory_regions++] = (struct bh_memory_region){
		.phys_start = start, .virt_start = start, .size = size, .flags = flags,
	};
	return 0;
}

#define RAM_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE | BH_MEM_DMA)
#define MMIO_FLAGS	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)

/* RAM around the reservation; returns where RAM below 4 GiB ends (2 MiB up). */
static uint64_t add_ram(struct generated *g, const struct mem_range *ram, int n,
			const struct mem_range *resv)
{
	uint64_t low_end = 0;
	int i;

	for (i = 0; i < n; i++)
		if (ram[i].end <= GIB4 && ram[i].end > low_end)
			low_end = ram[i].end;
	if (resv->end > low_end && resv->end <= GIB4)
		low_end = resv->end;
	low_end = (low_end + MIB2 - 1) & ~(MIB2 - 1);
	if (resv->start < low_end) {
		add_mem(g, 0, resv->start, RAM_FLAGS, "RAM below the reservation (with the legacy holes)");
		add_mem(g, resv->end, low_end - resv->end, RAM_FLAGS,
			"RAM above it, below the MMIO hole (firmware tables included)");
	} else {
		add_mem(g, 0, low_end, RAM_FLAGS, "RAM below 4 GiB (with the legacy holes)");
	}
	for (i = 0; i < n; i++)
		if (ram[i].start >= GIB4)
			add_mem(g, ram[i].start & ~0xfffull,
				((ram[i].end + 0xfff) & ~0xfffull) - (ram[i].start & ~0xfffull),
				RAM_FLAGS, "RAM above 4 GiB");
	return low_end;
}

/* 64-bit BARs above 4 GiB: each device's, page-rounded (root keeps them). */
static void add_high_bars(struct generated *g)
{
	char path[300], line[128];
	struct dirent *de;
	DIR *d = machine_opendir("/sys/bus/pci/devices");
	FILE *f;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", de->d_name);
		f = machine_fopen(path);
		while (f && fgets(line, sizeof(line), f)) {
			uint64_t s, e, fl;

			if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &fl) == 3 &&
			    s >= GIB4 && e > s && (fl & 0x200))	/* IORESOURCE_MEM */
				add_mem(g, s & ~0xfffull, ((e | 0xfff) + 1) - (s & ~0xfffull),
					MMIO_FLAGS, "a PCI BAR above 4 GiB");
		}
		if (f)
			fclose(f);
	}
	closedir(d);
}

/* Root Linux's side of each ivshmem pair of @cell (a cell config blob). */
static int see_link(struct generated *g, const struct config_create_opts *o,
		    const struct bh_cell_desc *cell, const char *path,
		    const struct bh_pci_device *dev, const struct bh_memory_region *r);

static int add_pairs(struct generated *g, const struct bh_cell_desc *cell, const char *path,
		     const struct mem_range *resv, const struct config_create_opts *o)
{
	const struct bh_memory_region *mem = bh_cell_mem_regions(cell);
	const struct bh_pci_device *pci = bh_cell_pci_devices(cell);
	struct bh_cell_desc *root = &g->sys.root_cell;
	unsigned int i;

	for (i = 0; i < cell->num_pci_devices; i++) {
		const struct bh_memory_region *r;

		if (pci[i].type != BH_PCI_TYPE_IVSHMEM && pci[i].type != BH_PCI_TYPE_IVSHMEM_LINK)
			continue;
		r = &mem[pci[i].shmem_region];
		if (r->phys_start < resv->start || r->phys_start + r->size > resv->end) {
			note("%s: ivshmem %02x:%02x.%x's memory 0x%" PRIx64 "+0x%" PRIx64 " is outside the reservation",
				path, pci[i].bdf >> 8, pci[i].bdf >> 3 & 0x1f, pci[i].bdf & 7,
				r->phys_start, r->size);
			return -1;
		}
		if (pci[i].type == BH_PCI_TYPE_IVSHMEM_LINK) {
			if (see_link(g, o, cell, path, &pci[i], r))
				return -1;
			continue;
		}
		if (root->num_pci_devices == MAX_PCI)
			return -1;
		g->cell_of[root->num_pci_devices] = cell->name;
		g->pci[root->num_pci_devices++] = (struct bh_pci_device){
			.type = BH_PCI_TYPE_IVSHMEM, .domain = pci[i].domain, .bdf = pci[i].bdf,
			.num_msix_vectors = pci[i].num_msix_vectors,
			.shmem_region = root->num_memory_regions,
			.shmem_peer_id = IVSHMEM_ROOT_PEER_ID,
		};
		if (add_mem(g, r->phys_start, r->size, BH_MEM_READ | BH_MEM_WRITE, "ivshmem pair"))
			return -1;
	}
	return 0;
}

static int link_index(const struct config_create_opts *o, uint16_t bdf)
{
	int i;

	for (i = 0; i < o->num_links; i++)
		if (o->links[i].bdf == bdf)
			return i;
	return -1;
}

/* A --cell's link device: where the link's memory is, its vectors. */
static int see_link(struct generated *g, const struct config_create_opts *o,
		    const struct bh_cell_desc *cell, const char *path,
		    const struct bh_pci_device *dev, const struct bh_memory_region *r)
{
	int k = link_index(o, dev->bdf);

	if (k < 0) {
		note("%s: a link device at %02x:%02x.%x: say its shape with --link %02x:%02x.%x,PEERS,COMMON,OUTPUT",
			path, dev->bdf >> 8, dev->bdf >> 3 & 0x1f, dev->bdf & 7,
			dev->bdf >> 8, dev->bdf >> 3 & 0x1f, dev->bdf & 7);
		return -1;
	}
	if (!g->link_cell[k]) {
		g->link_cell[k] = cell->name;
		g->links[k].phys_start = r->phys_start;
		g->link_size[k] = r->size;
		g->link_vectors[k] = dev->num_msix_vectors;
	} else if (g->links[k].phys_start != r->phys_start || g->link_size[k] != r->size ||
		   g->link_vectors[k] != dev->num_msix_vectors) {
		note("%s: link %02x:%02x.%x differs from cell \"%s\"'s (memory 0x%" PRIx64 "+0x%" PRIx64 ", %u vectors there)",
			path, dev->bdf >> 8, dev->bdf >> 3 & 0x1f, dev->bdf & 7, g->link_cell[k],
			g->links[k].phys_start, g->link_size[k], g->link_vectors[k]);
		return -1;
	}
	return 0;
}

/* Root Linux as peer 0 of each --link: its region, its device, the link. */
static int add_links(struct generated *g, const struct config_create_opts *o)
{
	struct bh_cell_desc *root = &g->sys.root_cell;
	int k;

	for (k = 0; k < o->num_links; k++) {
		const struct config_create_link *l = &o->links[k];
		uint64_t want = IVSHMEM_LINK_SIZE(l->common_size, l->output_size, l->num_peers);

		if (!g->link_cell[k]) {
			note("--link %02x:%02x.%x: no --cell config has a device there (its memory is taken from theirs)",
				l->bdf >> 8, l->bdf >> 3 & 0x1f, l->bdf & 7);
			return -1;
		}
		if (want != g->link_size[k]) {
			note("--link %02x:%02x.%x: %u peers, common 0x%" PRIx64 " and output 0x%" PRIx64 " make 0x%" PRIx64 " bytes, cell \"%s\"'s region has 0x%" PRIx64 "",
				l->bdf >> 8, l->bdf >> 3 & 0x1f, l->bdf & 7, l->num_peers, l->common_size,
				l->output_size, want, g->link_cell[k], g->link_size[k]);
			return -1;
		}
		if (root->num_pci_devices == MAX_PCI)
			return -1;
		g->links[k].bdf = l->bdf;
		g->links[k].num_peers = l->num_peers;
		g->links[k].common_size = l->common_size;
		g->links[k].output_size = l->output_size;
		g->cell_of[root->num_pci_devices] = NULL;
		g->pci[root->num_pci_devices++] = (struct bh_pci_device){
			.type = BH_PCI_TYPE_IVSHMEM_LINK, .bdf = l->bdf,
			.num_msix_vectors = g->link_vectors[k],
			.shmem_region = root->num_memory_regions, .shmem_peer_id = 0,
		};
		if (add_mem(g, g->links[k].phys_start, g->link_size[k], BH_MEM_READ | BH_MEM_WRITE,
			    "the link's memory: root Linux is peer 0"))
			return -1;
	}
	g->sys.num_ivshmem_links = (uint32_t)o->num_links;
	return 0;
}

static void platform(struct generated *g)
{
	static uint8_t t[65536];
	struct bh_platform *p = &g->sys.platform;
	size_t n, off;
	unsigned int units = 0;

	p->apic_mode = BH_APIC_XAPIC;
	p->apic_base = APIC_BASE;
	if (acpi_table("APIC", t, sizeof(t)) >= 44)
		p->apic_base = *(uint32_t *)(t + 36);
	else
		note("no ACPI MADT, assuming the local APIC at 0x%lx",
			APIC_BASE);
	if (acpi_table("MCFG", t, sizeof(t)) >= 60) {
		p->pci_mmconfig_base = *(uint64_t *)(t + 44);
		p->pci_mmconfig_end_bus = t[44 + 11];
	} else {
		note("MCFG: no ACPI MCFG: no ECAM, PCI config space through ports only");
	}
	if (acpi_table("FACP", t, sizeof(t)) >= 80)
		p->pm_timer_port = *(uint32_t *)(t + 76);
	if (!p->pm_timer_port)
		note("FACP: no PM timer in the ACPI FADT: inmates cannot calibrate their clocks");
	n = acpi_table("DMAR", t, sizeof(t));
	for (off = 48; n && off + 16 <= n && units < BH_MAX_IOMMU_UNITS;) {
		uint16_t type = *(uint16_t *)(t + off), len = *(uint16_t *)(t + off + 2);

		if (len < 4)
			break;
		if (type == 0)	/* DRHD */
			p->iommu_base[units++] = *(uint64_t *)(t + off + 8);
		off += len;
	}
	if (units)
		p->iommu_type = BH_IOMMU_VTD;
}

/* ---- rendering ------------------------------------------------------------------- */

static void print_flags(FILE *out, uint64_t flags)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ BH_MEM_READ, "BH_MEM_READ" }, { BH_MEM_WRITE, "BH_MEM_WRITE" },
		{ BH_MEM_EXECUTE, "BH_MEM_EXECUTE" }, { BH_MEM_DMA, "BH_MEM_DMA" },
		{ BH_MEM_IO, "BH_MEM_IO" },
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit) {
			fprintf(out, "%s%s", sep, names[i].name);
			sep = " | ";
		}
}

static void print_c(FILE *out, const struct generated *g)
{
	const struct bh_system_config *s = &g->sys;
	const struct bh_cell_desc *root = &s->root_cell;
	unsigned int i, k;

	fprintf(out, "// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause\n"
		"/* System config of this machine, by `bulkhead config create`. */\n"
		"#include <bulkhead/config.h>\n#include <bulkhead/ivshmem.h>\n\n"
		"#define ARRAY_SIZE(a)\t(sizeof(a) / sizeof((a)[0]))\n\n"
		"static const struct {\n\tstruct bh_system_config sys;\n\tuint64_t cpus[1];\n"
		"\tstruct bh_memory_region mem[%u];\n\tstruct bh_pio_region pio[%u];\n",
		root->num_memory_regions, root->num_pio_regions);
	if (root->num_pci_devices)
		fprintf(out, "\tstruct bh_pci_device pci[%u];\n", root->num_pci_devices);
	if (s->num_ivshmem_links)
		fprintf(out, "\tstruct bh_ivshmem_link links[%u];\n", s->num_ivshmem_links);
	fprintf(out, "} BH_PACKED config __attribute__((section(\".bhconfig\"), used)) = {\n"
		"\t.sys = {\n\t\t.signature = BH_SYSTEM_SIGNATURE,\n"
		"\t\t.revision = BH_CONFIG_REVISION,\n%s"
		"\t\t.hypervisor_memory = {\n\t\t\t.phys_start = 0x%" PRIx64 ",\n"
		"\t\t\t.size = 0x%" PRIx64 ",\n\t\t},\n",
		s->num_ivshmem_links ? "\t\t.num_ivshmem_links = ARRAY_SIZE(config.links),\n" : "",
		s->hypervisor_memory.phys_start, s->hypervisor_memory.size);
	if (s->debug_console.type)
		fprintf(out, "\t\t.debug_console = {\n\t\t\t.type = BH_CONSOLE_UART_8250,\n"
			"\t\t\t.port = 0x%x,\n\t\t},\n", s->debug_console.port);
	fprintf(out, "\t\t.platform = {\n");
	if (s->platform.pci_mmconfig_base)
		fprintf(out, "\t\t\t.pci_mmconfig_base = 0x%" PRIx64 ",\n"
			"\t\t\t.pci_mmconfig_end_bus = 0x%x,\n",
			s->platform.pci_mmconfig_base, s->platform.pci_mmconfig_end_bus);
	fprintf(out, "\t\t\t.apic_mode = BH_APIC_XAPIC,\n\t\t\t.apic_base = 0x%" PRIx64 ",\n",
		s->platform.apic_base);
	if (s->platform.pm_timer_port)
		fprintf(out, "\t\t\t.pm_timer_port = 0x%x,\n", s->platform.pm_timer_port);
	if (s->platform.iommu_type) {
		fprintf(out, "\t\t\t.iommu_type = BH_IOMMU_VTD,\n\t\t\t.iommu_base = {");
		for (k = 0; k < BH_MAX_IOMMU_UNITS && s->platform.iommu_base[k]; k++)
			fprintf(out, "%s0x%" PRIx64, k ? ", " : " ", s->platform.iommu_base[k]);
		fprintf(out, " },\n");
	}
	fprintf(out, "\t\t},\n\t\t.root_cell = {\n\t\t\t.signature = BH_CELL_SIGNATURE,\n"
		"\t\t\t.revision = BH_CONFIG_REVISION,\n\t\t\t.name = \"%s\",\n"
		"\t\t\t.cpu_set_size = sizeof(config.cpus),\n"
		"\t\t\t.num_memory_regions = ARRAY_SIZE(config.mem),\n"
		"\t\t\t.num_pio_regions = ARRAY_SIZE(config.pio),\n", root->name);
	if (root->num_pci_devices)
		fprintf(out, "\t\t\t.num_pci_devices = ARRAY_SIZE(config.pci),\n");
	fprintf(out, "\t\t},\n\t},\n\t.cpus = { 0x%" PRIx64 " },\n\t.mem = {\n", g->cpus);
	for (i = 0; i < root->num_memory_regions; i++) {
		const struct bh_memory_region *r = &g->mem[i];

		fprintf(out, "\t\t/* %s */\n\t\t{\n\t\t\t.phys_start = 0x%" PRIx64 ",\n"
			"\t\t\t.virt_start = 0x%" PRIx64 ",\n\t\t\t.size = 0x%" PRIx64 ",\n"
			"\t\t\t.flags = ", g->mem_what[i], r->phys_start, r->virt_start, r->size);
		print_flags(out, r->flags);
		fprintf(out, ",\n\t\t},\n");
	}
	fprintf(out, "\t},\n\t.pio = {\n");
	for (i = 0; i < root->num_pio_regions; i++)
		fprintf(out, "\t\t{ .base = 0x%x, .length = 0x%x },\n", g->pio[i].base,
			g->pio[i].length);
	fprintf(out, "\t},\n");
	if (root->num_pci_devices) {
		fprintf(out, "\t.pci = {\n");
		for (i = 0; i < root->num_pci_devices; i++) {
			int link = g->pci[i].type == BH_PCI_TYPE_IVSHMEM_LINK;

			if (link)
				fprintf(out, "\t\t/* root Linux's end of the link, peer 0 */\n");
			else
				fprintf(out, "\t\t/* the root side of cell \"%s\"'s pair */\n",
					g->cell_of[i]);
			fprintf(out, "\t\t{\n\t\t\t.type = %s,\n"
				"\t\t\t.bdf = 0x%x,\t/* %02x:%02x.%x */\n"
				"\t\t\t.num_msix_vectors = %u,\n\t\t\t.shmem_region = %u,\n"
				"\t\t\t.shmem_peer_id = %s,\n\t\t},\n",
				link ? "BH_PCI_TYPE_IVSHMEM_LINK" : "BH_PCI_TYPE_IVSHMEM",
				g->pci[i].bdf, g->pci[i].bdf >> 8, g->pci[i].bdf >> 3 & 0x1f,
				g->pci[i].bdf & 7, g->pci[i].num_msix_vectors, g->pci[i].shmem_region,
				link ? "0" : "IVSHMEM_ROOT_PEER_ID");
		}
		fprintf(out, "\t},\n");
	}
	if (s->num_ivshmem_links) {
		fprintf(out, "\t.links = {\n");
		for (i = 0; i < s->num_ivshmem_links; i++)
			fprintf(out, "\t\t{\n\t\t\t.bdf = 0x%x,\n\t\t\t.num_peers = %u,\n"
				"\t\t\t.phys_start = 0x%" PRIx64 ",\n"
				"\t\t\t.common_size = 0x%" PRIx64 ",\n"
				"\t\t\t.output_size = 0x%" PRIx64 ",\n\t\t},\n",
				g->links[i].bdf, g->links[i].num_peers, g->links[i].phys_start,
				g->links[i].common_size, g->links[i].output_size);
		fprintf(out, "\t},\n");
	}
	fprintf(out, "};\n");
}

/* The blob: the same layout the compiled C has (bulkhead/config.h). */
static int write_blob(const char *path, const struct generated *g)
{
	const struct bh_cell_desc *root = &g->sys.root_cell;
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f) {
		note("%s: %s", path, strerror(errno));
		return -1;
	}
	ok = fwrite(&g->sys, sizeof(g->sys), 1, f) == 1 &&
	     fwrite(&g->cpus, sizeof(g->cpus), 1, f) == 1 &&
	     fwrite(g->mem, sizeof(g->mem[0]), root->num_memory_regions, f) ==
		     root->num_memory_regions &&
	     fwrite(g->pio, sizeof(g->pio[0]), root->num_pio_regions, f) == root->num_pio_regions &&
	     fwrite(g->pci, sizeof(g->pci[0]), root->num_pci_devices, f) == root->num_pci_devices &&
	     fwrite(g->links, sizeof(g->links[0]), g->sys.num_ivshmem_links, f) ==
		     g->sys.num_ivshmem_links;
	if (fclose(f) || !ok) {
		note("%s: write failed", path);
		return -1;
	}
	return 0;
}

int config_create(const struct config_create_opts *o)
{
	static struct generated g;
	struct bh_cell_desc *root = &g.sys.root_cell;
	struct mem_range ram[MAX_MEM], resv;
	uint64_t low_end;
	uint16_t uart;
	FILE *out;
	int n, i;

	memset(&g, 0, sizeof(g));	/* static for its size, not to keep anything */
	memcpy(g.sys.signature, BH_SYSTEM_SIGNATURE, BH_SIGNATURE_LEN);
	g.sys.revision = BH_CONFIG_REVISION;
	memcpy(root->signature, BH_CELL_SIGNATURE, BH_SIGNATURE_LEN);
	root->revision = BH_CONFIG_REVISION;
	snprintf(root->name, sizeof(root->name), "%s", o->name);
	root->cpu_set_size = sizeof(g.cpus);

	g.cpus = possible_cpus();
	if (!g.cpus) {
		note("/sys/devices/system/cpu/possible: cannot read the CPUs Linux may use");
		return EXIT_FAILED;
	}
	if (!find_reservation(o->mem_hv + o->mem_inmates, &resv)) {
		note("no memmap=SIZE$START reservation of at least %" PRIu64 " MiB on the kernel command line (--mem-hv %" PRIu64 " MiB + --mem-inmates %" PRIu64 " MiB): add one, e.g. memmap=80M$0x3a000000, and reboot",
			(o->mem_hv + o->mem_inmates) >> 20, o->mem_hv >> 20, o->mem_inmates >> 20);
		return EXIT_FAILED;
	}
	g.sys.hypervisor_memory.phys_start = resv.start;
	g.sys.hypervisor_memory.size = o->mem_hv;
	n = machine_system_ram(ram, MAX_MEM);
	if (n <= 0) {
		note("/proc/iomem: no System RAM ranges (run as root: the addresses are hidden otherwise)");
		return EXIT_FAILED;
	}
	platform(&g);
	uart = hypervisor_uart();
	if (uart) {
		g.sys.debug_console.type = BH_CONSOLE_UART_8250;
		g.sys.debug_console.port = uart;
		g.pio[root->num_pio_regions++] = (struct bh_pio_region){ .base = 0, .length = uart };
		g.pio[root->num_pio_regions++] = (struct bh_pio_region){
			.base = (uint16_t)(uart + 8), .length = (uint16_t)(0x10000 - uart - 8),
		};
	} else {
		note("console: no serial port besides Linux's console: the hypervisor logs to memory only (bulkhead console)");
		g.pio[root->num_pio_regions++] = (struct bh_pio_region){ .base = 0, .length = 0x8000 };
		g.pio[root->num_pio_regions++] = (struct bh_pio_region){ .base = 0x8000, .length = 0x8000 };
	}

	low_end = add_ram(&g, ram, n, &resv);
	for (i = 0; i < o->num_cells; i++)
		if (add_pairs(&g, o->cells[i], o->cell_paths[i], &resv, o))
			return EXIT_FAILED;
	if (low_end < GIB4)
		add_mem(&g, low_end, GIB4 - low_end, MMIO_FLAGS,
			"MMIO: ECAM, PCI BARs, I/O APIC, HPET, local APIC, flash");
	if (add_links(&g, o))
		return EXIT_FAILED;
	add_high_bars(&g);

	if (o->blob_path && write_blob(o->blob_path, &g))
		return EXIT_FAILED;
	out = o->c_path ? fopen(o->c_path, "w") : stdout;
	if (!out) {
		note("%s: %s", o->c_path, strerror(errno));
		return EXIT_FAILED;
	}
	print_c(out, &g);
	if (out != stdout && fclose(out)) {
		note("%s: write failed", o->c_path);
		return EXIT_FAILED;
	}
	return 0;
}
