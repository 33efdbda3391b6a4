// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellmsg-echo: the benchmark responder. Opens a libcellmsg channel on
 * the cell's first ivshmem device (inmate backend) and sends every
 * message back unchanged. Vector 1 is answered in the interrupt handler
 * itself with a doorbell on vector 1: the bare doorbell round trip,
 * without libcellmsg.
 *
 * A message of exactly BH_BENCH_MODE_LEN bytes starting with "BH-MODE"
 * switches the echo side's wait mode ('p' poll, 'b' block, 'a' adaptive)
 * and is echoed too, so a benchmark measures each mode with both sides in
 * it. The protocol's constants: include/bulkhead/bench_proto.h.
 *
 * "BH-MODEr" starts the raw cross-cell ping-pong, shared memory without
 * the protocol: the app then passes one zero-copy buffer (its "ping"
 * line), the echo passes one back (its "pong" line); the echo copies every
 * new 64-bit value of the ping line into the pong line until the app
 * writes BH_BENCH_RAW_END (or nothing changes for a second), then hands the
 * app's buffer back and serves messages again. Each side writes only its
 * own half, as everywhere in libcellmsg. A peer that restarts or closes is followed (the
 * channel reports -ECONNRESET once and resynchronises): the echo then
 * prints how many messages that peer sent and an FNV-1a checksum of
 * their bytes (the one tests/system/guest/cellmsg-xfer computes), so a
 * test can check the inmate saw exactly the stream sent. An empty message
 * ends a stream (cellmsg-xfer's end marker): the echo closes its side,
 * waits until the root app has let go of the device (PEER_STATE RESET;
 * uio_ivshmem sets READY while /dev/uioN is open) or a second passed,
 * and opens the channel afresh for the next app. A peer that breaks the
 * protocol (or writes our half) is reported on the console; the channel
 * then waits for the peer's next incarnation (libcellmsg resynchronises
 * when the peer opens again) and the echo says when it is back.
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/bench_proto.h>
#include <bulkhead/ivshmem.h>
#include <cellmsg/cellmsg.h>
#include <cellmsg/inmate.h>

#define MMIO_BASE		IVSHMEM_INMATE_BARS(0)
#define CHANNEL_VECTOR		40
#define ECHO_VECTOR		41
#define RAW_IDLE_NS		1000000000ull
#define RAW_CHECK_SPINS		4096
#define ADAPTIVE_SPIN_NS	20000
#define LINGER_NS		1000000000ull
#define LINGER_POLL_NS		1000000ull
/* Longest stretch with interrupts off, even when busy-polling. */
#define IRQ_WINDOW_NS		10000000ll

static struct ivshmem_device dev;
static struct cellmsg_inmate im;
static struct cellmsg_backend be;
static struct cellmsg_chan ch;
static uint8_t msg[BH_BENCH_MAX_MSG];
static uint64_t echoed;			/* messages, this peer */
static uint64_t echoed_bytes;
static uint64_t checksum;

static void on_channel(unsigned int vector)
{
	(void)vector;
	cellmsg_inmate_irq(&im);
}

static void on_echo(unsigned int vector)
{
	(void)vector;
	ivshmem_ring(&dev, IVSHMEM_ROOT_PEER_ID, IVSHMEM_VECTOR_ECHO);
}

/* Called with interrupts off; sti's shadow makes "sti; hlt" race-free. */
static void idle(void)
{
	asm volatile("sti; hlt; cli" ::: "memory");
}

static int open_channel(void)
{
	struct cellmsg_config cfg = {
		.wait_mode = CELLMSG_WAIT_ADAPTIVE,
		.spin_ns = ADAPTIVE_SPIN_NS,
		.entropy = (uint32_t)rdtsc(),
		.buf_count = 1,		/* the pong line of the raw ping-pong */
		.buf_size = BH_BENCH_RAW_LINE,
	};
	/* The lower peer ID takes side 0: the root cell. */
	return cellmsg_open(&ch, dev.shmem, dev.shmem_size,
			    dev.id > IVSHMEM_ROOT_PEER_ID, &cfg, &be);
}

static void let_interrupts_in(void);

/*
 * The raw ping-pong (see the top): the app's buffer is the ping line, ours
 * the pong line. 0, or the channel's error.
 */
static int raw_pingpong(void)
{
	const volatile uint64_t *ping;
	volatile uint64_t *pong;
	struct cellmsg_txbuf tb;
	struct cellmsg_rx rx;
	uint64_t seen = 0, v, t, last_change = now_ns();
	unsigned int spins = 0;
	int err, changed = 0;

	err = cellmsg_recv_zc(&ch, &rx, (int64_t)RAW_IDLE_NS);
	if (err)
		return err;
	if (!rx.is_buf || rx.len < sizeof(uint64_t)) {
		cellmsg_recv_done(&ch, &rx);
		return 0;		/* not the raw protocol: ignore */
	}
	ping = (const volatile uint64_t *)rx.data;
	err = cellmsg_buf_claim(&ch, &tb);
	if (!err) {
		pong = tb.data;
		*pong = 0;
		err = cellmsg_buf_submit(&ch, &tb, BH_BENCH_RAW_LINE, (int64_t)RAW_IDLE_NS);
	}
	while (!err && (v = *ping) != BH_BENCH_RAW_END) {
		if (v != seen) {
			*pong = seen = v;
			changed = 1;
			continue;
		}
		if (++spins < RAW_CHECK_SPINS)
			continue;
		spins = 0;
		let_interrupts_in();
		t = now_ns();
		if (changed)
			last_change = t;
		else if (t - last_change > RAW_IDLE_NS)
			break;		/* the app is gone */
		changed = 0;
	}
	cellmsg_recv_done(&ch, &rx);
	return err;
}

