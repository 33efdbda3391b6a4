// SPDX-License-Identifier: GPL-2.0-only
/*
 * The inmate backend against a fake register block, a fake clock and an
 * idle hook that plays the interrupt: the doorbell value it writes, the
 * wait that ends on an interrupt or times out, and a channel whose one
 * side runs on it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <bulkhead/ivshmem.h>
#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>
#include <cellmsg/inmate.h>

#include "check.h"

#define REGION_SIZE	(64 * 1024)

static uint32_t regs[IVSHMEM_REGS_SIZE / 4];
static uint64_t fake_ns;
static int idle_calls;
static int irq_after;			/* idle call that raises the interrupt */
static struct cellmsg_inmate *irq_target;

static uint64_t fake_now(void)
{
	return fake_ns;
}

/* Each idle is 1 ms of fake time; interrupt number irq_after arrives. */
static void fake_idle(void)
{
	fake_ns += 1000000;
	if (++idle_calls == irq_after && irq_target)
		cellmsg_inmate_irq(irq_target);
}

static void reset_fakes(void)
{
	memset(regs, 0, sizeof(regs));
	fake_ns = 1000;
	idle_calls = 0;
	irq_after = 0;
	irq_target = NULL;
}

static void test_doorbell_value(void)
{
	struct cellmsg_inmate im;
	struct cellmsg_backend be;

	reset_fakes();
	regs[IVSHMEM_REG_IV_POSITION / 4] = 1;
	cellmsg_inmate_backend(&im, regs, 0, 3, fake_now, fake_idle, &be);
	CHECK_EQ(cellmsg_inmate_own_id(&im), 1, "own id from IVPosition");
	CHECK_EQ(be.notify(be.ctx), 0, "notify");
	CHECK_EQ(regs[IVSHMEM_REG_DOORBELL / 4], IVSHMEM_DOORBELL(0, 3), "doorbell value");
	CHECK(be.event_fd == NULL, "no event fd in an inmate");
}

static void test_wait(void)
{
	struct cellmsg_inmate im;
	struct cellmsg_backend be;

	reset_fakes();
	cellmsg_inmate_backend(&im, regs, 1, 0, fake_now, fake_idle, &be);

	/* An interrupt that came before the wait ends it at once. */
	cellmsg_inmate_irq(&im);
	CHECK_EQ(be.wait(be.ctx, 5000000), 0, "pending interrupt");
	CHECK_EQ(idle_calls, 0, "no idle for a pending interrupt");

	/* Nobody rings: 5 ms of idling, then -ETIMEDOUT. */
	CHECK_EQ(be.wait(be.ctx, 5000000), -ETIMEDOUT, "timeout");
	CHECK_EQ(idle_calls, 5, "idled until the deadline");

	/* The interrupt during the third idle ends the wait. */
	idle_calls = 0;
	irq_after = 3;
	irq_target = &im;
	CHECK_EQ(be.wait(be.ctx, -1), 0, "woken by the interrupt");
	CHECK_EQ(idle_calls, 3, "woke right after it");
	CHECK_EQ(be.now_ns(be.ctx), fake_ns, "clock from the runtime");
}

/* Side 0 on the inmate backend, side 1 on the host backend. */
static void test_channel(void)
{
	struct cellmsg_config cfg = { .wait_mode = CELLMSG_WAIT_BLOCK };
	struct cellmsg_backend be_in, be_host;
	struct cellmsg_inmate im;
	struct cellmsg_host host;
	struct cellmsg_chan a, b;
	char buf[16];

	reset_fakes();
	CHECK_EQ(cellmsg_host_create(&host, REGION_SIZE), 0, "host_create");
	cellmsg_inmate_backend(&im, regs, 1, 0, fake_now, fake_idle, &be_in);
	cellmsg_host_backend(&host, 1, &be_host);
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, &cfg, &be_in), 0, "open a");
	CHECK_EQ(cellmsg_open(&b, host.region, REGION_SIZE, 1, &cfg, &be_host), 0, "open b");
	/* a looked before b existed: a few more looks finish the handshake. */
	cellmsg_peer_state(&a);
	cellmsg_peer_state(&b);
	CHECK_EQ(cellmsg_wait_connected(&a, 0), 0, "a connected");
	CHECK_EQ(cellmsg_wait_connected(&b, 0), 0, "b connected");

	/* a blocks in recv: it idles until the deadline, nothing is lost. */
	CHECK_EQ(cellmsg_recv(&a, buf, sizeof(buf), 3000000), -ETIMEDOUT, "a times out");
	CHECK(idle_calls >= 1, "a slept through the idle hook");
	CHECK_EQ(cellmsg_send(&b, "hello", 6, 0), 0, "b sends");
	CHECK_EQ(cellmsg_recv(&a, buf, sizeof(buf), 0), 6, "a receives");
	CHECK(strcmp(buf, "hello") == 0, "content");
	regs[IVSHMEM_REG_DOORBELL / 4] = 0;
	/* b waits for a message: a's send must ring peer 1. */
	CHECK_EQ(cellmsg_recv(&b, buf, sizeof(buf), 1000), -ETIMEDOUT, "b waits briefly");
	b.own->wake.want_data = 1;	/* as if b were asleep now */
	CHECK_EQ(cellmsg_send(&a, "back", 5, 0), 0, "a sends");
	CHECK_EQ(regs[IVSHMEM_REG_DOORBELL / 4], IVSHMEM_DOORBELL(1, 0),
		 "a rang peer 1 for a sleeping b");
	CHECK_EQ(cellmsg_recv(&b, buf, sizeof(buf), 0), 5, "b receives");
	cellmsg_host_destroy(&host);
}

int main(void)
{
	RUN(test_doorbell_value);
	RUN(test_wait);
	RUN(test_channel);
	return check_exit();
}
