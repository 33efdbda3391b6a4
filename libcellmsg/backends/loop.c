// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libcellmsg event loop: multishot io_uring polls on every source's fd.
 * A channel is armed (cellmsg_rx_arm) before each sleep so that the peer's
 * next send rings our doorbell, and disarmed after, so that a busy loop
 * does not make the peer ring for every message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <cellmsg/loop.h>

#include "posix.h"

struct loop_source {
	int used;
	int fd;
	uint32_t events;
	uint32_t gen;		/* tells completions of a reused slot apart */
	int polling;		/* a multishot poll is in flight */
	uint32_t revents;	/* gathered in this round */
	int ready;
	struct cellmsg_chan *ch;
	cellmsg_loop_fn fn;
	void *arg;
};

struct cellmsg_loop {
	struct io_uring ring;
	unsigned int max;
	struct loop_source src[];
};

#define REMOVE_TAG	0	/* user_data of poll-remove requests */

static uint64_t tag(const struct cellmsg_loop *l, const struct loop_source *s)
{
	return ((uint64_t)s->gen << 32) | (uint64_t)(s - l->src + 1);
}

static struct loop_source *untag(struct cellmsg_loop *l, uint64_t data)
{
	uint32_t idx = (uint32_t)data, gen = (uint32_t)(data >> 32);
	struct loop_source *s;

	if (idx == REMOVE_TAG || idx > l->max)
		return NULL;
	s = &l->src[idx - 1];
	return s->used && s->gen == gen ? s : NULL;
}

int cellmsg_loop_create(struct cellmsg_loop **loop, unsigned int max_sources)
{
	struct cellmsg_loop *l;
	int err;

	if (!loop || !max_sources || max_sources > 4096)
		return -EINVAL;
	l = calloc(1, sizeof(*l) + max_sources * sizeof(l->src[0]));
	if (!l)
		return -ENOMEM;
	/* Room for one poll and one removal per source. */
	err = io_uring_queue_init(2 * max_sources, &l->ring, 0);
	if (err) {
		free(l);
		return err;
	}
	l->max = max_sources;
	*loop = l;
	return 0;
}

void cellmsg_loop_destroy(struct cellmsg_loop *loop)
{
	unsigned int i;

	if (!loop)
		return;
	for (i = 0; i < loop->max; i++)
		if (loop->src[i].ch)
			cellmsg_rx_disarm(loop->src[i].ch);
	io_uring_queue_exit(&loop->ring);
	free(loop);
}

static int add_source(struct cellmsg_loop *l, int fd, uint32_t events,
		      struct cellmsg_chan *ch, cellmsg_loop_fn fn, void *arg)
{
	struct loop_source *s;
	unsigned int i;

	if (fd < 0 || !fn)
		return -EINVAL;
	for (i = 0; i < l->max; i++) {
		s = &l->src[i];
		if (s->used)
			continue;
		s->used = 1;
		s->gen++;
		s->fd = fd;
		s->events = events;
		s->polling = 0;
		s->ready = 0;
		s->revents = 0;
		s->ch = ch;
		s->fn = fn;
		s->arg = arg;
		return (int)i;
	}
	return -ENOSPC;
}

int cellmsg_loop_add_chan(struct cellmsg_loop *loop, struct cellmsg_chan *ch,
			  cellmsg_loop_fn fn, void *arg)
{
	if (!loop || !ch || !ch->be.event_fd || !ch->be.event_ack)
		return -EINVAL;
	return add_source(loop, ch->be.event_fd(ch->be.ctx), POLLIN, ch, fn, arg);
}

int cellmsg_loop_add_fd(struct cellmsg_loop *loop, int fd, uint32_t events,
			cellmsg_loop_fn fn, void *arg)
{
	if (!loop || !events)
		return -EINVAL;
	return add_source(loop, fd, events, NULL, fn, arg);
}

int cellmsg_loop_remove(struct cellmsg_loop *loop, int id)
{
	struct loop_source *s;
	struct io_uring_sqe *sqe;

	if (!loop || id < 0 || (unsigned int)id >= loop->max || !loop->src[id].used)
		return -ENOENT;
	s = &loop->src[id];
	if (s->polling) {
		sqe = io_uring_get_sqe(&loop->ring);
		if (!sqe)
			return -EBUSY;
		io_uring_prep_poll_remove(sqe, tag(loop, s));
		io_uring_sqe_set_data64(sqe, REMOVE_TAG);
	}
	if (s->ch)
		cellmsg_rx_disarm(s->ch);
	s->used = 0;
	s->ch = NULL;
	return 0;
}

