// SPDX-License-Identifier: GPL-2.0-only
/*
 * The io_uring event loop (cellmsg/loop.h) on the host backend: channels
 * and plain fds in one loop, doorbell suppression when disarmed, resets
 * reported through the callback, and a second process streaming messages
 * that the loop must all deliver (no lost wake-up).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>
#include <cellmsg/loop.h>

#include "check.h"

#define REGION_SIZE	(64 * 1024)
#define MS		1000000LL

struct pair {
	struct cellmsg_host host;
	struct cellmsg_chan a, b;
};

struct counter {
	int calls;
	uint32_t revents;
	struct cellmsg_chan *ch;	/* drained by the callback if set */
	int received;
	int last_err;
	uint32_t next;			/* expected next message value */
	int bad;
};

static void pair_open(struct pair *p)
{
	struct cellmsg_config cfg = { .ring_size = 4096 };
	struct cellmsg_backend be;

	CHECK_EQ(cellmsg_host_create(&p->host, REGION_SIZE), 0, "host_create");
	cellmsg_host_backend(&p->host, 0, &be);
	CHECK_EQ(cellmsg_open(&p->a, p->host.region, REGION_SIZE, 0, &cfg, &be), 0, "open a");
	cellmsg_host_backend(&p->host, 1, &be);
	CHECK_EQ(cellmsg_open(&p->b, p->host.region, REGION_SIZE, 1, &cfg, &be), 0, "open b");
	cellmsg_peer_state(&p->a);
	cellmsg_peer_state(&p->b);
	cellmsg_peer_state(&p->a);
}

static int on_event(void *arg, uint32_t revents)
{
	struct counter *c = arg;
	uint32_t v;
	int n;

	c->calls++;
	c->revents |= revents;
	if (!c->ch)
		return 0;
	for (;;) {
		n = cellmsg_recv(c->ch, &v, sizeof(v), 0);
		if (n < 0) {
			if (n != -EAGAIN && n != -ENOTCONN)
				c->last_err = n;
			return 0;
		}
		if (n != sizeof(v) || v != c->next)
			c->bad++;
		c->next++;
		c->received++;
	}
}

static void test_timeout(void)
{
	struct cellmsg_loop *loop;
	struct counter c = { 0 };
	struct pair p;

	pair_open(&p);
	CHECK_EQ(cellmsg_loop_create(&loop, 4), 0, "create");
	CHECK(cellmsg_loop_add_chan(loop, &p.b, on_event, &c) >= 0, "add_chan");
	CHECK_EQ(cellmsg_loop_run_once(loop, 20 * MS), 0, "nothing ready: timeout");
	CHECK_EQ(c.calls, 0, "no callback");
	cellmsg_loop_destroy(loop);
	cellmsg_host_destroy(&p.host);
}

static void test_fd_and_chan(void)
{
	struct counter cf = { 0 }, cc = { 0 };
	struct cellmsg_loop *loop;
	struct pair p;
	uint32_t v = 0;
	uint64_t bells;
	int fds[2], chan_id;
	char byte;

	pair_open(&p);
	CHECK_EQ(pipe(fds), 0, "pipe");
	cc.ch = &p.b;
	CHECK_EQ(cellmsg_loop_create(&loop, 4), 0, "create");
	CHECK(cellmsg_loop_add_fd(loop, fds[0], POLLIN, on_event, &cf) >= 0, "add_fd");
	chan_id = cellmsg_loop_add_chan(loop, &p.b, on_event, &cc);
	CHECK(chan_id >= 0, "add_chan: %d", chan_id);

	/* An fd event alone. */
	CHECK_EQ(write(fds[1], "x", 1), 1, "write pipe");
	CHECK_EQ(cellmsg_loop_run_once(loop, 1000 * MS), 1, "one callback");
	CHECK_EQ(cf.calls, 1, "fd callback");
	CHECK(cf.revents & POLLIN, "POLLIN: %#x", cf.revents);
	CHECK_EQ(read(fds[0], &byte, 1), 1, "drain pipe");

	/* A round that sleeps leaves b armed: a's send rings and wakes it. */
	CHECK_EQ(cellmsg_loop_run_once(loop, 5 * MS), 0, "idle round");
	bells = p.a.doorbells_sent;
	CHECK_EQ(cellmsg_send(&p.a, &v, sizeof(v), 0), 0, "send while armed");
	CHECK_EQ(p.a.doorbells_sent, bells + 1, "doorbell rung for an armed peer");
	CHECK_EQ(cellmsg_loop_run_once(loop, 1000 * MS), 1, "woken");
	CHECK_EQ(cc.received, 1, "received");

	/* The round that ran b's callback disarmed it: no doorbell now. */
	v = 1;
	CHECK_EQ(cellmsg_send(&p.a, &v, sizeof(v), 0), 0, "send while disarmed");
	CHECK_EQ(p.a.doorbells_sent, bells + 1, "no doorbell for a disarmed peer");
	CHECK_EQ(cellmsg_loop_run_once(loop, 1000 * MS), 1, "message seen without doorbell");
	CHECK_EQ(cc.received, 2, "received");
	CHECK_EQ(cc.bad, 0, "contents");

	/* A removed source is never called again. */
	CHECK_EQ(cellmsg_loop_remove(loop, chan_id), 0, "remove");
	CHECK_EQ(cellmsg_loop_remove(loop, chan_id), -ENOENT, "remove twice");
	v = 2;
	CHECK_EQ(cellmsg_send(&p.a, &v, sizeof(v), 0), 0, "send after remove");
	CHECK_EQ(cellmsg_loop_run_once(loop, 20 * MS), 0, "removed: timeout");
	CHECK_EQ(cc.calls, 2, "no call after remove");

	cellmsg_loop_destroy(loop);
	close(fds[0]);
	close(fds[1]);
	cellmsg_host_destroy(&p.host);
}

