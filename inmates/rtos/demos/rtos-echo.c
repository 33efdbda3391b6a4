// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtos-echo: cellmsg-echo's service done by RTOS tasks, in the
 * ivshmem-demo cell (one device) or the rtos-channels cell (two): libcellmsg
 * from tasks that block in the scheduler (rtos/cellmsg.h) while the others
 * run.
 *
 *   echoN     (priority 3) one per ivshmem device (up to two): opens the
 *             channel and sends every message back; prints, per stream,
 *             what cellmsg-echo prints ("stream ended after N messages,
 *             checksum ..."), prefixed with the device, so cellmsg-xfer's
 *             check works unchanged, and how often the ticker ran
 *             meanwhile. "BH-MODE" messages switch its wait mode as in
 *             cellmsg-echo (raw is not served).
 *   doorbell  (priority 4) woken by the interrupt of vector 1 of the first
 *             device, rings the root back on vector 1: bulkhead-bench's bare doorbell,
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

#define MAX_DEVICES		2
#define CHANNEL_VECTOR(n)	(40 + 2 * (n))
#define ECHO_VECTOR		41
#define STACK_BYTES		16384
#define ADAPTIVE_SPIN_NS	20000
#define LATENCY_BATCH		1000
#define LINGER_TICKS		1000

/* One channel and the task that serves it. */
struct echo {
	struct ivshmem_device dev;
	struct rtos_cellmsg rc;
	struct cellmsg_backend be;
	struct cellmsg_chan ch;
	struct rtos_task task;
	char name[8];
	char where[8];				/* "bb:dd.f" */
	uint64_t stack[STACK_BYTES / 8] __attribute__((aligned(16)));
	uint8_t msg[BH_BENCH_MAX_MSG];
	uint64_t echoed, echoed_bytes, checksum, ticker_mark;
};

static struct echo echoes[MAX_DEVICES];
static unsigned int num_echoes;
static struct rtos_task doorbell, ticker;
static uint64_t doorbell_stack[STACK_BYTES / 8] __attribute__((aligned(16)));
static uint64_t ticker_stack[STACK_BYTES / 8] __attribute__((aligned(16)));
static struct rtos_sem rung;
static volatile uint64_t rung_tsc;
static uint64_t latency_tsc[LATENCY_BATCH];
static volatile uint64_t ticks_counted;

static void on_channel(unsigned int vector)
{
	rtos_cellmsg_irq(&echoes[(vector - CHANNEL_VECTOR(0)) / 2].rc);
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
		ivshmem_ring(&echoes[0].dev, IVSHMEM_ROOT_PEER_ID, IVSHMEM_VECTOR_ECHO);
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

static int open_channel(struct echo *e)
{
	struct cellmsg_config cfg = {
		.wait_mode = CELLMSG_WAIT_BLOCK,
		.entropy = (uint32_t)rdtsc(),
	};

	return cellmsg_open(&e->ch, e->dev.shmem, e->dev.shmem_size,
			    e->dev.id > IVSHMEM_ROOT_PEER_ID, &cfg, &e->be);
}

static void report_peer(struct echo *e, const char *what)
{
	rtos_printk("rtos-echo: %s: %s after %lu messages, checksum 0x%016lx bytes %lu; "
		    "ticker ran %lu times meanwhile\n", e->where, what, e->echoed, e->checksum,
		    e->echoed_bytes, ticks_counted - e->ticker_mark);
	e->echoed = 0;
	e->echoed_bytes = 0;
	e->checksum = BH_BENCH_FNV_OFFSET;
	e->ticker_mark = ticks_counted;
}

static void fold(struct echo *e, uint32_t len)
{
	e->checksum = bh_bench_fnv(e->checksum, e->msg, len);
	e->echoed_bytes += len;
	e->echoed++;
}

/*
 * 1 when the message switched the wait mode (not part of the stream);
 * the raw ping-pong is not served, so its message is a plain one here.
 */
static int mode_message(struct echo *e, int len)
{
	static const enum cellmsg_wait_mode modes[] = {
		[BH_BENCH_MODE_POLL] = CELLMSG_WAIT_POLL,
		[BH_BENCH_MODE_BLOCK] = CELLMSG_WAIT_BLOCK,
		[BH_BENCH_MODE_ADAPTIVE] = CELLMSG_WAIT_ADAPTIVE,
	};
	char m = bh_bench_mode_of(e->msg, (uint32_t)len);

	if (!m || m == BH_BENCH_MODE_RAW)
		return 0;
	cellmsg_set_wait_mode(&e->ch, modes[(uint8_t)m], ADAPTIVE_SPIN_NS);
	return 1;
}

/* 0: the stream ended; or the channel's error. */
static int serve(struct echo *e)
{
	int n;

	for (;;) {
		n = cellmsg_recv(&e->ch, e->msg, sizeof(e->msg), -1);
		if (n == 0) {
			report_peer(e, "stream ended");
			return 0;
		}
		if (n > 0) {
			if (!mode_message(e, n))
				fold(e, (uint32_t)n);
			n = cellmsg_send(&e->ch, e->msg, (uint32_t)n, -1);
		}
		if (n == -ECONNRESET) {
			report_peer(e, "peer left or restarted");
			continue;
		}
		if (n < 0)
			return n;
	}
}

/* After a stream: until the root app has let go of the device, or a second. */
static void linger(struct echo *e)
{
	unsigned int i;

	for (i = 0; i < LINGER_TICKS && ivshmem_peer_state(&e->dev) != IVSHMEM_STATE_RESET; i++)
		rtos_delay(1);
}

static void echo_task(void *arg)
{
	struct echo *e = arg;
	int err;

	e->checksum = BH_BENCH_FNV_OFFSET;
	for (;;) {
		err = open_channel(e);
		if (err) {
			rtos_printk("rtos-echo: %s: cannot open the channel: %d\n", e->where, err);
			rtos_delay(1000);
			continue;
		}
		ivshmem_set_state(&e->dev, IVSHMEM_STATE_READY);
		rtos_printk("rtos-echo: ready on %s, %lu KiB shared, max message %u bytes\n",
			    e->where, e->dev.shmem_size >> 10, cellmsg_max_msg(&e->ch));
		err = serve(e);
		cellmsg_close(&e->ch);
		if (err) {
			rtos_printk("rtos-echo: %s: channel error %d; reopening\n", e->where, err);
			report_peer(e, "channel reopened");
		} else {
			linger(e);
		}
	}
}

static void hex2(char *p, unsigned int v)
{
	static const char digits[] = "0123456789abcdef";

	p[0] = digits[(v >> 4) & 15];
	p[1] = digits[v & 15];
}

/* The @n-th ivshmem device, its interrupts and its echo task; 0 or -1. */
static int setup_echo(unsigned int n)
{
	struct echo *e = &echoes[n];

	if (ivshmem_open(&e->dev, n, IVSHMEM_INMATE_BARS(n)))
		return -1;
	hex2(e->where, e->dev.bdf >> 8);
	e->where[2] = ':';
	hex2(e->where + 3, (e->dev.bdf >> 3) & 0x1f);
	e->where[5] = '.';
	e->where[6] = (char)('0' + (e->dev.bdf & 7));
	memcpy(e->name, "echo", 4);
	e->name[4] = (char)('0' + n);
	irq_set_handler(CHANNEL_VECTOR(n), on_channel);
	ivshmem_route_vector(&e->dev, IVSHMEM_VECTOR_CHANNEL, CHANNEL_VECTOR(n));
	rtos_cellmsg_backend(&e->rc, e->dev.regs, IVSHMEM_ROOT_PEER_ID, IVSHMEM_VECTOR_CHANNEL,
			     &e->be);
	if (rtos_task_create(&e->task, e->name, echo_task, e, 3, e->stack, STACK_BYTES))
		return -1;
	num_echoes++;
	return 0;
}

int inmate_main(void)
{
	struct rtos_x86_config cfg = {
		.tick_hz = 1000,
		.tickless = 1,
		.pm_timer_port = PM_TIMER_PORT,
	};

	if (rtos_x86_init(&cfg)) {
		printk("rtos-echo: the RTOS did not start\n");
		return 1;
	}
	printk("rtos-echo: using %s\n", rtos_x86_apic_mode());
	while (num_echoes < MAX_DEVICES && setup_echo(num_echoes) == 0)
		;
	if (!num_echoes) {
		printk("rtos-echo: no ivshmem device found\n");
		return 1;
	}
	rtos_sem_init(&rung, 0, 1);
	irq_set_handler(ECHO_VECTOR, on_echo);
	ivshmem_route_vector(&echoes[0].dev, IVSHMEM_VECTOR_ECHO, ECHO_VECTOR);
	if (rtos_task_create(&doorbell, "doorbell", doorbell_task, 0, 4, doorbell_stack,
			     STACK_BYTES) ||
	    rtos_task_create(&ticker, "ticker", ticker_task, 0, 1, ticker_stack, STACK_BYTES)) {
		printk("rtos-echo: cannot create the tasks\n");
		return 1;
	}
	rtos_start();
	return 1;
}