/* Makes sure every source has a poll in flight; returns sources ready now. */
static int arm_all(struct cellmsg_loop *l)
{
	struct io_uring_sqe *sqe;
	struct loop_source *s;
	unsigned int i;
	int ready = 0;

	for (i = 0; i < l->max; i++) {
		s = &l->src[i];
		if (!s->used)
			continue;
		s->ready = 0;
		s->revents = 0;
		if (s->ch && cellmsg_rx_arm(s->ch)) {
			s->ready = 1;
			s->revents = POLLIN;
			ready++;
		}
		if (s->polling)
			continue;
		sqe = io_uring_get_sqe(&l->ring);
		if (!sqe)
			return -EBUSY;
		io_uring_prep_poll_multishot(sqe, s->fd, s->events);
		io_uring_sqe_set_data64(sqe, tag(l, s));
		s->polling = 1;
	}
	return ready;
}

static int wait_events(struct cellmsg_loop *l, int64_t timeout_ns)
{
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int err;

	if (timeout_ns < 0) {
		err = io_uring_submit_and_wait(&l->ring, 1);
		return err < 0 ? err : 0;
	}
	ts.tv_sec = timeout_ns / 1000000000;
	ts.tv_nsec = timeout_ns % 1000000000;
	err = io_uring_submit(&l->ring);
	if (err < 0)
		return err;
	err = io_uring_wait_cqe_timeout(&l->ring, &cqe, &ts);
	return err == -ETIME ? 0 : err;
}

static void gather(struct cellmsg_loop *l)
{
	struct io_uring_cqe *cqe;
	struct loop_source *s;

	while (io_uring_peek_cqe(&l->ring, &cqe) == 0) {
		s = untag(l, io_uring_cqe_get_data64(cqe));
		if (s) {
			if (!(cqe->flags & IORING_CQE_F_MORE))
				s->polling = 0;	/* re-armed next round */
			if (cqe->res > 0) {
				s->revents |= (uint32_t)cqe->res;
				s->ready = 1;
			}
		}
		io_uring_cqe_seen(&l->ring, cqe);
	}
}

/*
 * A doorbell on a channel's fd is consumed here; the callback runs only if
 * the channel has something (a doorbell may be about space or be stale).
 * A channel that is not ready stays armed for the next sleep.
 */
static void check_chan(struct loop_source *s)
{
	s->ch->be.event_ack(s->ch->be.ctx);
	s->revents = POLLIN;
	s->ready = cellmsg_rx_arm(s->ch);
}

static int dispatch(struct cellmsg_loop *l)
{
	struct loop_source *s;
	unsigned int i;
	int err, ran = 0;

	for (i = 0; i < l->max; i++) {
		s = &l->src[i];
		if (!s->used || !s->ready)
			continue;
		if (s->ch)
			cellmsg_rx_disarm(s->ch);
		ran++;
		err = s->fn(s->arg, s->revents);
		if (err < 0)
			return err;
	}
	return ran;
}

int cellmsg_loop_run_once(struct cellmsg_loop *loop, int64_t timeout_ns)
{
	uint64_t deadline = 0, now;
	int64_t left = timeout_ns;
	struct loop_source *s;
	unsigned int i;
	int ready, err;

	if (!loop)
		return -EINVAL;
	if (timeout_ns > 0)
		deadline = cellmsg__now_ns() + (uint64_t)timeout_ns;
	for (;;) {
		ready = arm_all(loop);
		if (ready < 0)
			return ready;
		err = wait_events(loop, ready ? 0 : left);
		if (err < 0 && err != -EINTR)
			return err;
		gather(loop);
		for (i = 0; i < loop->max; i++) {
			s = &loop->src[i];
			if (s->used && s->ch && s->ready)
				check_chan(s);
			if (s->used && s->ready)
				ready++;
		}
		if (ready)
			return dispatch(loop);
		if (timeout_ns == 0 || err == -EINTR)
			return 0;
		if (timeout_ns > 0) {
			now = cellmsg__now_ns();
			if (now >= deadline)
				return 0;
			left = (int64_t)(deadline - now);
		}
	}
}
