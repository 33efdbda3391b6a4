// SPDX-License-Identifier: GPL-2.0-only
/*
 * link-echo: on an ivshmem link, one libcellmsg channel with every other
 * peer, each in a slot of the two peers' output sections
 * (cellmsg_link_halves(): we write our own section only), all busy-polled
 * in turn; every message is sent back on the channel it came on. An
 * empty message ends a stream (cellmsg-xfer's end marker): the echo
 * reports the count on the console, closes that channel (the sender
 * waits for that) and opens it afresh a second later. Runs as any peer
 * of any link the cell's first ivshmem device is; root Linux drives it
 * with `cellmsg-xfer -p ID` (tests/system/guest/cellmsg-xfer.c).
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/ivshmem.h>
#include <cellmsg/cellmsg.h>
#include <cellmsg/inmate.h>

#define MMIO_BASE	IVSHMEM_INMATE_BARS(0)
#define PM_TIMER_PORT	0x608	/* q35 */
#define REOPEN_NS	1000000000ull
#define SEND_TIMEOUT_NS	2000000000ll

static struct ivshmem_device dev;
static struct cellmsg_chan ch[IVSHMEM_MAX_PEERS];
static struct cellmsg_inmate im[IVSHMEM_MAX_PEERS];
static uint64_t reopen_at[IVSHMEM_MAX_PEERS];	/* 0: open */
static uint32_t echoed[IVSHMEM_MAX_PEERS];
static uint8_t buf[16384];

static void idle(void)
{
	cpu_relax();		/* polling: nothing sleeps */
}

static void *output(uint32_t peer)
{
	return (void *)(uintptr_t)IVSHMEM_OUTPUT(&dev, peer);
}

static int open_peer(uint32_t p)
{
	struct cellmsg_config cfg = {
		.wait_mode = CELLMSG_WAIT_POLL,
		.entropy = (uint32_t)rdtsc() ^ p,
	};
	struct cellmsg_backend be;
	const void *peer_half;
	void *own_half;
	size_t n = cellmsg_link_halves(output(dev.id), output(p), dev.output_size, dev.num_peers,
				       dev.id, p, &own_half, &peer_half);

	if (!n)
		return -EINVAL;
	cellmsg_inmate_backend(&im[p], dev.regs, p, IVSHMEM_VECTOR_CHANNEL, now_ns, idle, &be);
	reopen_at[p] = 0;
	echoed[p] = 0;
	return cellmsg_open_halves(&ch[p], own_half, peer_half, n, &cfg, &be);
}

/* One look at peer @p's channel. */
static void serve(uint32_t p)
{
	int len;

	if (reopen_at[p]) {
		if (now_ns() >= reopen_at[p] && open_peer(p))
			reopen_at[p] = now_ns() + REOPEN_NS;
		return;
	}
	len = cellmsg_recv(&ch[p], buf, sizeof(buf), 0);
	if (len == -EAGAIN || len == -ENOTCONN || len == -ETIMEDOUT)
		return;
	if (len < 0) {
		printk("link-echo %u: channel with peer %u: error %d after %u echoes\n", dev.id, p,
		       len, echoed[p]);
		echoed[p] = 0;
		return;
	}
	if (len == 0) {
		printk("link-echo %u: peer %u: %u messages echoed\n", dev.id, p, echoed[p]);
		cellmsg_close(&ch[p]);
		reopen_at[p] = now_ns() + REOPEN_NS;
		return;
	}
	if (cellmsg_send(&ch[p], buf, (uint32_t)len, SEND_TIMEOUT_NS) == 0)
		echoed[p]++;
}

int inmate_main(void)
{
	uint32_t p;

	timing_init(PM_TIMER_PORT);
	if (ivshmem_open(&dev, 0, MMIO_BASE) || !dev.output_size || dev.id >= dev.num_peers) {
		printk("link-echo: no ivshmem link device found\n");
		return 1;
	}
	for (p = 0; p < dev.num_peers; p++)
		if (p != dev.id && open_peer(p)) {
			printk("link-echo %u: no channel with peer %u: output sections of 0x%lx bytes are too small\n",
			       dev.id, p, dev.output_size);
			return 1;
		}
	ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
	printk("link-echo %u: channels with the other %u peers open, %u-byte messages at most\n",
	       dev.id, dev.num_peers - 1, cellmsg_max_msg(&ch[dev.id ? 0 : 1]));
	for (;;)
		for (p = 0; p < dev.num_peers; p++)
			if (p != dev.id)
				serve(p);
}
