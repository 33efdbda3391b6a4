// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the peer's half of the region is attacker-controlled.
 *
 * Each input starts from an honest channel (the peer connected, a few
 * messages and a zero-copy buffer in flight), then interprets the input as
 * a program: patch a byte of the peer's half, or make the honest side
 * send (copying or in place in the ring, which must lie in our half) or
 * receive (copying or in place, touching every byte it was given), singly
 * or in batches.
 * Any result outside the documented errors, any crash and any access
 * outside the region (ASan) is a finding.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cellmsg/cellmsg.h>

#define REGION_SIZE	(16 * 1024)
#define HALF		(REGION_SIZE / 2)

static uint64_t fake_clock;

static int fake_notify(void *ctx) { (void)ctx; return 0; }
static int fake_wait(void *ctx, int64_t t) { (void)ctx; (void)t; return -ETIMEDOUT; }
static uint64_t fake_now(void *ctx) { (void)ctx; return fake_clock += 1000; }

static const struct cellmsg_backend fake_be = {
	.notify = fake_notify, .wait = fake_wait, .now_ns = fake_now,
};

static void setup(uint8_t *region, struct cellmsg_chan *a, struct cellmsg_chan *b)
{
	struct cellmsg_config cfg = { .ring_size = 4096, .buf_count = 4, .buf_size = 512 };
	struct cellmsg_txbuf tb;

	memset(region, 0, REGION_SIZE);
	cellmsg_open(a, region, REGION_SIZE, 0, &cfg, &fake_be);
	cellmsg_open(b, region, REGION_SIZE, 1, &cfg, &fake_be);
	cellmsg_peer_state(a);
	cellmsg_peer_state(b);
	cellmsg_peer_state(a);
	cellmsg_send(b, "first message", 13, 0);
	if (!cellmsg_buf_claim(b, &tb)) {
		memset(tb.data, 0x5a, 100);
		cellmsg_buf_submit(b, &tb, 100, 0);
	}
	cellmsg_send(b, "third", 5, 0);
}

static int allowed(int r)
{
	return r >= 0 || r == -EAGAIN || r == -EPROTO || r == -ENOTCONN ||
	       r == -ECONNRESET || r == -ENOBUFS || r == -ETIMEDOUT;
}

/* Up to 4 messages into buffers of sizes that @shape picks. */
static int recv_batch(struct cellmsg_chan *a, unsigned int shape)
{
	static uint8_t bufs[4][1024];
	struct cellmsg_rxbuf b[4];
	unsigned int i, n = shape % 4 + 1;

	for (i = 0; i < n; i++)
		b[i] = (struct cellmsg_rxbuf){ .data = bufs[i], .cap = (shape >> 2) * 128 + i * 64 };
	return cellmsg_recv_batch(a, b, n, 0);
}

static int send_batch(struct cellmsg_chan *a, unsigned int shape)
{
	static uint8_t data[2048];
	struct cellmsg_msg m[4];
	unsigned int i, n = shape % 4 + 1;

	for (i = 0; i < n; i++)
		m[i] = (struct cellmsg_msg){ .data = data, .len = (shape >> 2) * 97 * (i + 1) };
	return cellmsg_send_batch(a, m, n, 0);
}

/* Claims @len bytes in place, fills them, commits all but the last. */
static int send_in_place(struct cellmsg_chan *a, const uint8_t *region, uint32_t len)
{
	uint8_t *p;
	int r = cellmsg_send_begin(a, len, (void **)&p, 0);

	if (r)
		return r;
	if (p < region || p + len > region + HALF)
		abort();	/* outside our half */
	memset(p, 0xa5, len);
	return cellmsg_send_commit(a, len ? len - 1 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t region[REGION_SIZE] __attribute__((aligned(64)));
	static uint8_t buf[4096];
	struct cellmsg_chan a, b;
	struct cellmsg_rx rx;
	volatile uint8_t sink = 0;
	size_t i = 0;
	uint32_t k;
	int r;

	setup(region, &a, &b);
	while (i < size) {
		uint8_t op = data[i++];

		switch (op % 8) {
		case 0:	/* patch the peer's half */
			if (i + 3 > size)
				return 0;
			region[HALF + ((data[i] | data[i + 1] << 8) % HALF)] = data[i + 2];
			i += 3;
			break;
		case 1:
			r = cellmsg_recv(&a, buf, (op >> 3) * 128, 0);
			if (!allowed(r))
				abort();
			break;
		case 2:
			r = cellmsg_send(&a, buf, (uint32_t)(op >> 3) * 97, 0);
			if (!allowed(r) && r != -EMSGSIZE)
				abort();
			break;
		case 3:
			r = cellmsg_recv_zc(&a, &rx, 0);
			if (!allowed(r))
				abort();
			if (r == 0) {
				for (k = 0; k < rx.len; k++)
					sink += ((const volatile uint8_t *)rx.data)[k];
				r = cellmsg_recv_done(&a, &rx);
				if (!allowed(r))
					abort();
			}
			break;
		case 4:
			r = cellmsg_recv(&a, buf, sizeof(buf), 3000);
			if (!allowed(r))
				abort();
			break;
		case 5:
			r = recv_batch(&a, op >> 3);
			if (!allowed(r))
				abort();
			break;
		case 6:
			r = send_batch(&a, op >> 3);
			if (!allowed(r) && r != -EMSGSIZE)
				abort();
			break;
		case 7:
			r = send_in_place(&a, region, (uint32_t)(op >> 3) * 97);
			if (!allowed(r) && r != -EMSGSIZE)
				abort();
			break;
		}
	}
	(void)sink;
	return 0;
}
