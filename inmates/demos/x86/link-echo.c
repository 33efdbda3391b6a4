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
 *
 * Inmate<->inmate round trips, without root Linux in the path, on a
 * command in the link's common section (include/bulkhead/bench_proto.h,
 * BH_LINK_*: a command block per peer, a result block per peer). On a new
 * command P measures round trips with peer target, stores the figures in
 * its result block and prints one line with p50, p99 and max on the
 * console (bulkhead-bench -L reads the result blocks):
 *   kind 1  8-byte libcellmsg messages, busy-polled (the echo is target's
 *           ordinary channel loop)
 *   kind 2  the bare doorbell: ring target's vector 1, target's handler
 *           rings back (word 2 tells it to)
 *   kind 3  8-byte libcellmsg messages, P sleeping in hlt until the
 *           echo's doorbell (interrupt mode; target still polls)
 *   kind 4  the raw cache line: P stores a count into its "raw line",
 *           target copies it into its own (word 3 = 1 + P tells it to,
 *           in a tight loop), P waits for it there: the floor under any
 *           protocol. A peer's raw line is the spare line of its pub/sub
 *           area (CELLMSG_PS_SPARE_LINE), which no protocol field uses.
 *   kind 8  one exit and next to nothing else: CPUID leaf 0 (always
 *           intercepted; the instruction's length comes with the exit), P
 *           alone
 *   kind 9  one emulated MMIO read: the link's NUM_PEERS register (the
 *           instruction fetched and decoded), P alone
 *   Kinds 8 and 9 are the floor under the doorbell's exits, measured in
 *   the same run.
 *
 * Publish/subscribe (cellmsg/pubsub.h), with the same command word:
 *   kind 5  publish PS_MESSAGES messages of the checkable stream
 *           (common/ps_pattern.h) under the WAIT policy, once target
 *           peers (the byte is a count here) have subscribed, 2 ms of
 *           pause after every 100 (a late subscriber finds it running);
 *           then the end mark until they have left
 *   kind 6  subscribe to peer target's topic and check every message
 *           until the end mark
 * Each prints one line on the console when done.
 *
 *   kind 7  stream STREAM_MESSAGES messages of the checkable stream to
 *           peer target on our channel with it and check every echo,
 *           serving the other channels meanwhile (so every pair of the
 *           link can stream at once)
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/bench_proto.h>
#include <bulkhead/ivshmem.h>
#include <cellmsg/cellmsg.h>
#include <cellmsg/inmate.h>
#include <cellmsg/pubsub.h>
#include <common/ps_pattern.h>

#define MMIO_BASE	IVSHMEM_INMATE_BARS(0)
#define REOPEN_NS	1000000000ull
#define SEND_TIMEOUT_NS	2000000000ll
#define CHANNEL_IRQ	40	/* MSI-X vector 0: libcellmsg doorbells */
#define BOUNCE_IRQ	41	/* MSI-X vector 1: bare doorbells */
#define BENCH_MAX	1000
#define PS_MESSAGES	50000u
#define PS_WAIT_NS	30000000000ll
#define PS_PACE_NS	2000000ull	/* after every 100 messages */
#define STREAM_MESSAGES	100000u
#define STREAM_WINDOW	64u		/* messages out before their echoes */
#define STREAM_NS	300000000000ull

static struct ivshmem_device dev;
static struct cellmsg_chan ch[IVSHMEM_MAX_PEERS];
static struct cellmsg_inmate im[IVSHMEM_MAX_PEERS];
static struct cellmsg_inmate ps_im;		/* pub/sub doorbells */
static uint64_t reopen_at[IVSHMEM_MAX_PEERS];	/* 0: open */
static uint32_t echoed[IVSHMEM_MAX_PEERS];
static uint8_t buf[16384];
static uint64_t samples[BENCH_MAX];
static volatile uint32_t bare_doorbells;
static volatile int may_sleep;		/* only the interrupt-mode benchmark */

static void idle(void)
{
	if (may_sleep)
		asm volatile("sti; hlt; cli" ::: "memory");
	else
		cpu_relax();
}

/* Word @i of peer @peer's command block in the common section. */
static volatile uint32_t *common_word(uint32_t peer, unsigned int i)
{
	return (volatile uint32_t *)((uint8_t *)dev.shmem + IVSHMEM_LINK_COMMON_OFFSET +
				     BH_LINK_CMD_BLOCK(peer)) + i;
}

