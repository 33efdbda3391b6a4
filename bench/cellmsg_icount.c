// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellmsg_icount: instructions per libcellmsg operation, counted by
 * valgrind's callgrind (bench/icount.sh runs it; `make bench-icount`).
 *
 * Under QEMU TCG every guest instruction costs about what a cache miss
 * costs on hardware, so the root <-> inmate polled latency follows the
 * instruction count of a send plus a receive. Counts are deterministic:
 * unlike timings on a shared VM they can decide between two versions.
 *
 * Both sides of one channel live in this process, both in POLL mode,
 * every call with timeout 0; each case is a loop whose iterations are
 * counted alone (collection is switched on around the loop only, one
 * callgrind dump per case) and divided by the iterations. The baseline
 * is a hand-written minimal SPSC ring of 8-byte slots (bench/spsc_ring.h).
 * A round's count includes this file's loop and checks; icount.sh also
 * counts the share of the library's own lines (libcellmsg's sources and
 * spsc_ring.h, where the compiler inlined them), which is what the calls
 * cost an application.
 *
 * Without valgrind the program just runs the cases (the client requests
 * are no-ops) and checks that every message arrived.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#include "spsc_ring.h"

#define REGION_SIZE	(1u << 20)	/* as cellmsg_bench: 256 KiB rings */
#define ITERS		20000
#define WARMUP		1000
#define BATCH		32

static struct cellmsg_host host;
static struct cellmsg_chan a, b;

static void die(const char *what, int err)
{
	fprintf(stderr, "cellmsg_icount: %s: %d\n", what, err);
	exit(1);
}

static void open_pair(void)
{
	struct cellmsg_config cfg = {
		.wait_mode = CELLMSG_WAIT_POLL, .buf_count = 4, .buf_size = 1024,
	};
	struct cellmsg_backend be;
	int err;

	err = cellmsg_host_create(&host, REGION_SIZE);
	if (err)
		die("host_create", err);
	cellmsg_host_backend(&host, 0, &be);
	err = cellmsg_open(&a, host.region, host.size, 0, &cfg, &be);
	if (err)
		die("open a", err);
	cellmsg_host_backend(&host, 1, &be);
	err = cellmsg_open(&b, host.region, host.size, 1, &cfg, &be);
	if (err)
		die("open b", err);
	cellmsg_peer_state(&a);
	cellmsg_peer_state(&b);
	if (cellmsg_wait_connected(&a, 0) || cellmsg_wait_connected(&b, 0))
		die("connect", -ENOTCONN);
}

static __attribute__((noinline)) void round_8(void)
{
	static uint64_t out, in;

	if (cellmsg_send(&a, &out, sizeof(out), 0))
		die("send", -EIO);
	if (cellmsg_recv(&b, &in, sizeof(in), 0) != sizeof(in))
		die("recv", -EIO);
}

static __attribute__((noinline)) void round_64(void)
{
	static uint8_t out[64], in[64];

	if (cellmsg_send(&a, out, sizeof(out), 0))
		die("send", -EIO);
	if (cellmsg_recv(&b, in, sizeof(in), 0) != sizeof(in))
		die("recv", -EIO);
}

/* Claim, write 8 bytes, submit; view in place, read them, done. */
static __attribute__((noinline)) void round_zc(void)
{
	struct cellmsg_txbuf tb;
	struct cellmsg_rx rx;

	if (cellmsg_buf_claim(&a, &tb))
		die("claim", -EIO);
	*(uint64_t *)tb.data = 42;
	if (cellmsg_buf_submit(&a, &tb, 8, 0))
		die("submit", -EIO);
	if (cellmsg_recv_zc(&b, &rx, 0) || rx.len != 8)
		die("recv_zc", -EIO);
	if (*(const volatile uint64_t *)rx.data != 42)
		die("zero-copy data", -EIO);
	if (cellmsg_recv_done(&b, &rx))
		die("recv_done", -EIO);
}

/* The same through the ring: claim room in place, write 8 bytes, commit. */
static __attribute__((noinline)) void round_zc_ring(void)
{
	struct cellmsg_rx rx;
	void *data;

	if (cellmsg_send_begin(&a, 8, &data, 0))
		die("send_begin", -EIO);
	*(uint64_t *)data = 42;
	if (cellmsg_send_commit(&a, 8))
		die("send_commit", -EIO);
	if (cellmsg_recv_zc(&b, &rx, 0) || rx.len != 8)
		die("recv_zc", -EIO);
	if (*(const volatile uint64_t *)rx.data != 42)
		die("zero-copy data", -EIO);
	if (cellmsg_recv_done(&b, &rx))
		die("recv_done", -EIO);
}

static uint8_t batch_out[BATCH][64], batch_in[BATCH][64];
static struct cellmsg_msg batch_tx[BATCH];
static struct cellmsg_rxbuf batch_rx[BATCH];

/* The batch's descriptors are set up once, as an application would. */
static void batch_setup(void)
{
	int i;

	for (i = 0; i < BATCH; i++) {
		batch_tx[i] = (struct cellmsg_msg){ .data = batch_out[i], .len = 64 };
		batch_rx[i] = (struct cellmsg_rxbuf){ .data = batch_in[i], .cap = 64 };
	}
}

/* 32 messages of 64 bytes with one send and one receive call. */
static __attribute__((noinline)) void round_batch(void)
{
	struct cellmsg_msg *tx = batch_tx;
	struct cellmsg_rxbuf *rx = batch_rx;
	int n;

	n = cellmsg_send_batch(&a, tx, BATCH, 0);
	if (n != BATCH)
		die("send_batch", n);
	n = cellmsg_recv_batch(&b, rx, BATCH, 0);
	if (n != BATCH)
		die("recv_batch", n);
}

/* ---- the baseline: bench/spsc_ring.h ------------------------------------ */

static __attribute__((noinline)) void round_spsc(void)
{
	static uint64_t in;

	if (spsc_send(7) || spsc_recv(&in) || in != 7)
		die("spsc", -EIO);
}

/* ---- the run ------------------------------------------------------------- */

/*
 * Runs @fn @iters times with collection on, dumps the counts as @name and
 * prints the number of operations to divide them by (@per each call).
 */
static void measure(const char *name, void (*fn)(void), unsigned int iters,
		    unsigned int per)
{
	unsigned int i;

	for (i = 0; i < WARMUP; i++)
		fn();
	CALLGRIND_TOGGLE_COLLECT;
	for (i = 0; i < iters; i++)
		fn();
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	printf("%s %u\n", name, iters * per);
}

int main(void)
{
	open_pair();
	measure("cellmsg_insns_8B", round_8, ITERS, 1);
	measure("cellmsg_insns_64B", round_64, ITERS, 1);
	measure("cellmsg_insns_zc", round_zc, ITERS, 1);
	measure("cellmsg_insns_zc_ring", round_zc_ring, ITERS, 1);
	batch_setup();
	measure("cellmsg_insns_batch32_per_msg", round_batch, ITERS / BATCH, BATCH);
	measure("spsc_insns_8B", round_spsc, ITERS, 1);
	cellmsg_close(&a);
	cellmsg_close(&b);
	cellmsg_host_destroy(&host);
	return 0;
}
