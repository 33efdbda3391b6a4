// SPDX-License-Identifier: GPL-2.0-only
/*
 * `bulkhead config create` against machines described as trees of /proc
 * and /sys files (BULKHEAD_MACHINE_ROOT, tools/machine.h): one row per
 * machine, what Linux would show there and what the config must say.
 * The QEMU scenario config-create runs it on real guests; these rows
 * cover what the test machine does not have (one serial port, RAM and
 * BARs above 4 GiB, an IOMMU, hidden addresses).
 */
#include "../../tools/config_create.c"
#include "../../tools/machine.c"
#include "../../common/config_check.c"

#include <sys/stat.h>

#include "check.h"

#define Q35_IOMEM \
	"00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n" \
	"000f0000-000fffff : Reserved\n  000f0000-000fffff : System ROM\n" \
	"00100000-39ffffff : System RAM\n  01000000-01ffffff : Kernel code\n" \
	"3a000000-3effffff : Reserved\n3f000000-3ffdffff : System RAM\n" \
	"3ffe0000-3fffffff : Reserved\nb0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]\n"

struct machine {
	const char *what;
	const char *cmdline, *iomem, *possible;
	const char *ttys[4];		/* "TYPE PORT" of ttyS0..3, NULL: none */
	uint64_t ecam, iommu;		/* 0: no MCFG / no DMAR */
	const char *bar;		/* a line of some device's resource file */
	uint64_t mem_inmates;
	/* expected */
	int ret;
	uint64_t cpus;
	uint16_t uart;
	unsigned int num_mem;
	struct bh_memory_region mem[4];	/* the first regions, in order */
	struct bh_memory_region last;	/* the last one */
};

#define RAM	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXECUTE | BH_MEM_DMA)
#define MMIO	(BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO)
#define REGION(s, n, f)	{ .phys_start = (s), .virt_start = (s), .size = (n), .flags = (f) }

static const struct machine machines[] = {
	{ "q35, -m 1G -smp 4, two serial ports", "console=ttyS1 memmap=80M$0x3a000000", Q35_IOMEM,
	  "0-3\n", { "4\n0x3F8", "4\n0x2F8", "0\n0x3E8", "0\n0x2E8" }, 0xb0000000, 0, NULL, 48 << 20,
	  0, 0xf, 0x3f8, 3,
	  { REGION(0, 0x3a000000, RAM), REGION(0x3f000000, 0x1000000, RAM),
	    REGION(0x40000000, 0xc0000000, MMIO) },
	  REGION(0x40000000, 0xc0000000, MMIO) },
	{ "one serial port, Linux's console on it; -smp 2", "memmap=80M$0x3a000000 console=ttyS0",
	  Q35_IOMEM, "0-1\n", { "4\n0x3F8", "0\n0x2F8" }, 0xb0000000, 0, NULL, 0,
	  0, 0x3, 0, 3, { REGION(0, 0x3a000000, RAM) }, REGION(0x40000000, 0xc0000000, MMIO) },
	{ "RAM above 4 GiB, a 64-bit BAR there, an IOMMU", "memmap=0x5000000$0x3a000000",
	  "00001000-0009fbff : System RAM\n00100000-7fffffff : System RAM\n"
	  "100000000-17fffffff : System RAM\n",
	  "0,2-3\n", { "4\n0x3F8" }, 0xe0000000, 0xfed90000,
	  "0x0000000800000000 0x00000008000fffff 0x000000000014220c\n", 0,
	  0, 0xd, 0x3f8, 5,
	  { REGION(0, 0x3a000000, RAM), REGION(0x3f000000, 0x41000000, RAM),
	    REGION(0x100000000, 0x80000000, RAM), REGION(0x80000000, 0x80000000, MMIO) },
	  REGION(0x800000000, 0x100000, MMIO) },
	{ .what = "no reservation", .cmdline = "console=ttyS1", .iomem = Q35_IOMEM,
	  .possible = "0-3\n", .ttys = { "4\n0x3F8" }, .ecam = 0xb0000000, .ret = EXIT_FAILED },
	{ .what = "a reservation too small for --mem-inmates", .cmdline = "memmap=32M$0x3a000000",
	  .iomem = Q35_IOMEM, .possible = "0-3\n", .ttys = { "4\n0x3F8" }, .ecam = 0xb0000000,
	  .mem_inmates = 48 << 20, .ret = EXIT_FAILED },
	{ .what = "addresses hidden (not root)", .cmdline = "memmap=80M$0x3a000000",
	  .iomem = "00000000-00000000 : System RAM\n00000000-00000000 : System RAM\n",
	  .possible = "0-3\n", .ttys = { "4\n0x3F8" }, .ecam = 0xb0000000, .ret = EXIT_FAILED },
};