static volatile struct bh_link_result *link_result(uint32_t peer)
{
	return (volatile struct bh_link_result *)((uint8_t *)dev.shmem +
						  IVSHMEM_LINK_COMMON_OFFSET + BH_LINK_RESULT(peer));
}

/* Peer @peer's raw line (see the top). */
static volatile uint64_t *raw_line(uint32_t peer)
{
	size_t slot = dev.output_size / dev.num_peers / 64 * 64;

	return (volatile uint64_t *)((volatile uint8_t *)IVSHMEM_OUTPUT(&dev, peer) + peer * slot +
				     CELLMSG_PS_SPARE_LINE);
}

/* Word 3 asks us to mirror peer (word - 1)'s raw line until it is cleared. */
static void mirror_raw(void)
{
	uint32_t partner;
	volatile uint64_t *own = raw_line(dev.id);

	while ((partner = *common_word(dev.id, BH_LINK_WORD_MIRROR)) && partner - 1 < dev.num_peers &&
	       partner - 1 != dev.id)
		*own = *raw_line(partner - 1);
}

static void on_channel(unsigned int vector)
{
	uint32_t p;

	(void)vector;
	for (p = 0; p < dev.num_peers; p++)
		cellmsg_inmate_irq(&im[p]);
	cellmsg_inmate_irq(&ps_im);
}

