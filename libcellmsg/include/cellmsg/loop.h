/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg event loop on io_uring (liburing): one thread waits on many
 * channels and on the application's own file descriptors at once.
 *
 *	struct cellmsg_loop *loop;
 *	cellmsg_loop_create(&loop, 16);
 *	cellmsg_loop_add_chan(loop, &ch, on_message, &ch);
 *	cellmsg_loop_add_fd(loop, sock, POLLIN, on_socket, NULL);
 *	for (;;)
 *		cellmsg_loop_run_once(loop, CELLMSG_FOREVER);
 *
 * A channel's callback runs when a receive call would not wait (a message,
 * a reset or an error is there): it receives with timeout 0 until -EAGAIN.
 * An fd's callback runs with the poll events that fired and must consume
 * them (read the socket, the eventfd, ...): the loop does not call it again
 * for the same readiness. The channel needs a backend with event_fd and
 * event_ack (uio and host do).
 */
#ifndef CELLMSG_LOOP_H
#define CELLMSG_LOOP_H

#include <stdint.h>

#include <cellmsg/cellmsg.h>

struct cellmsg_loop;

/* @revents: poll events for an fd; POLLIN for a channel. Negative stops. */
typedef int (*cellmsg_loop_fn)(void *arg, uint32_t revents);

/* A loop for at most @max_sources channels and fds. */
int cellmsg_loop_create(struct cellmsg_loop **loop, unsigned int max_sources);

/* Stops watching everything and frees the loop (not the channels or fds). */
void cellmsg_loop_destroy(struct cellmsg_loop *loop);

/* Watches @ch; returns a source ID (>= 0) or -EINVAL / -ENOSPC. */
int cellmsg_loop_add_chan(struct cellmsg_loop *loop, struct cellmsg_chan *ch,
			  cellmsg_loop_fn fn, void *arg);

/* Watches @fd for the poll(2) @events; returns a source ID or an error. */
int cellmsg_loop_add_fd(struct cellmsg_loop *loop, int fd, uint32_t events,
			cellmsg_loop_fn fn, void *arg);

/* Stops watching source @id: 0, -ENOENT, or -EBUSY (submission queue
 * full: run the loop once and retry). */
int cellmsg_loop_remove(struct cellmsg_loop *loop, int id);

/*
 * Waits up to @timeout_ns (CELLMSG_FOREVER: no limit) until a source is
 * ready and runs the callbacks of all ready sources. Returns how many ran
 * (0 on timeout or when a signal interrupted the wait), the first negative
 * value a callback returned, -EINVAL without a loop, -EBUSY when the
 * submission queue is full, or a negative errno value from io_uring.
 */
int cellmsg_loop_run_once(struct cellmsg_loop *loop, int64_t timeout_ns);

#endif /* CELLMSG_LOOP_H */
