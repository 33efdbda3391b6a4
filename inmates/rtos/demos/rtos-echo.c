// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtos-echo: cellmsg-echo's service done by RTOS tasks, in the
 * ivshmem-demo cell: libcellmsg from a task that blocks in the scheduler
 * (rtos/cellmsg.h) while the others run.
 *
 *   echo      (priority 3) opens the channel on the first ivshmem device
 *             and sends every message back; prints, per stream, what
 *             cellmsg-echo prints ("stream ended after N messages,
 *             checksum ..."), so cellmsg-xfer's check works unchanged,
 *             and how often the ticker ran meanwhile. "BH-MODE" messages
 *             switch its wait mode as in cellmsg-echo (raw is not served).
 *   doorbell  (priority 4) woken by the interrupt of vector 1, rings the
 *             root back on vector 1: bulkhead-bench's bare doorbell,
 *             answered by a task instead of the handler. It measures
 *             interrupt-to-task latency (handler entry to the task
 *             running) and prints a summary every 1000 doorbells.
 *   ticker    (priority 1) counts every 10 ticks: proof the others run.
 */
#include "../../lib/x86/inmate.h"

#include <bulkhead/bench_proto.h>
#include <cellmsg/cellmsg.h>
#include <rtos/cellmsg.h>
#include <rtos/rtos.h>
#include <rtos/x86.h>

#define MMIO_BASE		IVSHMEM_INMATE_BARS(0)
#define CHANNEL_VECTOR		40
#define ECHO_VECTOR		41
#define STACK_BYTES		16384
#define ADAPTIVE_SPIN_NS	20000
#define LATENCY_BATCH		1000
#define LINGER_TICKS		1000

static struct ivshmem_device dev;
static struct rtos_cellmsg rc;
static struct cellmsg_backend be;
static struct cellmsg_chan ch;
static uint8_t msg[BH_BENCH_MAX_MSG];
static struct rtos_task echo, doorbell, ticker;
static uint64_t echo_stack[STACK_BYTES / 8] __attribute__((aligned(16)));
static uint64_t doorbell_stack[STACK_BYTES / 8] __attribute__((aligned(16)));
static uint64_t ticker_stack[STACK_BYTES / 8] __attribute__((aligned(16)));
static struct rtos_sem rung;
static volatile uint64_t rung_tsc;
static uint64_t latency_tsc[LATENCY_BATCH];
static volatile uint64_t ticks_counted;
static uint64_t echoed, echoed_bytes, checksum, ticker_mark;

static void on_channel(unsigned int vector)
{
	(void)vector;
	rtos_cellmsg_irq(&rc);
}

static void on_echo(unsigned int vector)
{
	(void)vector;
	rung_tsc = rdtsc();
	rtos_sem_give(&rung);
}

static void doorbell_task(void *arg)
{
	struct latency_summary s;
	unsigned int n = 0;
	uint64_t batches = 0;

	(void)arg;
	for (;;) {
		rtos_sem_take(&rung, RTOS_FOREVER);
		latency_tsc[n++] = rdtsc() - rung_tsc;
		ivshmem_ring(&dev, IVSHMEM_ROOT_PEER_ID, IVSHMEM_VECTOR_ECHO);
		if (n < LATENCY_BATCH)
			continue;
		latency_summary(latency_tsc, n, &s);
		batches++;
		rtos_printk("rtos-echo: interrupt to task, %u doorbells (batch %lu): min %lu ns, "
			    "p50 %lu ns, p99 %lu ns, max %lu ns\n", s.n, batches, tsc_to_ns(s.min),
			    tsc_to_ns(s.p50), tsc_to_ns(s.p99), tsc_to_ns(s.max));
		n = 0;
	}
}

static void ticker_task(void *arg)
{
	rtos_tick_t last = rtos_ticks();

	(void)arg;
	for (;;) {
		rtos_delay_until(&last, 10);
		ticks_counted++;
	}
}

static int open_channel(void)
{
	struct cellmsg_config cfg = {
		.wait_mode = CELLMSG_WAIT_BLOCK,
		.entropy = (uint32_t)rdtsc(),
	};

	return cellmsg_open(&ch, dev.shmem, dev.shmem_size,
			    dev.id > IVSHMEM_ROOT_PEER_ID, &cfg, &be);
}

static void report_peer(const char *what)
{
	rtos_printk("rtos-echo: %s after %lu messages, checksum 0x%016lx bytes %lu; "
		    "ticker ran %lu times meanwhile\n", what, echoed, checksum, echoed_bytes,
		    ticks_counted - ticker_mark);
	echoed = 0;
	echoed_bytes = 0;
	checksum = BH_BENCH_FNV_OFFSET;
	ticker_mark = ticks_counted;
}

static void fold(const uint8_t *p, uint32_t len)
{
	checksum = bh_bench_fnv(checksum, p, len);
	echoed_bytes += len;
	echoed++;
}

/* 1 when the message switched the wait mode (not part of the stream). */
static int mode_message(int len)
{
	uint8_t m = msg[BH_BENCH_MODE_LEN - 1];
	unsigned int i;

	if (len != BH_BENCH_MODE_LEN)
		return 0;
	for (i = 0; i < BH_BENCH_MODE_LEN - 1; i++)
		if (msg[i] != (uint8_t)BH_BENCH_MODE_MAGIC[i])
			return 0;
	if (m == BH_BENCH_MODE_POLL)
		cellmsg_set_wait_mode(&ch, CELLMSG_WAIT_POLL, 0);
	else if (m == BH_BENCH_MODE_BLOCK)
		cellmsg_set_wait_mode(&ch, CELLMSG_WAIT_BLOCK, 0);
	else if (m == BH_BENCH_MODE_ADAPTIVE)
		cellmsg_set_wait_mode(&ch, CELLMSG_WAIT_ADAPTIVE, ADAPTIVE_SPIN_NS);
	else
		return 0;
	return 1;
}

/* 0: the stream ended; or the channel's error. */
static int serve(void)
{
	int n;

	for (;;) {
		n = cellmsg_recv(&ch, msg, sizeof(msg), -1);
		if (n == 0) {
			report_peer("stream ended");
			return 0;
		}
		if (n > 0) {
			if (!mode_message(n))
				fold(msg, (uint32_t)n);
			n = cellmsg_send(&ch, msg, (uint32_t)n, -1);
		}
		if (n == -ECONNRESET) {
			report_peer("peer left or restarted");
			continue;
		}
		if (n < 0)
			return n;
	}
}

/* After a stream: until the root app has let go of the device, or a second. */
static void linger(void)
{
	unsigned int i;

	for (i = 0; i < LINGER_TICKS && ivshmem_peer_state(&dev) != IVSHMEM_STATE_RESET; i++)
		rtos_delay(1);
}

static void echo_task(void *arg)
{
	int err;

	(void)arg;
	checksum = BH_BENCH_FNV_OFFSET;
	for (;;) {
		err = open_channel();
		if (err) {
			rtos_printk("rtos-echo: cannot open the channel: %d\n", err);
			rtos_delay(1000);
			continue;
		}
		ivshmem_set_state(&dev, IVSHMEM_STATE_READY);
		rtos_printk("rtos-echo: ready on %02x:%02x.%x, %lu KiB shared, max message %u bytes\n",
			    dev.bdf >> 8, (dev.bdf >> 3) & 0x1f, dev.bdf & 7, dev.shmem_size >> 10,
			    cellmsg_max_msg(&ch));
		err = serve();
		cellmsg_close(&ch);
		if (err) {
			rtos_printk("rtos-echo: channel error %d; reopening\n", err);
			report_peer("channel reopened");
		} else {
			linger();
		}
	}
}

int inmate_main(void)
{
	struct rtos_x86_config cfg = { .tick_hz = 1000, .tickless = 1, .pm_timer_port = 0x608 };

	if (rtos_x86_init(&cfg)) {
		printk("rtos-echo: the RTOS did not start\n");
		return 1;
	}
	printk("rtos-echo: using %s\n", rtos_x86_apic_mode());
	if (ivshmem_open(&dev, 0, MMIO_BASE)) {
		printk("rtos-echo: no ivshmem device found\n");
		return 1;
	}
	rtos_sem_init(&rung, 0, 1);
	irq_set_handler(CHANNEL_VECTOR, on_channel);
	irq_set_handler(ECHO_VECTOR, on_echo);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_CHANNEL, CHANNEL_VECTOR);
	ivshmem_route_vector(&dev, IVSHMEM_VECTOR_ECHO, ECHO_VECTOR);
	rtos_cellmsg_backend(&rc, dev.regs, IVSHMEM_ROOT_PEER_ID, IVSHMEM_VECTOR_CHANNEL, &be);
	if (rtos_task_create(&echo, "echo", echo_task, 0, 3, echo_stack, STACK_BYTES) ||
	    rtos_task_create(&doorbell, "doorbell", doorbell_task, 0, 4, doorbell_stack,
			     STACK_BYTES) ||
	    rtos_task_create(&ticker, "ticker", ticker_task, 0, 1, ticker_stack, STACK_BYTES)) {
		printk("rtos-echo: cannot create the tasks\n");
		return 1;
	}
	rtos_start();
	return 1;
}
