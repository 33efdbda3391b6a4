// SPDX-License-Identifier: GPL-2.0-only
/*
 * uio-errtest: misuse of /dev/uioN from uio_ivshmem.ko must fail cleanly.
 * Each case names the misuse, the error it must get, and what it got.
 * Usage: uio-errtest /dev/uioN UIO_INDEX
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bulkhead/ivshmem.h>

static int failures;

static void expect_errno(const char *what, int ret_ok, int err, int want)
{
	if (ret_ok) {
		printf("FAIL %s: succeeded, expected %s\n", what, strerror(want));
		failures++;
	} else if (err != want) {
		printf("FAIL %s: %s, expected %s\n", what, strerror(err),
		       strerror(want));
		failures++;
	} else {
		printf("ok   %s: %s\n", what, strerror(err));
	}
}

static unsigned long map_size(int uio, int map)
{
	char path[96];
	unsigned long size = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/size", uio, map);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lx", &size) != 1) {
		printf("FAIL cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return size;
}

static void try_mmap(int fd, const char *what, size_t len, off_t off, int want)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	int err = errno;

	if (p != MAP_FAILED)
		munmap(p, len);
	expect_errno(what, p != MAP_FAILED, err, want);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long regs_size, shm_size;
	uint64_t big;
	uint16_t small;
	ssize_t n;
	void *p;
	int fd, uio;

	if (argc != 3) {
		fprintf(stderr, "usage: uio-errtest /dev/uioN N\n");
		return 2;
	}
	uio = atoi(argv[2]);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		printf("FAIL open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	regs_size = map_size(uio, IVSHMEM_UIO_MAP_REGS);
	shm_size = map_size(uio, IVSHMEM_UIO_MAP_SHMEM);

	try_mmap(fd, "mmap at map index 2 (no such map)", page, 2 * page, EINVAL);
	try_mmap(fd, "mmap at map index 100", page, 100 * page, EINVAL);
	try_mmap(fd, "mmap of map 0 larger than the map", regs_size + page,
		 0, EINVAL);
	try_mmap(fd, "mmap of map 1 larger than the map", shm_size + page,
		 page, EINVAL);

	n = read(fd, &big, sizeof(big));
	expect_errno("read of 8 bytes", n >= 0, errno, EINVAL);
	n = read(fd, &small, sizeof(small));
	expect_errno("read of 2 bytes", n >= 0, errno, EINVAL);
	n = write(fd, &small, sizeof(small));
	expect_errno("write of 2 bytes", n >= 0, errno, EINVAL);

	/* The right use still works after all that. */
	p = mmap(NULL, shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	if (p == MAP_FAILED) {
		printf("FAIL correct mmap of map 1 after errors: %s\n", strerror(errno));
		failures++;
	} else {
		((volatile uint8_t *)p)[shm_size - 1] = 0x5a;
		printf("ok   correct mmap of map 1 still works\n");
		munmap(p, shm_size);
	}
	close(fd);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
