// SPDX-License-Identifier: GPL-2.0-only
/*
 * bh-cfgtool: damages a system config for hv-badconfig, and enables with
 * a raw ioctl so that the driver and the hypervisor (not just the CLI's
 * own check) must refuse it.
 *
 *   bh-cfgtool mutate KIND IN OUT   KIND: magic revision overlap outside
 *                                   nouart (no debug console: valid)
 *                                   ivshmem-ram (the first ivshmem's shared
 *                                   memory inside Linux's RAM) ivshmem-real
 *                                   (its BDF on q35's LPC bridge, 00:1f.0)
 *                                   ram-short (the RAM region that holds
 *                                   Linux's kernel ends at 16 MiB)
 *                                   link-peers (the first link: 17 peers)
 *                                   link-size (the root's region for the
 *                                   first link 4 KiB short)
 *   bh-cfgtool mutate-cell KIND IN OUT
 *                                   KIND: rootmem (memory over Linux's
 *                                   kernel) nocpu (CPU 5) twin (renamed)
 *                                   ivshmem-twin (renamed, CPU 2, own RAM,
 *                                   same ivshmem) ivshmem-bdf (00:10.0)
 *                                   ivshmem-start ivshmem-size (shared
 *                                   region 1 MiB off / 1 MiB smaller)
 *                                   ivshmem-noshared (no ROOTSHARED)
 *                                   gpa-huge (one more region, 4 KiB of
 *                                   the reservation seen at 2^63)
 *                                   io-over-rootram (a device region over
 *                                   Linux's kernel) io-over-shmem (a device
 *                                   region over the other pair's shared
 *                                   memory, 0x3e200000)
 *                                   link-root-id (its link device takes
 *                                   peer ID 0, the root's) link-big-id
 *                                   (peer ID 3 on a 3-peer link)
 *                                   link-noshared (the link's memory
 *                                   without ROOTSHARED) link-twin (renamed,
 *                                   CPU 1, own RAM, the same peer ID)
 *   bh-cfgtool raw-enable FILE      exit 0 if refused (prints the reason),
 *                                   1 if it was accepted (then disables)
 *   bh-cfgtool raw-create FILE      the same for a cell, past the CLI's
 *                                   own check (destroys one accepted)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bulkhead/config.h>
#include <bulkhead/ioctl.h>

static char blob[65536];

static size_t load_any(const char *path, size_t min)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	n = fread(blob, 1, sizeof(blob), f);
	fclose(f);
	if (n < min) {
		fprintf(stderr, "%s: too short\n", path);
		exit(2);
	}
	return n;
}

/* Writes the first @n bytes of the blob to @path: 0, or 2 (told why). */
static int save(const char *path, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(blob, 1, n, f) != n || fclose(f)) {
		perror(path);
		return 2;
	}
	return 0;
}

static size_t load(const char *path)
{
	return load_any(path, sizeof(struct bh_system_config));
}

static size_t load_cell(const char *path)
{
	return load_any(path, sizeof(struct bh_cell_desc));
}

/* The cell's first device of @type (a pair's or a link's), or exit 2. */
static struct bh_pci_device *first_of(struct bh_cell_desc *cell, uint8_t type)
{
	struct bh_pci_device *dev = (struct bh_pci_device *)bh_cell_pci_devices(cell);
	uint32_t i;

	for (i = 0; i < cell->num_pci_devices; i++)
		if (dev[i].type == type)
			return &dev[i];
	fprintf(stderr, "the config has no ivshmem %s device\n",
		type == BH_PCI_TYPE_IVSHMEM ? "pair" : "link");
	exit(2);
}

#define first_ivshmem(cell)	first_of((cell), BH_PCI_TYPE_IVSHMEM)
#define first_link(cell)	first_of((cell), BH_PCI_TYPE_IVSHMEM_LINK)

/*
 * Appends @r to @cell's memory regions in the blob of *@n bytes: the pio
 * regions and PCI devices after them move up. Exit 2 if it does not fit.
 */
static void add_mem_region(struct bh_cell_desc *cell, size_t *n,
			   const struct bh_memory_region *r)
{
	uint8_t *end = (uint8_t *)(bh_cell_mem_regions(cell) + cell->num_memory_regions);
	size_t tail = *n - (size_t)(end - (uint8_t *)blob);

	if (*n + sizeof(*r) > sizeof(blob)) {
		fprintf(stderr, "config too large to add a region\n");
		exit(2);
	}
	memmove(end + sizeof(*r), end, tail);
	memcpy(end, r, sizeof(*r));
	cell->num_memory_regions++;
	*n += sizeof(*r);
}