static void test_reset_through_loop(void)
{
	struct cellmsg_loop *loop;
	struct counter c = { 0 };
	struct cellmsg_backend be;
	struct pair p;

	pair_open(&p);
	c.ch = &p.b;
	CHECK_EQ(cellmsg_loop_create(&loop, 2), 0, "create");
	CHECK(cellmsg_loop_add_chan(loop, &p.b, on_event, &c) >= 0, "add_chan");
	/* a restarts: a new epoch in its half. */
	cellmsg_close(&p.a);
	cellmsg_host_backend(&p.host, 0, &be);
	CHECK_EQ(cellmsg_open(&p.a, p.host.region, REGION_SIZE, 0, NULL, &be), 0, "reopen a");
	CHECK_EQ(cellmsg_loop_run_once(loop, 1000 * MS), 1, "callback for the reset");
	CHECK_EQ(c.last_err, -ECONNRESET, "reset reported to the callback's recv");
	cellmsg_loop_destroy(loop);
	cellmsg_host_destroy(&p.host);
}

static void test_bad_args(void)
{
	struct cellmsg_loop *loop;
	struct counter c = { 0 };
	struct pair p;

	CHECK_EQ(cellmsg_loop_create(&loop, 0), -EINVAL, "zero sources");
	pair_open(&p);
	CHECK_EQ(cellmsg_loop_create(&loop, 1), 0, "create");
	p.b.be.event_fd = NULL;
	CHECK_EQ(cellmsg_loop_add_chan(loop, &p.b, on_event, &c), -EINVAL,
		 "backend without event fd");
	CHECK_EQ(cellmsg_loop_add_fd(loop, -1, POLLIN, on_event, &c), -EINVAL, "bad fd");
	CHECK(cellmsg_loop_add_fd(loop, 0, POLLIN, on_event, &c) >= 0, "add");
	CHECK_EQ(cellmsg_loop_add_fd(loop, 0, POLLIN, on_event, &c), -ENOSPC, "full");
	cellmsg_loop_destroy(loop);
	cellmsg_host_destroy(&p.host);
}

/* A child streams COUNT numbers; the parent takes them only via the loop. */
static void test_stream_from_child(void)
{
	const uint32_t count = 200000;
	struct counter c = { 0 };
	struct cellmsg_loop *loop;
	struct cellmsg_backend be;
	struct cellmsg_host host;
	struct cellmsg_chan ch;
	int status, ret = 0;
	pid_t pid;

	CHECK_EQ(cellmsg_host_create(&host, REGION_SIZE), 0, "host_create");
	pid = fork();
	if (pid == 0) {
		struct cellmsg_config cfg = { .wait_mode = CELLMSG_WAIT_BLOCK };
		uint32_t v;

		alarm(60);
		cellmsg_host_backend(&host, 0, &be);
		if (cellmsg_open(&ch, host.region, REGION_SIZE, 0, &cfg, &be) ||
		    cellmsg_wait_connected(&ch, CELLMSG_FOREVER))
			_exit(2);
		for (v = 0; v < count; v++)
			if (cellmsg_send(&ch, &v, sizeof(v), CELLMSG_FOREVER))
				_exit(3);
		_exit(0);
	}
	cellmsg_host_backend(&host, 1, &be);
	CHECK_EQ(cellmsg_open(&ch, host.region, REGION_SIZE, 1, NULL, &be), 0, "open");
	c.ch = &ch;
	CHECK_EQ(cellmsg_loop_create(&loop, 1), 0, "create");
	CHECK(cellmsg_loop_add_chan(loop, &ch, on_event, &c) >= 0, "add_chan");
	while (c.received < (int)count && c.bad == 0 && c.last_err == 0) {
		ret = cellmsg_loop_run_once(loop, 5000 * MS);
		if (ret <= 0)
			break;
	}
	CHECK_EQ(c.received, count, "all messages through the loop");
	CHECK_EQ(c.bad, 0, "order and content");
	CHECK_EQ(c.last_err, 0, "no error");
	CHECK(ret > 0, "loop stalled: run_once %d", ret);
	if (c.received < (int)count)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	cellmsg_loop_destroy(loop);
	cellmsg_host_destroy(&host);
}

int main(void)
{
	RUN(test_timeout);
	RUN(test_fd_and_chan);
	RUN(test_reset_through_loop);
	RUN(test_bad_args);
	RUN(test_stream_from_child);
	return check_exit();
}
