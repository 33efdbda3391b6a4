// SPDX-License-Identifier: GPL-2.0-only
/*
 * edu-dma: drives QEMU's `edu` PCI device (1234:11e8) from userspace, to
 * test what a device's DMA can reach. The register layout is QEMU's
 * docs/specs/edu.rst: BAR0 0x00 identification, 0x04 liveness (reads back
 * inverted), 0x80 DMA source, 0x88 DMA destination, 0x90 count, 0x98
 * command (bit 0 start/busy, bit 1 direction: 1 = buffer to RAM, bit 2
 * interrupt when done); the device's 4 KiB buffer is at 0x40000 in its own
 * address space. BAR0 is mapped through sysfs resource0; the command
 * register's bus-master bit is set through sysfs config. The device masks
 * DMA addresses with its dma_mask property (28 bits by default): run QEMU
 * with `-device edu,dma_mask=0xffffffffffffffff` to reach above 256 MiB.
 *
 * Usage:
 *   edu-dma [-s BDF] info                 identification and liveness
 *   edu-dma [-s BDF] selftest             a page of this process -> the
 *                                         device's buffer -> another page
 *   edu-dma [-s BDF] write ADDR LEN BYTE  a page filled with BYTE -> the
 *                                         buffer -> bus address ADDR
 *   edu-dma [-s BDF] read ADDR LEN        bus address ADDR -> the buffer ->
 *                                         a page; prints its first bytes
 * The buffer is not visible through BAR0, so every command also DMAs to or
 * from this process's own pages, at their physical addresses (from
 * /proc/self/pagemap): bus address = physical address, which holds without
 * an IOMMU, with Linux's IOMMU in passthrough (iommu=pt), or under a
 * hypervisor that maps root-cell memory 1:1 for the device.
 * Exit 0 when the DMA completed (and, for selftest, the data arrived), 1 on
 * a mismatch or timeout, 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <common/edu.h>

static const char *sysdir;
static volatile uint8_t *bar;

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(bar + off);
}

static void wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(bar + off) = v;
}

static void wr64(unsigned int off, uint64_t v)
{
	/* Two 32-bit halves: the device accepts 4- and 8-byte accesses. */
	wr32(off, (uint32_t)v);
	wr32(off + 4, (uint32_t)(v >> 32));
}

static unsigned long sysfs_hex(const char *dir, const char *name)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static const char *find_edu(const char *bdf)
{
	static char path[300];
	struct dirent *d;
	DIR *dir;

	if (bdf) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
		return path;
	}
	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return NULL;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", d->d_name);
		if (sysfs_hex(path, "vendor") == EDU_VENDOR &&
		    sysfs_hex(path, "device") == EDU_DEVICE) {
			closedir(dir);
			return path;
		}
	}
	closedir(dir);
	return NULL;
}

/* Memory decoding and bus mastering on, in the command register (offset 4). */
static int enable_device(void)
{
	char path[512];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "%s/config", sysdir);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2) {
		fprintf(stderr, "edu-dma: %s: %s\n", path, strerror(errno));
		return -1;
	}
	cmd |= 0x6;
	if (pwrite(fd, &cmd, 2, 4) != 2) {
		fprintf(stderr, "edu-dma: writing %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int map_bar(void)
{
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/resource0", sysdir);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, "edu-dma: %s: %s\n", path, strerror(errno));
		return -1;
	}
	p = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "edu-dma: mmap %s: %s\n", path, strerror(errno));
		return -1;
	}
	bar = p;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One transfer between the device's buffer (offset 0) and bus address
 * addr. QEMU runs it from a timer about 100 ms after the start; the busy
 * bit clears when it is done, whether or not the IOMMU let it through
 * (the device ignores DMA errors: a refused DMA is only visible in the
 * IOMMU's report and in memory that did not change).
 */
static int dma(uint64_t addr, uint32_t len, int to_ram)
{
	double t0 = now();

	if (to_ram) {
		wr64(EDU_DMA_SRC, EDU_BUF);
		wr64(EDU_DMA_DST, addr);
	} else {
		wr64(EDU_DMA_SRC, addr);
		wr64(EDU_DMA_DST, EDU_BUF);
	}
	wr64(EDU_DMA_CNT, len);
	wr32(EDU_DMA_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	while (rd32(EDU_DMA_CMD) & EDU_CMD_START) {
		if (now() - t0 > 5) {
			fprintf(stderr, "edu-dma: DMA still busy after 5 s\n");
			return -1;
		}
		usleep(1000);
	}
	printf("edu-dma: %s 0x%" PRIx64 " len %u done in %.0f ms\n",
	       to_ram ? "write to" : "read from", addr, len, (now() - t0) * 1e3);
	return 0;
}

static uint64_t virt_to_phys(void *p)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, 8, (uintptr_t)p / 4096 * 8) != 8)
		entry = 0;
	close(fd);
	if (!(entry & (1ull << 63)))
		return 0;
	return (entry & ((1ull << 55) - 1)) * 4096 + (uintptr_t)p % 4096;
}

