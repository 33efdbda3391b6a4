/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg uio backend: Linux on an ivshmem device bound to
 * uio_ivshmem.ko. Map 0 holds the registers (the page around BAR0; the
 * registers start at the map's sysfs offset), map 1 the shared memory.
 * A doorbell is a write to the peer's Doorbell register; a wait sleeps in
 * poll() on /dev/uioN and then reads the UIO event count.
 *
 *	struct cellmsg_uio dev;
 *	struct cellmsg_backend be;
 *	if (cellmsg_uio_open(&dev, NULL) < 0)
 *		errx(1, "%s", dev.error);
 *	cellmsg_uio_backend(&dev, peer_id, 0, &be);
 *	cellmsg_open(&ch, dev.shm, dev.shm_size,
 *		     cellmsg_uio_side(&dev, peer_id), NULL, &be);
 *
 * dev.fd is the descriptor to give to poll/epoll/io_uring (readable when a
 * doorbell arrived; consume with cellmsg_uio_ack()); cellmsg/loop.h wraps
 * that in an io_uring event loop.
 */
#ifndef CELLMSG_UIO_H
#define CELLMSG_UIO_H

#include <stddef.h>
#include <stdint.h>

#include <cellmsg/cellmsg.h>

struct cellmsg_uio {
	int fd;				/* /dev/uioN, non-blocking */
	int index;			/* N */
	char path[32];
	volatile uint32_t *regs;	/* the ivshmem registers */
	void *shm;			/* shared memory (BAR2) */
	size_t shm_size;
	uint32_t own_id;		/* IVPosition */
	uint32_t doorbell;		/* value for the Doorbell register */
	uint32_t events;		/* last UIO event count seen */
	char error[160];		/* why cellmsg_uio_open() failed */

	/* A link device (shm NULL): see cellmsg_uio_link_halves(). */
	void *output;			/* our output section, read-write */
	const void *outputs;		/* every peer's section, read-only */
	size_t output_size;		/* one section */
	size_t outputs_size;
	uint32_t num_peers;
	const volatile uint32_t *states;	/* the state table, read-only */
	uint32_t ps_vector;			/* pub/sub doorbells ring this */

	/* internal: the mappings as made */
	void *regs_map;
	size_t regs_map_size;
	size_t output_map_size;
	void *states_map;
	size_t states_map_size;
};

/*
 * Opens @path (/dev/uioN), or with NULL the first UIO device named
 * "ivshmem", and maps its registers and shared memory. On failure returns
 * a negative errno value and leaves a sentence in dev->error.
 */
int cellmsg_uio_open(struct cellmsg_uio *dev, const char *path);

/* Unmaps and closes; the channel on it must be closed first. */
void cellmsg_uio_close(struct cellmsg_uio *dev);

/* The backend ringing vector @vector of peer @peer_id. */
void cellmsg_uio_backend(struct cellmsg_uio *dev, uint32_t peer_id,
			 uint32_t vector, struct cellmsg_backend *be);

/*
 * On a link device: the halves of our channel with link peer @peer_id,
 * our slot of our own section and our slot of the peer's (read-only), for
 * cellmsg_open_halves(); returns their size, 0 if this is no link device
 * or @peer_id is none of its peers (cellmsg_link_halves()).
 *
 *	void *own; const void *peer;
 *	size_t n = cellmsg_uio_link_halves(&dev, peer_id, &own, &peer);
 *	cellmsg_uio_backend(&dev, peer_id, 0, &be);
 *	cellmsg_open_halves(&ch, own, peer, n, NULL, &be);
 */
size_t cellmsg_uio_link_halves(const struct cellmsg_uio *dev, uint32_t peer_id, void **own,
			       const void **peer);

/*
 * On a link device: peer @peer_id's pub/sub area (cellmsg/pubsub.h; ours
 * is writable, the others read-only) and its size, 0 if none.
 */
size_t cellmsg_uio_ps_area(const struct cellmsg_uio *dev, uint32_t peer_id, const void **area);
struct cellmsg_ps_backend;
/*
 * The pub/sub backend on a link device: a doorbell on vector @vector of
 * any peer, a peer up while its state table entry is READY.
 */
void cellmsg_uio_ps_backend(struct cellmsg_uio *dev, uint32_t vector,
			    struct cellmsg_ps_backend *be);
/* Our channel side against @peer_id: the lower ID takes side 0. */
unsigned int cellmsg_uio_side(const struct cellmsg_uio *dev, uint32_t peer_id);

/*
 * Whether the device is still registered (its /sys/class/uio/uioN exists):
 * 0 once it was unbound or removed. Its sysfs entry goes a little after
 * reads start failing, so a one-shot caller may have to ask again.
 */
int cellmsg_uio_present(const struct cellmsg_uio *dev);

/* Consumes the doorbells seen so far without blocking: 0 or -EAGAIN. */
int cellmsg_uio_ack(struct cellmsg_uio *dev);

/*
 * Sleeps until a doorbell arrives or @timeout_ns passes (<0: forever):
 * 0, -ETIMEDOUT, -EINTR, -EIO for a device without interrupts, -ENODEV
 * for one that went away (unbound, or removed by bulkhead disable), or
 * another negative errno value from ppoll()/read().
 */
int cellmsg_uio_wait(struct cellmsg_uio *dev, int64_t timeout_ns);

#endif /* CELLMSG_UIO_H */
