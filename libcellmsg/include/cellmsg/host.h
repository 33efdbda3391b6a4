/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg host backend: two processes share a memfd, doorbells are
 * eventfds. For development, CI and benchmarks without a hypervisor.
 *
 * One process calls cellmsg_host_create(); the other gets the same
 * struct cellmsg_host by fork() or rebuilds it from the fds with
 * cellmsg_host_attach() after receiving them (for example over a unix
 * socket). Each side then takes its backend with cellmsg_host_backend().
 */
#ifndef CELLMSG_HOST_H
#define CELLMSG_HOST_H

#include <cellmsg/cellmsg.h>

struct cellmsg_host_port {
	int wait_fd;		/* our doorbell */
	int notify_fd;		/* the peer's doorbell */
};

struct cellmsg_host {
	int shm_fd;
	int doorbell_fd[2];	/* side i waits on doorbell_fd[i] */
	void *region;
	size_t size;
	struct cellmsg_host_port port[2];
};

/* New memfd region of @size bytes (zeroed) and two eventfds. */
int cellmsg_host_create(struct cellmsg_host *h, size_t size);

/* Maps a region from fds received from the creator; takes ownership of
 * the fds on success only. */
int cellmsg_host_attach(struct cellmsg_host *h, int shm_fd, size_t size,
			int doorbell0_fd, int doorbell1_fd);

/* Unmaps and closes everything; a second call does nothing. */
void cellmsg_host_destroy(struct cellmsg_host *h);

/* The backend for @side (0 or 1). */
void cellmsg_host_backend(struct cellmsg_host *h, unsigned int side,
			  struct cellmsg_backend *be);

#endif /* CELLMSG_HOST_H */