/* The root region (not device memory) holding physical @addr, or exit 2. */
static struct bh_memory_region *root_ram_at(struct bh_cell_desc *root, uint64_t addr)
{
	struct bh_memory_region *mem = (struct bh_memory_region *)bh_cell_mem_regions(root);
	uint32_t i;

	for (i = 0; i < root->num_memory_regions; i++)
		if (!(mem[i].flags & BH_MEM_IO) && addr >= mem[i].phys_start &&
		    addr - mem[i].phys_start < mem[i].size)
			return &mem[i];
	fprintf(stderr, "no root RAM region holds 0x%llx\n", (unsigned long long)addr);
	exit(2);
}

static int mutate(const char *kind, const char *in, const char *out)
{
	size_t n = load(in);
	struct bh_system_config *cfg = (void *)blob;
	struct bh_memory_region *mem =
		(struct bh_memory_region *)bh_cell_mem_regions(&cfg->root_cell);

	if (!strcmp(kind, "magic")) {
		memcpy(cfg->signature, "NOTBHCFG", 8);
	} else if (!strcmp(kind, "revision")) {
		cfg->revision = BH_CONFIG_REVISION + 1;
	} else if (!strcmp(kind, "overlap")) {
		/*
		 * region 3 (00:0f.0's shared memory) slides down into region 2
		 * (00:0e.0's): all of Linux's RAM stays covered, so only the
		 * hypervisor's config check can refuse it
		 */
		mem[3].phys_start = mem[3].virt_start = mem[2].phys_start + 0x100000;
	} else if (!strcmp(kind, "nouart")) {
		/* not broken: a hypervisor with no serial port, its log only in memory */
		cfg->debug_console.type = BH_CONSOLE_NONE;
		cfg->debug_console.port = 0;
	} else if (!strcmp(kind, "outside")) {
		/* hypervisor memory in the middle of Linux's RAM */
		cfg->hypervisor_memory.phys_start = 0x20000000;
	} else if (!strcmp(kind, "ivshmem-ram")) {
		struct bh_pci_device *dev = first_ivshmem(&cfg->root_cell);

		mem[dev->shmem_region].phys_start = 0x1000000;
		mem[dev->shmem_region].virt_start = 0x1000000;
	} else if (!strcmp(kind, "ivshmem-real")) {
		first_ivshmem(&cfg->root_cell)->bdf = 0x1f << 3;
	} else if (!strcmp(kind, "link-peers")) {
		struct bh_ivshmem_link *l = (struct bh_ivshmem_link *)bh_system_links(cfg);

		if (!cfg->num_ivshmem_links) {
			fprintf(stderr, "the config has no ivshmem link\n");
			exit(2);
		}
		l->num_peers = 17;
	} else if (!strcmp(kind, "link-size")) {
		mem[first_link(&cfg->root_cell)->shmem_region].size -= 0x1000;
	} else if (!strcmp(kind, "ram-short")) {
		/* Linux's kernel is loaded at 16 MiB and up: no longer root's */
		struct bh_memory_region *r = root_ram_at(&cfg->root_cell, 0x1000000);

		r->size = 0x1000000 - r->phys_start;
	} else {
		fprintf(stderr, "unknown mutation '%s'\n", kind);
		return 2;
	}
	return save(out, n);
}

