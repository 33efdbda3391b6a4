// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg against a hostile peer: garbage in the peer's half (identity,
 * indices, record headers, buffer descriptors) must give -EPROTO, sticky,
 * and never a crash or an out-of-bounds access (this test also runs under
 * ASan + UBSan).
 */
#include <errno.h>
#include <stdint.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#include "check.h"

#define REGION_SIZE	(64 * 1024)

struct pair {
	struct cellmsg_host host;
	struct cellmsg_chan a, b;	/* a is honest, b is the attacker */
};

static void pair_open(struct pair *p, int connect)
{
	struct cellmsg_config cfg = { .ring_size = 4096, .buf_count = 4, .buf_size = 1024 };
	struct cellmsg_backend be;

	CHECK_EQ(cellmsg_host_create(&p->host, REGION_SIZE), 0, "create");
	cellmsg_host_backend(&p->host, 0, &be);
	CHECK_EQ(cellmsg_open(&p->a, p->host.region, REGION_SIZE, 0, &cfg, &be), 0, "open a");
	cellmsg_host_backend(&p->host, 1, &be);
	CHECK_EQ(cellmsg_open(&p->b, p->host.region, REGION_SIZE, 1, &cfg, &be), 0, "open b");
	if (connect) {
		/* Three looks finish the handshake: a, b, then a again below. */
		cellmsg_peer_state(&p->a);
		cellmsg_peer_state(&p->b);
		CHECK_EQ(cellmsg_wait_connected(&p->a, 0), 0, "a connects");
		CHECK_EQ(cellmsg_wait_connected(&p->b, 0), 0, "b connects");
	}
}

/* a must now be broken for good. */
static void expect_broken(struct pair *p, const char *what)
{
	char buf[64];

	CHECK(cellmsg_recv(&p->a, buf, sizeof(buf), 0) == -EPROTO ||
	      cellmsg_send(&p->a, "x", 1, 0) == -EPROTO, "%s: no -EPROTO", what);
	CHECK_EQ(cellmsg_recv(&p->a, buf, sizeof(buf), 0), -EPROTO, "sticky recv");
	CHECK_EQ(cellmsg_send(&p->a, "x", 1, 0), -EPROTO, "sticky send");
	CHECK_EQ(cellmsg_peer_state(&p->a), CELLMSG_PEER_BROKEN, "state broken");
	cellmsg_host_destroy(&p->host);
}