/* A locked page of this process and its physical address. */
static uint8_t *own_page(uint64_t *phys)
{
	uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);

	if (page == MAP_FAILED) {
		perror("edu-dma: mmap");
		return NULL;
	}
	*phys = virt_to_phys(page);
	if (!*phys) {
		fprintf(stderr, "edu-dma: no physical address in /proc/self/pagemap\n");
		return NULL;
	}
	return page;
}

static int count(const uint8_t *p, uint32_t len, uint8_t byte)
{
	int n = 0;

	for (uint32_t i = 0; i < len; i++)
		n += p[i] == byte;
	return n;
}

/*
 * The device's buffer is not visible through BAR0: only DMA fills and
 * reads it. selftest: page A (0x5a) -> buffer -> page B (0x11 before).
 */
static int selftest(void)
{
	uint64_t pa, pb;
	uint8_t *a = own_page(&pa), *b = own_page(&pb);
	int got;

	if (!a || !b)
		return 2;
	memset(a, 0x5a, 4096);
	memset(b, 0x11, 4096);
	printf("edu-dma: pages at physical 0x%" PRIx64 " and 0x%" PRIx64 "\n", pa, pb);
	if (dma(pa, 256, 0) || dma(pb, 256, 1))
		return 1;
	got = count(b, 256, 0x5a);
	printf("edu-dma: RAM -> device -> RAM: %d of 256 bytes arrived (first 0x%02x, %d untouched)\n",
	       got, b[0], count(b, 256, 0x11));
	return got != 256;
}

static int usage(void)
{
	fprintf(stderr, "usage: edu-dma [-s BDF] info | selftest | write ADDR LEN BYTE | read ADDR LEN\n");
	return 2;
}

static int read_write(int argc, char **argv)
{
	uint64_t addr = strtoull(argv[2], NULL, 0), pa;
	uint32_t len = strtoul(argv[3], NULL, 0);
	uint8_t *page;

	if (!len || len > EDU_BUF_SIZE) {
		/* QEMU stops with a hardware error on a transfer outside the buffer. */
		fprintf(stderr, "edu-dma: LEN must be 1..%d\n", EDU_BUF_SIZE);
		return 2;
	}
	page = own_page(&pa);
	if (!page)
		return 2;
	if (!strcmp(argv[1], "write") && argc == 5) {
		/* Our page (BYTE) -> buffer -> ADDR. */
		memset(page, (int)strtoul(argv[4], NULL, 0), 4096);
		return dma(pa, len, 0) || dma(addr, len, 1);
	}
	if (!strcmp(argv[1], "read")) {
		/* ADDR -> buffer -> our page (0xee before). */
		memset(page, 0xee, 4096);
		if (dma(addr, len, 0) || dma(pa, len, 1))
			return 1;
		printf("edu-dma: read:");
		for (uint32_t i = 0; i < len && i < 16; i++)
			printf(" %02x", page[i]);
		printf("\n");
		return 0;
	}
	return usage();
}

int main(int argc, char **argv)
{
	const char *bdf = NULL;
	uint32_t id;

	if (argc > 2 && !strcmp(argv[1], "-s")) {
		bdf = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();
	sysdir = find_edu(bdf);
	if (!sysdir) {
		fprintf(stderr, "edu-dma: no 1234:11e8 device\n");
		return 2;
	}
	if (enable_device() || map_bar())
		return 2;
	id = rd32(EDU_ID);
	wr32(EDU_LIVENESS, 0x12345678);
	printf("edu-dma: %s id 0x%08x liveness %s\n", strrchr(sysdir, '/') + 1, id,
	       rd32(EDU_LIVENESS) == ~0x12345678u ? "ok" : "BAD");
	if (!strcmp(argv[1], "info"))
		return 0;
	if (!strcmp(argv[1], "selftest"))
		return selftest();
	if (argc < 4)
		return usage();
	return read_write(argc, argv);
}
