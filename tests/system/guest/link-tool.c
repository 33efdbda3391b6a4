// SPDX-License-Identifier: GPL-2.0-only
/*
 * link-tool: root Linux's hands on an ivshmem link device for the link-
 * scenarios, through uio_ivshmem's link maps (include/bulkhead/ivshmem.h).
 * Usage: link-tool N COMMAND...   (N: the device's /dev/uioN)
 *   states                  the state table: "states S0 S1 ..."
 *   wait-state PEER VALUE   until the state table has VALUE for PEER (10 s)
 *   command PEER VALUE      the u32 at 16 * PEER of the common section
 *   wait-word PEER I VALUE  until the u32 at 16 * PEER + 4 * I of the common
 *                           section is VALUE (60 s)
 *   output PEER             peer PEER's section: its text at 0, the u32 at 8
 *   write-own TEXT          TEXT at the start of this peer's own section
 *   maps                    a writable mmap of "state" and "outputs" fails
 *                           with EACCES, mprotect cannot make a read-only
 *                           one writable, "output" and "common" are writable
 * Exit 0 on success, 1 with a FAIL line otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/ivshmem.h>

static int uio_fd;
static unsigned int uio_index;
static long page;

static unsigned long sysfs_ulong(const char *path, int hex)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (!f || fscanf(f, hex ? "%lx" : "%lu", &v) != 1) {
		printf("FAIL cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return v;
}

static unsigned long map_size(int map)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%u/maps/map%d/size", uio_index, map);
	return sysfs_ulong(path, 1);
}

/* The PCI device's link attributes (uio_ivshmem's sysfs). */
static unsigned long link_attr(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%u/device/%s", uio_index, name);
	return sysfs_ulong(path, 0);
}

static void *map(int index, int prot, size_t *size)
{
	void *p;

	*size = map_size(index);
	p = mmap(NULL, *size, prot, MAP_SHARED, uio_fd, (off_t)index * page);
	if (p == MAP_FAILED) {
		printf("FAIL mmap of map %d: %s\n", index, strerror(errno));
		exit(1);
	}
	return p;
}

static int cmd_states(void)
{
	unsigned int peers = (unsigned int)link_attr("ivshmem_num_peers"), p;
	size_t size;
	volatile uint32_t *st = map(IVSHMEM_UIO_MAP_STATE, PROT_READ, &size);

	printf("states");
	for (p = 0; p < peers; p++)
		printf(" %u", st[IVSHMEM_STATE_ENTRY(p) / 4]);
	printf("\n");
	return 0;
}

static int cmd_wait_state(unsigned int peer, uint32_t value)
{
	size_t size;
	volatile uint32_t *st = map(IVSHMEM_UIO_MAP_STATE, PROT_READ, &size);
	unsigned int i;

	if (peer >= IVSHMEM_MAX_PEERS)
		return printf("FAIL peer %u\n", peer), 1;
	for (i = 0; i < 1000; i++) {
		if (st[IVSHMEM_STATE_ENTRY(peer) / 4] == value)
			return 0;
		usleep(10000);
	}
	printf("FAIL peer %u's state is %u, not %u, after 10 s\n", peer,
	       st[IVSHMEM_STATE_ENTRY(peer) / 4], value);
	return 1;
}

static int cmd_command(unsigned int peer, uint32_t value)
{
	size_t size;
	volatile uint32_t *common = map(IVSHMEM_UIO_MAP_COMMON, PROT_READ | PROT_WRITE, &size);

	if (16ul * peer + 4 > size)
		return printf("FAIL peer %u has no command word\n", peer), 1;
	common[4 * peer] = value;
	return 0;
}

static int cmd_wait_word(unsigned int peer, unsigned int i, uint32_t value)
{
	size_t size;
	const volatile uint32_t *common = map(IVSHMEM_UIO_MAP_COMMON, PROT_READ, &size);
	struct timespec pause = { 0, 10000000 };
	unsigned int tries;

	if (i > 3 || 16ul * peer + 4 * i + 4 > size)
		return printf("FAIL peer %u has no word %u\n", peer, i), 1;
	for (tries = 0; tries < 6000; tries++) {
		if (common[4 * peer + i] == value)
			return 0;
		nanosleep(&pause, NULL);
	}
	return printf("FAIL word %u of peer %u is 0x%x, not 0x%x, after 60 s\n", i, peer,
		      common[4 * peer + i], value), 1;
}