static void fold(const uint8_t *p, uint32_t len)
{
	checksum = bh_bench_fnv(checksum, p, len);
	echoed_bytes += len;
	echoed++;
}

static void report_peer(const char *what)
{
	printk("cellmsg-echo: %s after %lu messages, checksum 0x%016lx bytes %lu\n",
	       what, echoed, checksum, echoed_bytes);
	echoed = 0;
	echoed_bytes = 0;
	checksum = BH_BENCH_FNV_OFFSET;
}

/* 1 when the message was a mode switch (not part of the stream). */
static int maybe_switch_mode(int len)
{
	static const enum cellmsg_wait_mode modes[] = {
		[BH_BENCH_MODE_POLL] = CELLMSG_WAIT_POLL,
		[BH_BENCH_MODE_BLOCK] = CELLMSG_WAIT_BLOCK,
		[BH_BENCH_MODE_ADAPTIVE] = CELLMSG_WAIT_ADAPTIVE,
	};
	char m = bh_bench_mode_of(msg, (uint32_t)len);

	if (!m)
		return 0;
	if (m != BH_BENCH_MODE_RAW)
		cellmsg_set_wait_mode(&ch, modes[(uint8_t)m], ADAPTIVE_SPIN_NS);
	return 1;
}

/*
 * The channel runs with interrupts off; a busy-polling channel never
 * sleeps. Let pending interrupts in now and then, so that `cell shutdown`
 * (and the bare doorbell) is answered in any mode.
 */
static void let_interrupts_in(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}

/* After an end marker: give the app time to see our close and leave. */
static void linger(void)
{
	uint64_t start = now_ns(), t = start;

	while (ivshmem_peer_state(&dev) != IVSHMEM_STATE_RESET &&
	       t - start < LINGER_NS) {
		while (now_ns() - t < LINGER_POLL_NS)
			cpu_relax();
		let_interrupts_in();
		t = now_ns();
	}
}

static int recv_msg(void)
{
	int n;

	while ((n = cellmsg_recv(&ch, msg, sizeof(msg), IRQ_WINDOW_NS)) == -ETIMEDOUT)
		let_interrupts_in();
	return n;
}

static int send_msg(uint32_t len)
{
	int n;

	while ((n = cellmsg_send(&ch, msg, len, IRQ_WINDOW_NS)) == -ETIMEDOUT)
		let_interrupts_in();
	return n;
}

/*
 * After -EPROTO: the channel waits for the peer to open again. The wait
 * mode the corrupt peer chose goes with it. 0 once reconnected, or the
 * channel's error.
 */
static int wait_reconnect(void)
{
	int err;

	printk("cellmsg-echo: peer corrupted the channel (-EPROTO): waiting for it to reconnect\n");
	report_peer("stream cut by the corruption");
	cellmsg_set_wait_mode(&ch, CELLMSG_WAIT_ADAPTIVE, ADAPTIVE_SPIN_NS);
	for (;;) {
		err = cellmsg_wait_connected(&ch, IRQ_WINDOW_NS);
		if (err == -ETIMEDOUT) {
			let_interrupts_in();
			continue;
		}
		if (err == -EPROTO || err == -ECONNRESET)
			continue;	/* another corrupt incarnation, or it left */
		if (!err)
			printk("cellmsg-echo: peer reconnected\n");
		return err;
	}
}

/* 0: the stream ended; or the channel's error. */
static int serve(void)
{
	int n;

	for (;;) {
		n = recv_msg();
		if (n == 0) {
			report_peer("stream ended");
			return 0;
		}
		if (n > 0) {
			int control = maybe_switch_mode(n);

			if (!control)
				fold(msg, (uint32_t)n);
			n = send_msg((uint32_t)n);
			if (!n && control && msg[BH_BENCH_MODE_LEN - 1] == BH_BENCH_MODE_RAW)
				n = raw_pingpong();
		}
		if (n == -ECONNRESET) {
			report_peer("peer left or restarted");
			continue;
		}
		if (n == -EPROTO)
			n = wait_reconnect();
		if (n < 0)
			return n;
	}
}

int inmate_main(void)
{
	int err;

	/* In x2APIC mode a doorbell costs the inmate no EOI exit. */
	printk("cellmsg-echo: using %s\n", apic_choose_mode());
	timing_init(PM_TIMER_PORT);
	irq_init();
	if (ivshmem_open(&dev, 0, MMIO_BASE)) {
		printk("cellmsg-echo: no ivshmem device found\n");
		return 1;
	}
	irq_set_handler(CHANNEL_VECTOR, on_channel);
	irq_set_handler(ECHO_VECTOR, on_echo);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_CHANNEL, CHANNEL_VECTOR);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_ECHO, ECHO_VECTOR);
	cellmsg_inmate_backend(&im, dev.regs, IVSHMEM_ROOT_PEER_ID,
			       IVSHMEM_VECTOR_CHANNEL, now_ns, idle, &be);

	checksum = BH_BENCH_FNV_OFFSET;
	for (;;) {
		err = open_channel();
		if (err) {
			printk("cellmsg-echo: cannot open the channel: %d\n", err);
			return 1;
		}
		ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
		printk("cellmsg-echo: ready on %02x:%02x.%x, %lu KiB shared, max message %u bytes\n",
		       dev.bdf >> 8, (dev.bdf >> 3) & 0x1f, dev.bdf & 7,
		       dev.shmem_size >> 10, cellmsg_max_msg(&ch));
		err = serve();
		cellmsg_close(&ch);
		if (err) {
			printk("cellmsg-echo: channel error %d; reopening\n", err);
			report_peer("channel reopened");
		} else {
			linger();
		}
	}
}