static void on_bounce(unsigned int vector)
{
	uint32_t partner = *common_word(dev.id, BH_LINK_WORD_BOUNCE);

	(void)vector;
	bare_doorbells++;
	if (partner && partner - 1 < dev.num_peers && partner - 1 != dev.id)
		ivshmem_ring(&dev, partner - 1, IVSHMEM_VECTOR_ECHO);
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

/* One round trip of @kind with @target; its time in ns, or 0 on a timeout. */
static uint32_t round_trip(uint32_t kind, uint32_t target, uint32_t i)
{
	uint64_t t0 = rdtsc(), deadline = now_ns() + SEND_TIMEOUT_NS;
	uint32_t seen = bare_doorbells;
	uint64_t msg = i;

	if (kind == BH_LINK_KIND_RAW) {
		*raw_line(dev.id) = msg + 1;
		while (*raw_line(target) != msg + 1)
			if ((msg & 0xff) == 0 && now_ns() > deadline)	/* the clock costs */
				return 0;
	} else if (kind == BH_LINK_KIND_NULL_EXIT) {
		uint32_t a = 0, b, c = 0, d;

		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	} else if (kind == BH_LINK_KIND_MMIO_READ) {
		(void)dev.regs[IVSHMEM_REG_NUM_PEERS / 4];
	} else if (kind == BH_LINK_KIND_DOORBELL) {
		ivshmem_ring(&dev, target, IVSHMEM_VECTOR_ECHO);
		while (bare_doorbells == seen)
			if (now_ns() > deadline)
				return 0;
	} else if (cellmsg_send(&ch[target], &msg, sizeof(msg), SEND_TIMEOUT_NS) ||
		   cellmsg_recv(&ch[target], buf, sizeof(buf), SEND_TIMEOUT_NS) != sizeof(msg)) {
		return 0;
	}
	return (uint32_t)tsc_to_ns(rdtsc() - t0) ?: 1;
}

static void bench(uint32_t cmd)
{
	static const char *const names[] = {
		[BH_LINK_KIND_POLL] = "poll 8 B", [BH_LINK_KIND_DOORBELL] = "doorbell",
		[BH_LINK_KIND_IRQ] = "irq 8 B", [BH_LINK_KIND_RAW] = "raw 64 B",
		[BH_LINK_KIND_NULL_EXIT] = "null exit", [BH_LINK_KIND_MMIO_READ] = "mmio read",
	};
	uint32_t kind = BH_LINK_CMD_KIND(cmd), target = BH_LINK_CMD_TARGET(cmd), n, i, lost = 0;
	volatile struct bh_link_result *r = link_result(dev.id);
	struct latency_summary s;

	if (kind >= sizeof(names) / sizeof(names[0]) || !names[kind] || target >= dev.num_peers ||
	    target == dev.id) {
		printk("link-echo %u: bench command 0x%x: no such kind or peer\n", dev.id, cmd);
		return;
	}
	n = kind == BH_LINK_KIND_POLL || kind == BH_LINK_KIND_RAW ? BENCH_MAX : BENCH_MAX / 5;
	if (kind == BH_LINK_KIND_DOORBELL)
		*common_word(target, BH_LINK_WORD_BOUNCE) = dev.id + 1;
	if (kind == BH_LINK_KIND_RAW) {
		*raw_line(dev.id) = 0;
		*common_word(target, BH_LINK_WORD_MIRROR) = dev.id + 1;
	}
	if (kind == BH_LINK_KIND_IRQ) {
		/* Off but in hlt: the backend checks, then waits with sti; hlt. */
		irq_disable();
		cellmsg_set_wait_mode(&ch[target], CELLMSG_WAIT_BLOCK, 0);
		may_sleep = 1;
	}
	for (i = 0; i < n; i++) {
		samples[i - lost] = round_trip(kind, target, i);
		lost += !samples[i - lost];
	}
	may_sleep = 0;
	irq_enable();
	cellmsg_set_wait_mode(&ch[target], CELLMSG_WAIT_POLL, 0);
	*common_word(target, BH_LINK_WORD_BOUNCE) = 0;
	*common_word(target, BH_LINK_WORD_MIRROR) = 0;
	n -= lost;
	latency_summary(samples, n, &s);
	r->seq = BH_LINK_CMD_SEQ(cmd);
	r->kind = kind;
	r->target = target;
	r->round_trips = n;
	r->lost = lost;
	r->p50_ns = (uint32_t)s.p50;		/* round_trip()'s ns: 32 bits */
	r->p99_ns = (uint32_t)s.p99;
	r->max_ns = (uint32_t)s.max;
	printk("link-echo %u -> %u: %s: %u round trips, p50 %u ns, p99 %u ns, max %u ns, %u lost\n",
	       dev.id, target, names[kind], n, r->p50_ns, r->p99_ns, r->max_ns, lost);
}

/* ---- publish/subscribe ---------------------------------------------------- */

/* Peer @peer's pub/sub area and its size (0: none). */
static size_t ps_area(uint32_t peer, void **area)
{
	const void *a = NULL;
	size_t n = cellmsg_link_ps_area(output(peer), dev.output_size, dev.num_peers, peer, &a);

	*area = (void *)a;
	return n;
}

static void ps_backend(struct cellmsg_ps_backend *be)
{
	/* the state table is at the start of the link's memory */
	cellmsg_inmate_ps_backend(&ps_im, dev.regs, IVSHMEM_VECTOR_CHANNEL,
				  (const volatile uint32_t *)dev.shmem, dev.num_peers, now_ns,
				  idle, be);
}

static void ps_publish(uint32_t subscribers)
{
	static struct cellmsg_pub pub;
	struct cellmsg_ps_backend be;
	uint8_t m[PS_PATTERN_MAX];
	uint32_t n, p, end = PS_END_MARK;
	uint64_t t0, deadline = now_ns() + PS_WAIT_NS;
	size_t size;
	void *area;
	int err = 0;

	ps_backend(&be);
	size = ps_area(dev.id, &area);
	if (!size || cellmsg_pub_open(&pub, area, size, dev.id, dev.num_peers, CELLMSG_PS_WAIT,
				      (uint32_t)rdtsc(), &be)) {
		printk("link-echo %u: no pub/sub area\n", dev.id);
		return;
	}
	for (p = 0; p < dev.num_peers; p++)
		if (p != dev.id && ps_area(p, &area))
			cellmsg_pub_peer(&pub, p, area);
	while (cellmsg_pub_subscribers(&pub) < subscribers && now_ns() < deadline)
		cpu_relax();
	t0 = rdtsc();
	for (n = 0; n < PS_MESSAGES && !err; n++) {
		err = cellmsg_pub_send(&pub, m, ps_pattern(m, n), PS_WAIT_NS);
		/* paced, so that a subscriber can come late (about 1 s in all) */
		if (n % 100 == 99)
			for (deadline = now_ns() + PS_PACE_NS; now_ns() < deadline;)
				cpu_relax();
	}
	printk("link-echo %u: published %u messages (WAIT) in %lu ms, slept %lu times, error %d, subscribers at the end: %u\n",
	       dev.id, n - (err != 0), tsc_to_ns(rdtsc() - t0) / 1000000, pub.sleeps, err,
	       cellmsg_pub_subscribers(&pub));
	deadline = now_ns() + PS_WAIT_NS;
	while (cellmsg_pub_subscribers(&pub) && now_ns() < deadline)
		cellmsg_pub_send(&pub, &end, sizeof(end), 1000000);
	cellmsg_pub_close(&pub);
}

static void ps_subscribe(uint32_t producer)
{
	static struct cellmsg_sub sub;
	struct cellmsg_ps_backend be;
	struct ps_tracker t = { 0 };
	size_t size;
	void *own, *theirs;
	int len;

	ps_backend(&be);
	size = ps_area(dev.id, &own);
	if (!size || producer == dev.id || !ps_area(producer, &theirs) ||
	    cellmsg_sub_open(&sub, own, theirs, size, producer, 0, &be)) {
		printk("link-echo %u: cannot subscribe to peer %u\n", dev.id, producer);
		return;
	}
	for (;;) {
		len = cellmsg_sub_recv(&sub, buf, sizeof(buf), PS_WAIT_NS);
		if (len == -ECONNRESET)
			continue;
		if ((len < 0 && len != -EOVERFLOW) || ps_track(&t, buf, len, -EOVERFLOW))
			break;
	}
	cellmsg_sub_close(&sub);
	printk("link-echo %u: subscribed to peer %u: %u messages (%u to %u), %u wrong, %lu lost%s\n",
	       dev.id, producer, t.got, t.first, t.last, t.wrong, cellmsg_sub_lost(&sub),
	       len < 0 ? ", then an error" : "");
}

/* Kind 7: a checked stream to @target, its echoes counted (see the top). */
static void stream_to(uint32_t target)
{
	uint8_t m[PS_PATTERN_MAX];
	uint32_t sent = 0, back = 0, wrong = 0, n, p;
	uint64_t deadline = now_ns() + STREAM_NS;
	int got = 0;

	while (back < STREAM_MESSAGES && now_ns() < deadline) {
		if (sent < STREAM_MESSAGES && sent - back < STREAM_WINDOW &&
		    !cellmsg_send(&ch[target], m, ps_pattern(m, sent), 0))
			sent++;
		got = cellmsg_recv(&ch[target], buf, sizeof(buf), 0);
		if (got > 0) {
			wrong += !ps_pattern_ok(buf, got, &n) || n != back;
			back++;
		} else if (got != -EAGAIN) {
			break;
		}
		for (p = 0; p < dev.num_peers; p++)
			if (p != dev.id && p != target)
				serve(p);
	}
	printk("link-echo %u -> %u: stream: %u messages sent, %u echoed, %u wrong%s\n", dev.id,
	       target, sent, back, wrong, got < 0 && got != -EAGAIN ? ", then an error" : "");
}

/* A command word: a benchmark, a pub/sub role or a stream. */
static void run_command(uint32_t cmd)
{
	uint32_t kind = BH_LINK_CMD_KIND(cmd), target = BH_LINK_CMD_TARGET(cmd);

	if (kind == BH_LINK_KIND_PUBLISH)
		ps_publish(target);
	else if (kind == BH_LINK_KIND_SUBSCRIBE && target < dev.num_peers)
		ps_subscribe(target);
	else if (kind == BH_LINK_KIND_STREAM && target < dev.num_peers && target != dev.id)
		stream_to(target);
	else
		bench(cmd);
}

int inmate_main(void)
{
	uint32_t p, cmd, last_cmd = 0;

	/* x2APIC where the CPU has it: the doorbell's EOI then does not exit. */
	printk("link-echo: using %s\n", apic_choose_mode());
	timing_init(PM_TIMER_PORT);
	irq_init();
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
	irq_set_handler(CHANNEL_IRQ, on_channel);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_CHANNEL, CHANNEL_IRQ);
	irq_set_handler(BOUNCE_IRQ, on_bounce);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_ECHO, BOUNCE_IRQ);
	irq_enable();		/* bounces are answered while we poll */
	ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
	printk("link-echo %u: channels with the other %u peers open, %u-byte messages at most\n",
	       dev.id, dev.num_peers - 1, cellmsg_max_msg(&ch[dev.id ? 0 : 1]));
	last_cmd = *common_word(dev.id, BH_LINK_WORD_CMD);
	for (;;) {
		for (p = 0; p < dev.num_peers; p++)
			if (p != dev.id)
				serve(p);
		mirror_raw();
		cmd = *common_word(dev.id, BH_LINK_WORD_CMD);
		if (cmd != last_cmd) {
			last_cmd = cmd;
			run_command(cmd);
			*common_word(dev.id, BH_LINK_WORD_DONE) = BH_LINK_CMD_SEQ(cmd);
		}
	}
}