static int cmd_output(unsigned int peer)
{
	unsigned long out = link_attr("ivshmem_output_size");
	size_t size;
	const volatile char *all = map(IVSHMEM_UIO_MAP_OUTPUTS, PROT_READ, &size);
	char text[17];
	unsigned int i;

	if ((peer + 1) * out > size)
		return printf("FAIL peer %u is outside the outputs map\n", peer), 1;
	for (i = 0; i < 16; i++)
		text[i] = all[peer * out + i];
	text[16] = '\0';
	printf("peer %u: '%s' 0x%x\n", peer, text,
	       *(const volatile uint32_t *)(all + peer * out + 8));
	return 0;
}

static int cmd_write_own(const char *text)
{
	size_t size, n = strlen(text) + 1;
	volatile char *own = map(IVSHMEM_UIO_MAP_OUTPUT, PROT_READ | PROT_WRITE, &size);
	size_t i;

	for (i = 0; i < n && i < size; i++)
		own[i] = text[i];
	return 0;
}

static int failures;

static void expect_mmap(const char *what, int index, int prot, int want_errno)
{
	size_t size = map_size(index);
	void *p = mmap(NULL, size, prot, MAP_SHARED, uio_fd, (off_t)index * page);
	int err = errno;

	if (p != MAP_FAILED)
		munmap(p, size);
	if (want_errno ? p == MAP_FAILED && err == want_errno : p != MAP_FAILED) {
		printf("ok   %s\n", what);
		return;
	}
	printf("FAIL %s: %s\n", what, p == MAP_FAILED ? strerror(err) : "succeeded");
	failures++;
}

static int cmd_maps(void)
{
	size_t size;
	void *p;

	expect_mmap("state table read-only", IVSHMEM_UIO_MAP_STATE, PROT_READ, 0);
	expect_mmap("state table writable: EACCES", IVSHMEM_UIO_MAP_STATE,
		    PROT_READ | PROT_WRITE, EACCES);
	expect_mmap("outputs read-only", IVSHMEM_UIO_MAP_OUTPUTS, PROT_READ, 0);
	expect_mmap("outputs writable: EACCES", IVSHMEM_UIO_MAP_OUTPUTS,
		    PROT_READ | PROT_WRITE, EACCES);
	expect_mmap("own output writable", IVSHMEM_UIO_MAP_OUTPUT, PROT_READ | PROT_WRITE, 0);
	expect_mmap("common writable", IVSHMEM_UIO_MAP_COMMON, PROT_READ | PROT_WRITE, 0);
	p = map(IVSHMEM_UIO_MAP_OUTPUTS, PROT_READ, &size);
	if (mprotect(p, size, PROT_READ | PROT_WRITE) == 0 || errno != EACCES) {
		printf("FAIL mprotect of outputs to writable: %s\n",
		       errno ? strerror(errno) : "succeeded");
		failures++;
	} else {
		printf("ok   mprotect of outputs to writable: EACCES\n");
	}
	printf("peer %lu of %lu, output sections of 0x%lx bytes\n",
	       link_attr("ivshmem_peer_id"), link_attr("ivshmem_num_peers"),
	       link_attr("ivshmem_output_size"));
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	char dev[32];

	if (argc < 3) {
		fprintf(stderr, "usage: link-tool N COMMAND...\n");
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	uio_index = (unsigned int)strtoul(argv[1], NULL, 0);
	snprintf(dev, sizeof(dev), "/dev/uio%u", uio_index);
	uio_fd = open(dev, O_RDWR);
	if (uio_fd < 0) {
		printf("FAIL open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[2], "states"))
		return cmd_states();
	if (!strcmp(argv[2], "wait-state") && argc == 5)
		return cmd_wait_state((unsigned int)strtoul(argv[3], NULL, 0),
				      (uint32_t)strtoul(argv[4], NULL, 0));
	if (!strcmp(argv[2], "command") && argc == 5)
		return cmd_command((unsigned int)strtoul(argv[3], NULL, 0),
				   (uint32_t)strtoul(argv[4], NULL, 0));
	if (!strcmp(argv[2], "wait-word") && argc == 6)
		return cmd_wait_word((unsigned int)strtoul(argv[3], NULL, 0),
				     (unsigned int)strtoul(argv[4], NULL, 0),
				     (uint32_t)strtoul(argv[5], NULL, 0));
	if (!strcmp(argv[2], "output") && argc == 4)
		return cmd_output((unsigned int)strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[2], "write-own") && argc == 4)
		return cmd_write_own(argv[3]);
	if (!strcmp(argv[2], "maps"))
		return cmd_maps();
	fprintf(stderr, "link-tool: unknown command or arguments\n");
	return 2;
}
