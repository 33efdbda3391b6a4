// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* libcellmsg uio backend: /dev/uioN of uio_ivshmem.ko. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bulkhead/ivshmem.h>
#include <cellmsg/pubsub.h>
#include <cellmsg/uio.h>

_Static_assert(CELLMSG_LINK_MAX_PEERS == IVSHMEM_MAX_PEERS, "links: one limit");

#include "posix.h"

#define UIO_MAX_DEVICES	256

static int fail(struct cellmsg_uio *dev, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->error, sizeof(dev->error), fmt, ap);
	va_end(ap);
	return err;
}

static int read_sysfs(int index, const char *attr, char *buf, size_t cap)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/%s", index, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int read_sysfs_ull(int index, const char *attr, unsigned long long *val)
{
	char buf[32], *end;
	int err = read_sysfs(index, attr, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return errno || end == buf ? -EINVAL : 0;
}

static int find_device(struct cellmsg_uio *dev, const char *path)
{
	char name[32];
	int i;

	if (path) {
		if (sscanf(path, "/dev/uio%d", &dev->index) != 1 || dev->index < 0)
			return fail(dev, -EINVAL, "'%s' is not a /dev/uioN path", path);
		snprintf(dev->path, sizeof(dev->path), "%s", path);
		return 0;
	}
	for (i = 0; i < UIO_MAX_DEVICES; i++) {
		if (read_sysfs(i, "name", name, sizeof(name)) == 0 &&
		    strcmp(name, "ivshmem") == 0) {
			dev->index = i;
			snprintf(dev->path, sizeof(dev->path), "/dev/uio%d", i);
			return 0;
		}
	}
	return fail(dev, -ENODEV,
		    "no ivshmem UIO device found (is uio_ivshmem.ko loaded?)");
}

/* Maps UIO map @map (@prot); *@offset is where the device's bytes start in it. */
static int map_region_prot(struct cellmsg_uio *dev, int map, int prot, void **addr,
			   size_t *size, size_t *offset)
{
	unsigned long long sz, off = 0;
	char attr[32];
	void *p;

	snprintf(attr, sizeof(attr), "maps/map%d/size", map);
	if (read_sysfs_ull(dev->index, attr, &sz) || sz == 0)
		return fail(dev, -ENODEV, "%s: map %d missing in sysfs (not a uio_ivshmem device?)",
			    dev->path, map);
	snprintf(attr, sizeof(attr), "maps/map%d/offset", map);
	read_sysfs_ull(dev->index, attr, &off);
	if (off >= sz)
		return fail(dev, -EINVAL, "%s: map %d offset %llu beyond its size %llu",
			    dev->path, map, off, sz);
	p = mmap(NULL, sz, prot, MAP_SHARED, dev->fd, (off_t)map * sysconf(_SC_PAGESIZE));
	if (p == MAP_FAILED)
		return fail(dev, -errno, "%s: mmap of map %d: %s", dev->path, map,
			    strerror(errno));
	*addr = p;
	*size = sz;
	*offset = off;
	return 0;
}

static int map_region(struct cellmsg_uio *dev, int map, void **addr,
		      size_t *size, size_t *offset)
{
	return map_region_prot(dev, map, PROT_READ | PROT_WRITE, addr, size, offset);
}

/* Does the device have UIO map @map (a link device has five)? */
static int has_map(const struct cellmsg_uio *dev, int map)
{
	unsigned long long sz;
	char attr[32];

	snprintf(attr, sizeof(attr), "maps/map%d/size", map);
	return read_sysfs_ull(dev->index, attr, &sz) == 0 && sz;
}

/*
 * A link device: our own output section read-write, every section
 * read-only (uio_ivshmem refuses a writable mapping of that one), and
 * the layout from sysfs. The pair's one region (dev->shm) stays NULL.
 */
static int map_link(struct cellmsg_uio *dev)
{
	unsigned long long peers, out_size;
	size_t off;
	void *p;
	int err;

	if (read_sysfs_ull(dev->index, "device/ivshmem_num_peers", &peers) ||
	    read_sysfs_ull(dev->index, "device/ivshmem_output_size", &out_size))
		return fail(dev, -ENODEV, "%s: a link device without its sysfs layout", dev->path);
	err = map_region(dev, IVSHMEM_UIO_MAP_OUTPUT, &dev->output, &dev->output_map_size, &off);
	if (err)
		return err;
	err = map_region_prot(dev, IVSHMEM_UIO_MAP_OUTPUTS, PROT_READ, &p, &dev->outputs_size, &off);
	if (err) {
		munmap(dev->output, dev->output_map_size);
		dev->output = NULL;
		return err;
	}
	dev->outputs = p;
	err = map_region_prot(dev, IVSHMEM_UIO_MAP_STATE, PROT_READ, &p, &dev->states_map_size, &off);
	if (err) {
		munmap(dev->output, dev->output_map_size);
		munmap((void *)dev->outputs, dev->outputs_size);
		dev->output = NULL;
		dev->outputs = NULL;
		return err;
	}
	dev->states_map = p;
	dev->states = (const volatile uint32_t *)((const uint8_t *)p + off);
	dev->num_peers = (uint32_t)peers;
	dev->output_size = (size_t)out_size < dev->output_map_size ? (size_t)out_size :
			   dev->output_map_size;
	if ((uint64_t)dev->num_peers * out_size <= dev->outputs_size && dev->own_id < peers)
		return 0;
	munmap(dev->output, dev->output_map_size);
	munmap((void *)dev->outputs, dev->outputs_size);
	munmap(dev->states_map, dev->states_map_size);
	dev->output = NULL;
	dev->outputs = NULL;
	dev->states = NULL;
	return fail(dev, -EINVAL, "%s: peer %u of %u, %llu-byte output sections: not what the outputs map (%zu bytes) holds",
		    dev->path, dev->own_id, dev->num_peers, out_size, dev->outputs_size);
}

size_t cellmsg_uio_ps_area(const struct cellmsg_uio *dev, uint32_t peer_id, const void **area)
{
	const void *section = peer_id == dev->own_id ? dev->output :
			      (const uint8_t *)dev->outputs + (size_t)peer_id * dev->output_size;

	if (!dev->output || peer_id >= dev->num_peers)
		return 0;
	return cellmsg_link_ps_area(section, dev->output_size, dev->num_peers, peer_id, area);
}

size_t cellmsg_uio_link_halves(const struct cellmsg_uio *dev, uint32_t peer_id, void **own,
			       const void **peer)
{
	if (!dev->output || peer_id >= dev->num_peers)
		return 0;
	return cellmsg_link_halves(dev->output,
				   (const uint8_t *)dev->outputs + (size_t)peer_id * dev->output_size,
				   dev->output_size, dev->num_peers, dev->own_id, peer_id, own, peer);
}

int cellmsg_uio_open(struct cellmsg_uio *dev, const char *path)
{
	size_t regs_off, shm_map_size, shm_off;
	unsigned long long count;
	void *shm_map;
	int err;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	err = find_device(dev, path);
	if (err)
		return err;
	dev->fd = open(dev->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (dev->fd < 0)
		return fail(dev, -errno, "cannot open %s: %s", dev->path, strerror(errno));

	err = map_region(dev, IVSHMEM_UIO_MAP_REGS, &dev->regs_map,
			 &dev->regs_map_size, &regs_off);
	if (err)
		goto err_close;
	if (dev->regs_map_size - regs_off < IVSHMEM_REGS_SIZE) {
		err = fail(dev, -EINVAL, "%s: register map too small", dev->path);
		goto err_unmap_regs;
	}
	dev->regs = (volatile uint32_t *)((char *)dev->regs_map + regs_off);

	dev->own_id = dev->regs[IVSHMEM_REG_IV_POSITION / 4];
	if (has_map(dev, IVSHMEM_UIO_MAP_OUTPUTS)) {
		err = map_link(dev);
		if (err)
			goto err_unmap_regs;
		goto events;
	}
	err = map_region(dev, IVSHMEM_UIO_MAP_SHMEM, &shm_map, &shm_map_size, &shm_off);
	if (err)
		goto err_unmap_regs;
	if (shm_off) {
		/* uio_ivshmem maps BAR2 from its first byte; anything else is not it. */
		munmap(shm_map, shm_map_size);
		err = fail(dev, -EINVAL, "%s: shared memory does not start on a page",
			   dev->path);
		goto err_unmap_regs;
	}
	dev->shm = shm_map;
	dev->shm_size = shm_map_size;

events:
	/*
	 * read() returns the device's total event count: take it as the
	 * baseline so that only doorbells from now on count.
	 */
	if (read_sysfs_ull(dev->index, "event", &count) == 0)
		dev->events = (uint32_t)count;
	return 0;

err_unmap_regs:
	munmap(dev->regs_map, dev->regs_map_size);
	dev->regs_map = NULL;
	dev->regs = NULL;
err_close:
	close(dev->fd);
	dev->fd = -1;
	return err;
}

void cellmsg_uio_close(struct cellmsg_uio *dev)
{
	if (dev->shm)
		munmap(dev->shm, dev->shm_size);
	if (dev->output)
		munmap(dev->output, dev->output_map_size);
	if (dev->outputs)
		munmap((void *)dev->outputs, dev->outputs_size);
	if (dev->states_map)
		munmap(dev->states_map, dev->states_map_size);
	dev->output = NULL;
	dev->outputs = NULL;
	dev->states = NULL;
	dev->states_map = NULL;
	if (dev->regs_map)
		munmap(dev->regs_map, dev->regs_map_size);
	if (dev->fd >= 0)
		close(dev->fd);
	dev->shm = NULL;
	dev->regs_map = NULL;
	dev->regs = NULL;
	dev->fd = -1;
}

unsigned int cellmsg_uio_side(const struct cellmsg_uio *dev, uint32_t peer_id)
{
	return dev->own_id < peer_id ? 0 : 1;
}

int cellmsg_uio_ack(struct cellmsg_uio *dev)
{
	uint32_t count;
	ssize_t n = read(dev->fd, &count, sizeof(count));

	if (n == sizeof(count)) {
		dev->events = count;
		return 0;
	}
	if (n < 0)
		return -errno;	/* -EAGAIN: nothing new; -EIO: no interrupt */
	return -EIO;
}

int cellmsg_uio_present(const struct cellmsg_uio *dev)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d", dev->index);
	return access(path, F_OK) == 0;
}

int cellmsg_uio_wait(struct cellmsg_uio *dev, int64_t timeout_ns)
{
	int ret = cellmsg__wait_readable(dev->fd, timeout_ns);

	if (ret)
		return ret;
	ret = cellmsg_uio_ack(dev);
	/* A read gives EIO for a device without interrupts and for one removed. */
	if (ret == -EIO && !cellmsg_uio_present(dev))
		return -ENODEV;
	return ret == -EAGAIN ? 0 : ret;
}

/* ---- the backend ---------------------------------------------------------- */

static int uio_notify(void *ctx)
{
	struct cellmsg_uio *dev = ctx;

	/*
	 * The doorbell is an MMIO store: order every shared-memory store
	 * before it, so the peer's interrupt never outruns our data.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	dev->regs[IVSHMEM_REG_DOORBELL / 4] = dev->doorbell;
	return 0;
}

static int uio_wait(void *ctx, int64_t timeout_ns)
{
	return cellmsg_uio_wait(ctx, timeout_ns);
}

static uint64_t uio_now_ns(void *ctx)
{
	(void)ctx;
	return cellmsg__now_ns();
}

static int uio_event_fd(void *ctx)
{
	return ((struct cellmsg_uio *)ctx)->fd;
}

static int uio_event_ack(void *ctx)
{
	return cellmsg_uio_ack(ctx);
}

static int uio_ps_notify(void *ctx, unsigned int peer)
{
	struct cellmsg_uio *dev = ctx;

	/* as uio_notify(): our stores before the interrupt */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	dev->regs[IVSHMEM_REG_DOORBELL / 4] = IVSHMEM_DOORBELL(peer, dev->ps_vector);
	return 0;
}

static int uio_ps_peer_up(void *ctx, unsigned int peer)
{
	struct cellmsg_uio *dev = ctx;

	return cellmsg_link_peer_up(dev->states, dev->num_peers, peer);
}

void cellmsg_uio_ps_backend(struct cellmsg_uio *dev, uint32_t vector,
			    struct cellmsg_ps_backend *be)
{
	dev->ps_vector = vector;
	be->notify = uio_ps_notify;
	be->wait = uio_wait;
	be->now_ns = uio_now_ns;
	be->peer_up = uio_ps_peer_up;
	be->ctx = dev;
}

void cellmsg_uio_backend(struct cellmsg_uio *dev, uint32_t peer_id,
			 uint32_t vector, struct cellmsg_backend *be)
{
	dev->doorbell = IVSHMEM_DOORBELL(peer_id, vector);
	be->notify = uio_notify;
	be->wait = uio_wait;
	be->now_ns = uio_now_ns;
	be->event_fd = uio_event_fd;
	be->event_ack = uio_event_ack;
	be->ctx = dev;
}
