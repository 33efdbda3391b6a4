// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* libcellmsg host backend: memfd shared memory, eventfd doorbells. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cellmsg/host.h>

#include "posix.h"

static int host_notify(void *ctx)
{
	const struct cellmsg_host_port *port = ctx;
	uint64_t one = 1;

	/* EAGAIN means the counter is saturated: the peer is woken anyway. */
	if (write(port->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static int host_wait(void *ctx, int64_t timeout_ns)
{
	const struct cellmsg_host_port *port = ctx;
	uint64_t count;
	int ret;

	ret = cellmsg__wait_readable(port->wait_fd, timeout_ns);
	if (ret)
		return ret;
	/* Drain: one wake-up covers every doorbell rung so far. */
	if (read(port->wait_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

static uint64_t host_now_ns(void *ctx)
{
	(void)ctx;
	return cellmsg__now_ns();
}

static int host_event_fd(void *ctx)
{
	return ((const struct cellmsg_host_port *)ctx)->wait_fd;
}

static int host_event_ack(void *ctx)
{
	const struct cellmsg_host_port *port = ctx;
	uint64_t count;

	return read(port->wait_fd, &count, sizeof(count)) < 0 ? -errno : 0;
}

static void host_set_ports(struct cellmsg_host *h)
{
	h->port[0].wait_fd = h->doorbell_fd[0];
	h->port[0].notify_fd = h->doorbell_fd[1];
	h->port[1].wait_fd = h->doorbell_fd[1];
	h->port[1].notify_fd = h->doorbell_fd[0];
}

int cellmsg_host_attach(struct cellmsg_host *h, int shm_fd, size_t size,
			int doorbell0_fd, int doorbell1_fd)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, shm_fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	h->shm_fd = shm_fd;
	h->doorbell_fd[0] = doorbell0_fd;
	h->doorbell_fd[1] = doorbell1_fd;
	h->region = p;
	h->size = size;
	host_set_ports(h);
	return 0;
}

int cellmsg_host_create(struct cellmsg_host *h, size_t size)
{
	int shm_fd, db0 = -1, db1 = -1, err;

	shm_fd = memfd_create("cellmsg", MFD_CLOEXEC);
	if (shm_fd < 0)
		return -errno;
	if (ftruncate(shm_fd, (off_t)size) < 0)
		goto err_errno;
	db0 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	db1 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (db0 < 0 || db1 < 0)
		goto err_errno;
	err = cellmsg_host_attach(h, shm_fd, size, db0, db1);
	if (err)
		goto err_close;
	return 0;

err_errno:
	err = -errno;
err_close:
	if (db1 >= 0)
		close(db1);
	if (db0 >= 0)
		close(db0);
	close(shm_fd);
	return err;
}

void cellmsg_host_destroy(struct cellmsg_host *h)
{
	if (h->region) {
		munmap(h->region, h->size);
		close(h->doorbell_fd[0]);
		close(h->doorbell_fd[1]);
		close(h->shm_fd);
	}
	/* Zeroed: a second destroy finds no region and closes nothing. */
	memset(h, 0, sizeof(*h));
}

void cellmsg_host_backend(struct cellmsg_host *h, unsigned int side,
			  struct cellmsg_backend *be)
{
	be->notify = host_notify;
	be->wait = host_wait;
	be->now_ns = host_now_ns;
	be->event_fd = host_event_fd;
	be->event_ack = host_event_ack;
	be->ctx = &h->port[side & 1];
}