static char root[256];

static void put(const char *rel, const void *data, size_t len)
{
	char path[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "wb");
	CHECK(f && fwrite(data, 1, len, f) == len, "cannot write %s", path);
	if (f)
		fclose(f);
}

static void put_text(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

/* An ACPI table of @len bytes with @sig, fields patched in by the caller. */
static void acpi_put(const char *sig, uint8_t *t, uint32_t len)
{
	char rel[64];

	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	snprintf(rel, sizeof(rel), "/sys/firmware/acpi/tables/%s", sig);
	put(rel, t, len);
}

static void build(const struct machine *m)
{
	uint8_t t[128];
	uint32_t u32;
	uint64_t u64;
	char rel[64];
	unsigned int i;

	snprintf(root, sizeof(root), "/tmp/test_config_create.XXXXXX");
	CHECK(mkdtemp(root) != NULL, "mkdtemp");
	put_text("/proc/cmdline", m->cmdline);
	put_text("/proc/iomem", m->iomem);
	put_text("/sys/devices/system/cpu/possible", m->possible);
	for (i = 0; i < 4 && m->ttys[i]; i++) {
		char type[8];

		snprintf(type, sizeof(type), "%.*s", (int)(strchr(m->ttys[i], '\n') - m->ttys[i]),
			 m->ttys[i]);
		snprintf(rel, sizeof(rel), "/sys/class/tty/ttyS%u/type", i);
		put_text(rel, type);
		snprintf(rel, sizeof(rel), "/sys/class/tty/ttyS%u/port", i);
		put_text(rel, strchr(m->ttys[i], '\n') + 1);
	}
	memset(t, 0, sizeof(t));
	u32 = 0xfee00000;
	memcpy(t + 36, &u32, 4);
	acpi_put("APIC", t, 44);
	memset(t, 0, sizeof(t));
	u32 = 0x608;
	memcpy(t + 76, &u32, 4);
	acpi_put("FACP", t, 116);
	if (m->ecam) {
		memset(t, 0, sizeof(t));
		memcpy(t + 44, &m->ecam, 8);
		t[44 + 11] = 0xff;
		acpi_put("MCFG", t, 60);
	}
	if (m->iommu) {
		memset(t, 0, sizeof(t));
		t[50] = 16;			/* DRHD, 16 bytes */
		u64 = m->iommu;
		memcpy(t + 48 + 8, &u64, 8);
		acpi_put("DMAR", t, 64);
	}
	if (m->bar)
		put_text("/sys/bus/pci/devices/0000:00:05.0/resource", m->bar);
	else
		put_text("/sys/bus/pci/devices/0000:00:00.0/resource",
			 "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
}

static void region_is(const struct machine *m, const char *which,
		      const struct bh_memory_region *got, const struct bh_memory_region *want)
{
	CHECK(got->phys_start == want->phys_start && got->virt_start == want->virt_start &&
	      got->size == want->size && got->flags == want->flags,
	      "%s: %s region 0x%llx+0x%llx flags 0x%llx, want 0x%llx+0x%llx flags 0x%llx", m->what,
	      which, (unsigned long long)got->phys_start, (unsigned long long)got->size,
	      (unsigned long long)got->flags, (unsigned long long)want->phys_start,
	      (unsigned long long)want->size, (unsigned long long)want->flags);
}

static void check_blob(const struct machine *m, const char *blob_path)
{
	static uint8_t blob[65536];
	const struct bh_system_config *s = (const void *)blob;
	const struct bh_memory_region *mem;
	const struct bh_pio_region *pio;
	FILE *f = fopen(blob_path, "rb");
	size_t n = f ? fread(blob, 1, sizeof(blob), f) : 0;
	unsigned int i;

	if (f)
		fclose(f);
	CHECK(n >= sizeof(*s) && n == bh_system_config_size(s), "%s: blob of %zu bytes", m->what, n);
	if (n < sizeof(*s) || n != bh_system_config_size(s))
		return;
	CHECK(!config_check_system(blob, n, NULL), "%s: the generated config fails config check",
	      m->what);
	CHECK_EQ(*(const uint64_t *)bh_cell_cpu_set(&s->root_cell), m->cpus, "CPUs");
	CHECK_EQ(s->hypervisor_memory.phys_start, 0x3a000000, "hypervisor memory start");
	CHECK_EQ(s->hypervisor_memory.size, 16 << 20, "hypervisor memory size");
	CHECK_EQ(s->debug_console.port, m->uart, "the hypervisor's UART");
	CHECK_EQ(s->debug_console.type, m->uart ? BH_CONSOLE_UART_8250 : BH_CONSOLE_NONE,
		 "console type");
	CHECK_EQ(s->platform.pci_mmconfig_base, m->ecam, "ECAM");
	CHECK_EQ(s->platform.pm_timer_port, 0x608, "PM timer");
	CHECK_EQ(s->platform.iommu_base[0], m->iommu, "IOMMU");
	CHECK_EQ(s->platform.iommu_type, m->iommu ? BH_IOMMU_VTD : BH_IOMMU_NONE, "IOMMU type");
	CHECK_EQ(s->root_cell.num_memory_regions, m->num_mem, "memory regions");
	mem = bh_cell_mem_regions(&s->root_cell);
	for (i = 0; i < 4 && m->mem[i].size; i++)
		region_is(m, "a leading", &mem[i], &m->mem[i]);
	if (s->root_cell.num_memory_regions)
		region_is(m, "the last", &mem[s->root_cell.num_memory_regions - 1], &m->last);
	/* Every port but the hypervisor's UART, exactly once. */
	pio = bh_cell_pio_regions(&s->root_cell);
	{
		unsigned int ports = 0;

		for (i = 0; i < s->root_cell.num_pio_regions; i++) {
			ports += pio[i].length;
			if (m->uart)
				CHECK(pio[i].base >= m->uart + 8 || pio[i].base + pio[i].length <= m->uart,
				      "%s: root gets the hypervisor's UART", m->what);
		}
		CHECK_EQ(ports, m->uart ? 0x10000 - 8 : 0x10000, "ports given to root");
	}
}

static void run_row(const struct machine *m)
{
	struct config_create_opts o = {
		.name = "generated", .mem_hv = 16 << 20, .mem_inmates = m->mem_inmates,
	};
	char c_path[300], blob_path[300], cmd[700];
	int ret;

	build(m);
	snprintf(c_path, sizeof(c_path), "%s/out.c", root);
	snprintf(blob_path, sizeof(blob_path), "%s/out.cell", root);
	o.c_path = c_path;
	o.blob_path = blob_path;
	setenv("BULKHEAD_MACHINE_ROOT", root, 1);
	ret = config_create(&o);
	unsetenv("BULKHEAD_MACHINE_ROOT");
	CHECK(ret == m->ret, "%s: config create returned %d, want %d", m->what, ret, m->ret);
	if (!ret)
		check_blob(m, blob_path);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0, "cleaning %s", root);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		run_row(&machines[i]);
	return check_exit();
}