/* Corrupts one identity field before a has looked at b. */
#define IDENT_CASE(field, value)						\
	do {									\
		struct pair p;							\
		pair_open(&p, 0);						\
		p.b.own->ident.field = (value);					\
		expect_broken(&p, "ident." #field " = " #value);		\
	} while (0)

static void test_bad_identity(void)
{
	IDENT_CASE(magic, 0x12345678);
	IDENT_CASE(version, 99);
	IDENT_CASE(half_size, REGION_SIZE);
	IDENT_CASE(ring_size, 3000);
	IDENT_CASE(ring_size, 1u << 31);
	IDENT_CASE(ring_size, 1024);
	IDENT_CASE(ring_offset, REGION_SIZE / 2 - 1024);
	IDENT_CASE(ring_offset, 0);
	IDENT_CASE(ring_offset, 0xfffff000u);
	IDENT_CASE(buf_count, 65);
	IDENT_CASE(buf_offset, 0x300);		/* inside the ring */
	IDENT_CASE(buf_size, 100);
	IDENT_CASE(buf_size, 0x40000000);
}

static void test_bad_base(void)
{
	struct pair p;

	pair_open(&p, 0);
	p.b.own->prod.base = 3;
	expect_broken(&p, "misaligned base");
}

static void test_bad_head(void)
{
	char msg[100] = { 0 };
	struct pair p;
	int i, err = 0;

	pair_open(&p, 1);
	p.b.own->cons.head = p.a.tx_pos + 4096;	/* ahead of what a wrote */
	for (i = 0; i < 100 && !err; i++)
		err = cellmsg_send(&p.a, msg, sizeof(msg), 0);
	CHECK_EQ(err, -EPROTO, "head ahead of the producer");
	expect_broken(&p, "head");

	pair_open(&p, 1);
	for (i = 0; i < 10; i++)
		cellmsg_send(&p.a, msg, sizeof(msg), 0);
	p.b.own->cons.head = p.a.tx_pos - 8192;	/* more than a ring behind */
	for (i = 0, err = 0; i < 100 && !err; i++)
		err = cellmsg_send(&p.a, msg, sizeof(msg), 0);
	CHECK_EQ(err, -EPROTO, "head behind");
	expect_broken(&p, "head behind");
}

static struct cellmsg_rec_hdr *next_record(struct pair *p)
{
	return (struct cellmsg_rec_hdr *)(p->b.tx_ring + (p->b.tx_pos & (p->b.tx_size - 1)));
}

/* b sends one honest message, then rewrites its header word. */
static void record_case(uint32_t word, const char *what)
{
	struct cellmsg_rec_hdr *hdr;
	struct pair p;

	pair_open(&p, 1);
	hdr = next_record(&p);
	CHECK_EQ(cellmsg_send(&p.b, "hello", 5, 0), 0, "honest send");
	hdr->word = word;
	expect_broken(&p, what);
}

static void test_bad_records(void)
{
	record_case(CELLMSG_REC_LEN_MASK | CELLMSG_REC_MSG << 24, "length 16M");
	record_case(4090 | CELLMSG_REC_MSG << 24, "length past the ring end");
	record_case(2041 | CELLMSG_REC_MSG << 24, "length over half the ring");
	record_case(5 | 7u << 24, "unknown type");
	record_case(5 | 0u << 24, "type 0");
	record_case(100 | CELLMSG_REC_PAD << 24, "pad not to the end");
	record_case(12 | CELLMSG_REC_BUF << 24, "buffer index 'hell'");
	record_case(5 | CELLMSG_REC_BUF << 24, "buffer descriptor of 5 bytes");
}

static void buf_case(uint32_t index, uint32_t len, const char *what)
{
	struct cellmsg_buf_desc *d;
	struct cellmsg_txbuf tb;
	struct pair p;

	pair_open(&p, 1);
	d = (struct cellmsg_buf_desc *)(next_record(&p) + 1);
	CHECK_EQ(cellmsg_buf_claim(&p.b, &tb), 0, "claim");
	CHECK_EQ(cellmsg_buf_submit(&p.b, &tb, 10, 0), 0, "submit");
	d->index = index;
	d->len = len;
	expect_broken(&p, what);
}

static void test_bad_buffers(void)
{
	buf_case(4, 10, "buffer index 4 of 4");
	buf_case(0xffffffffu, 10, "buffer index -1");
	buf_case(0, 1025, "buffer length over its size");
	buf_case(0, 0xffffffffu, "buffer length 4G");
}

/* Wrong release generations only keep a's buffers busy: no error. */
static void test_bad_release(void)
{
	struct cellmsg_txbuf tb;
	struct pair p;
	int i;

	pair_open(&p, 1);
	for (i = 0; i < (int)CELLMSG_MAX_BUFS; i++)
		p.b.own->released[i] = 0xdeadbeef;
	for (i = 0; i < 4; i++) {
		CHECK_EQ(cellmsg_buf_claim(&p.a, &tb), 0, "claim");
		CHECK_EQ(cellmsg_buf_submit(&p.a, &tb, 1, 0), 0, "submit");
	}
	CHECK_EQ(cellmsg_buf_claim(&p.a, &tb), -EAGAIN, "still busy, no error");
	CHECK_EQ(cellmsg_send(&p.a, "ok", 2, 0), 0, "channel fine");
	cellmsg_host_destroy(&p.host);
}

static uint32_t prng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 7);
}

/* Random garbage in b's half while a keeps working: only allowed results. */
static void test_random_garbage(void)
{
	uint64_t s = 0x1234567;
	char buf[4096];
	int round, i, r;

	for (round = 0; round < 300; round++) {
		struct pair p;
		uint8_t *half;

		pair_open(&p, round & 1);
		half = (uint8_t *)p.b.own;
		for (i = 0; i < 2000; i++) {
			uint32_t off = prng(&s) % (REGION_SIZE / 2);

			if (prng(&s) % 4 == 0)
				off %= 0x240;	/* hit the header more often */
			half[off] = (uint8_t)prng(&s);
			if (i % 50)
				continue;
			r = cellmsg_recv(&p.a, buf, sizeof(buf), 0);
			CHECK(r >= 0 || r == -EAGAIN || r == -EPROTO || r == -ENOTCONN ||
			      r == -ECONNRESET || r == -ENOBUFS, "recv: %d", r);
			r = cellmsg_send(&p.a, buf, prng(&s) % 600, 0);
			CHECK(r == 0 || r == -EAGAIN || r == -EPROTO || r == -ENOTCONN ||
			      r == -ECONNRESET, "send: %d", r);
		}
		cellmsg_host_destroy(&p.host);
	}
}

int main(void)
{
	RUN(test_bad_identity);
	RUN(test_bad_base);
	RUN(test_bad_head);
	RUN(test_bad_records);
	RUN(test_bad_buffers);
	RUN(test_bad_release);
	RUN(test_random_garbage);
	return check_exit();
}