static int mutate_cell(const char *kind, const char *in, const char *out)
{
	size_t n = load_cell(in);
	struct bh_cell_desc *cell = (void *)blob;
	struct bh_memory_region *mem =
		(struct bh_memory_region *)bh_cell_mem_regions(cell);
	uint8_t *cpus = (uint8_t *)bh_cell_cpu_set(cell);

	if (!strcmp(kind, "rootmem")) {
		mem[0].phys_start = 0x1000000;	/* where Linux's kernel is */
	} else if (!strcmp(kind, "nocpu")) {
		memset(cpus, 0, cell->cpu_set_size);
		cpus[0] = 1 << 5;
	} else if (!strcmp(kind, "twin")) {
		char name[sizeof(cell->name)];

		memcpy(name, cell->name, sizeof(name));
		snprintf(cell->name, sizeof(cell->name), "%.20s-twin", name);
		mem[0].phys_start += 0x800000;	/* own memory, same CPUs */
	} else if (!strcmp(kind, "ivshmem-twin")) {
		memcpy(cell->name, "ivshmem-twin", sizeof("ivshmem-twin"));
		memset(cpus, 0, cell->cpu_set_size);
		cpus[0] = 1 << 2;
		mem[0].phys_start += 0x800000;
	} else if (!strcmp(kind, "ivshmem-bdf")) {
		first_ivshmem(cell)->bdf = 0x10 << 3;
	} else if (!strcmp(kind, "ivshmem-start")) {
		mem[first_ivshmem(cell)->shmem_region].phys_start += 0x100000;
	} else if (!strcmp(kind, "ivshmem-size")) {
		mem[first_ivshmem(cell)->shmem_region].size -= 0x100000;
	} else if (!strcmp(kind, "ivshmem-noshared")) {
		mem[first_ivshmem(cell)->shmem_region].flags &= ~(uint64_t)BH_MEM_ROOTSHARED;
	} else if (!strcmp(kind, "link-root-id")) {
		first_link(cell)->shmem_peer_id = 0;
	} else if (!strcmp(kind, "link-big-id")) {
		first_link(cell)->shmem_peer_id = 3;
	} else if (!strcmp(kind, "link-noshared")) {
		mem[first_link(cell)->shmem_region].flags &= ~(uint64_t)BH_MEM_ROOTSHARED;
	} else if (!strcmp(kind, "link-twin")) {
		cell->name[0] = 'T';
		memset(cpus, 0, cell->cpu_set_size);
		cpus[0] = 1 << 1;
		mem[0].phys_start += 0x800000;
	} else if (!strcmp(kind, "gpa-huge")) {
		struct bh_memory_region huge = {
			.phys_start = mem[0].phys_start + mem[0].size,
			.virt_start = 1ull << 63,
			.size = 0x1000,
			.flags = BH_MEM_READ | BH_MEM_WRITE,
		};

		add_mem_region(cell, &n, &huge);
	} else if (!strcmp(kind, "io-over-rootram") || !strcmp(kind, "io-over-shmem")) {
		/* device memory, seen at 3 GiB, over root RAM or 00:0f.0's shared memory */
		struct bh_memory_region io = {
			.phys_start = !strcmp(kind, "io-over-rootram") ? 0x1000000 : 0x3e200000,
			.virt_start = 0xc0000000,
			.size = 0x1000,
			.flags = BH_MEM_READ | BH_MEM_WRITE | BH_MEM_IO,
		};

		add_mem_region(cell, &n, &io);
	} else {
		fprintf(stderr, "unknown cell mutation '%s'\n", kind);
		return 2;
	}
	return save(out, n);
}

/* /dev/bulkhead, or exit 2. */
static int open_dev(void)
{
	int fd = open("/dev/bulkhead", O_RDWR);

	if (fd < 0) {
		perror("/dev/bulkhead");
		exit(2);
	}
	return fd;
}

static int raw_enable(const char *path)
{
	struct bh_enable_args args = { 0 };
	size_t n = load(path);
	int fd = open_dev();

	args.config = (uintptr_t)blob;
	args.config_size = (uint32_t)n;
	if (ioctl(fd, BULKHEAD_ENABLE, &args) == 0) {
		printf("accepted\n");
		ioctl(fd, BULKHEAD_DISABLE);
		return 1;
	}
	printf("refused: %s: %s\n", strerror(errno), args.reason);
	return 0;
}

static int raw_create(const char *path)
{
	struct bh_cell_create_args args = { 0 };
	struct bh_cell_op_args op = { 0 };
	size_t n = load_cell(path);
	int fd = open_dev();

	args.config = (uintptr_t)blob;
	args.config_size = (uint32_t)n;
	if (ioctl(fd, BULKHEAD_CELL_CREATE, &args) == 0) {
		printf("accepted as cell %d\n", args.id);
		op.cell.id = args.id;
		ioctl(fd, BULKHEAD_CELL_DESTROY, &op);
		return 1;
	}
	printf("refused: %s: %s\n", strerror(errno), args.reason);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "mutate"))
		return mutate(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "mutate-cell"))
		return mutate_cell(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "raw-enable"))
		return raw_enable(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "raw-create"))
		return raw_create(argv[2]);
	fprintf(stderr, "usage: bh-cfgtool mutate KIND IN OUT | mutate-cell KIND IN OUT | raw-enable FILE | raw-create FILE\n");
	return 2;
}
