// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg against a hostile peer: garbage in the peer's half (identity,
 * indices, record headers, buffer descriptors) must give -EPROTO once, and
 * never a crash or an out-of-bounds access (this test also runs under
 * ASan + UBSan). The channel then waits for the peer's next incarnation and
 * works with it, without stale messages; a peer that scribbled *our* half
 * before it came back gets that half published afresh.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#include "check.h"

/* CHECK_EQ with a formatted description. */
#define CHECK_IS(got, want, fmt, ...)						\
	do {									\
		long long g_ = (long long)(got), w_ = (long long)(want);	\
		CHECK(g_ == w_, fmt ": got %lld, want %lld", __VA_ARGS__, g_, w_); \
	} while (0)

#define REGION_SIZE	(64 * 1024)

static const struct cellmsg_config pair_cfg = {
	.ring_size = 4096, .buf_count = 4, .buf_size = 1024
};

struct pair {
	struct cellmsg_host host;
	struct cellmsg_chan a, b;	/* a is honest, b is the attacker */
};

static void pair_open(struct pair *p, int connect)
{
	struct cellmsg_backend be;

	CHECK_EQ(cellmsg_host_create(&p->host, REGION_SIZE), 0, "create");
	cellmsg_host_backend(&p->host, 0, &be);
	CHECK_EQ(cellmsg_open(&p->a, p->host.region, REGION_SIZE, 0, &pair_cfg, &be), 0, "open a");
	cellmsg_host_backend(&p->host, 1, &be);
	CHECK_EQ(cellmsg_open(&p->b, p->host.region, REGION_SIZE, 1, &pair_cfg, &be), 0, "open b");
	if (connect) {
		/* Three looks finish the handshake: a, b, then a again below. */
		cellmsg_peer_state(&p->a);
		cellmsg_peer_state(&p->b);
		CHECK_EQ(cellmsg_wait_connected(&p->a, 0), 0, "a connects");
		CHECK_EQ(cellmsg_wait_connected(&p->b, 0), 0, "b connects");
	}
}

/* Runs both handshakes until connected (each step is one look). */
static void pair_connect(struct pair *p, const char *what)
{
	int i;

	for (i = 0; i < 8; i++) {
		int a = cellmsg_peer_state(&p->a), b = cellmsg_peer_state(&p->b);

		if (a == CELLMSG_PEER_CONNECTED && b == CELLMSG_PEER_CONNECTED)
			break;
	}
	CHECK_IS(cellmsg_wait_connected(&p->a, 0), 0, "%s: a reconnects", what);
	CHECK_IS(cellmsg_wait_connected(&p->b, 0), 0, "%s: b reconnects", what);
}

/* One message each way, then nothing more: nothing stale came through. */
static void expect_clean_channel(struct pair *p, const char *what)
{
	char buf[64];

	CHECK_IS(cellmsg_send(&p->a, "ping", 4, 0), 0, "%s: a sends", what);
	CHECK_IS(cellmsg_recv(&p->b, buf, sizeof(buf), 0), 4, "%s: b receives", what);
	CHECK(!memcmp(buf, "ping", 4), "%s: b got the ping", what);
	CHECK_IS(cellmsg_recv(&p->b, buf, sizeof(buf), 0), -EAGAIN, "%s: b: nothing stale", what);
	CHECK_IS(cellmsg_send(&p->b, "pong", 4, 0), 0, "%s: b sends", what);
	CHECK_IS(cellmsg_recv(&p->a, buf, sizeof(buf), 0), 4, "%s: a receives", what);
	CHECK(!memcmp(buf, "pong", 4), "%s: a got the pong", what);
	CHECK_IS(cellmsg_recv(&p->a, buf, sizeof(buf), 0), -EAGAIN, "%s: a: nothing stale", what);
}

/* b (re)opens its side: a new incarnation. */
static void reopen_b(struct pair *p, const char *what)
{
	struct cellmsg_backend be;

	cellmsg_host_backend(&p->host, 1, &be);
	CHECK_IS(cellmsg_open(&p->b, p->host.region, REGION_SIZE, 1, &pair_cfg, &be), 0,
		 "%s: reopen b", what);
}

/*
 * a has reported -EPROTO (@reported) or must report it now, once; then it
 * waits, as unconnected, until b comes back, and works with the new b.
 */
static void expect_broken_reported(struct pair *p, const char *what, int reported)
{
	char buf[64];

	if (!reported)
		CHECK(cellmsg_recv(&p->a, buf, sizeof(buf), 0) == -EPROTO ||
		      cellmsg_send(&p->a, "x", 1, 0) == -EPROTO, "%s: no -EPROTO", what);
	CHECK_IS(cellmsg_peer_state(&p->a), CELLMSG_PEER_BROKEN, "%s: state broken", what);
	CHECK_IS(cellmsg_recv(&p->a, buf, sizeof(buf), 0), -ENOTCONN, "%s: then unconnected", what);
	CHECK_IS(cellmsg_send(&p->a, "x", 1, 0), -ENOTCONN, "%s: send unconnected", what);
	CHECK_IS(cellmsg_recv(&p->a, buf, sizeof(buf), 1000000), -ETIMEDOUT, "%s: waits", what);
	CHECK_IS(cellmsg_wait_connected(&p->a, 0), -ENOTCONN, "%s: not connected", what);
	CHECK_IS(cellmsg_rx_arm(&p->a), 0, "%s: an event loop sleeps", what);
	cellmsg_rx_disarm(&p->a);
	CHECK_IS(cellmsg_peer_state(&p->a), CELLMSG_PEER_BROKEN, "%s: still broken", what);

	/* What the corrupt b queued must never reach a. */
	cellmsg_send(&p->b, "stale", 5, 0);
	cellmsg_close(&p->b);
	reopen_b(p, what);
	pair_connect(p, what);
	expect_clean_channel(p, what);
	cellmsg_host_destroy(&p->host);
}

static void expect_broken(struct pair *p, const char *what)
{
	expect_broken_reported(p, what, 0);
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
	expect_broken_reported(&p, "head", 1);

	pair_open(&p, 1);
	for (i = 0; i < 10; i++)
		cellmsg_send(&p.a, msg, sizeof(msg), 0);
	p.b.own->cons.head = p.a.tx_pos - 8192;	/* more than a ring behind */
	for (i = 0, err = 0; i < 100 && !err; i++)
		err = cellmsg_send(&p.a, msg, sizeof(msg), 0);
	CHECK_EQ(err, -EPROTO, "head behind");
	expect_broken_reported(&p, "head behind", 1);
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

/*
 * A corrupt record in the middle of what a batch would take: the batch
 * returns the honest records before it, the next call reports -EPROTO
 * once, and nothing after the corruption is delivered.
 */
static void batch_record_case_at(uint32_t at, uint32_t word, const char *what)
{
	struct cellmsg_rec_hdr *hdr;
	struct cellmsg_rxbuf r[4];
	char in[4][64], fill[64] = { 0 };
	struct pair p;
	int i;

	pair_open(&p, 1);
	/* Honest traffic first, so that "one" is at ring offset @at. */
	while (p.b.tx_pos != at) {
		uint32_t left = at - p.b.tx_pos;	/* a multiple of 8, >= 16 */
		uint32_t len = left >= 64 ? 56 : (left - 8) % 64;

		CHECK_IS(cellmsg_send(&p.b, fill, len, 0), 0, "%s: filler", what);
		CHECK_IS(cellmsg_recv(&p.a, in[0], sizeof(in[0]), 0), len, "%s: filler", what);
	}
	CHECK_IS(cellmsg_send(&p.b, "one", 3, 0), 0, "%s: honest send", what);
	hdr = next_record(&p);
	CHECK_IS(cellmsg_send(&p.b, "two", 3, 0), 0, "%s: honest send", what);
	CHECK_IS(cellmsg_send(&p.b, "three", 5, 0), 0, "%s: honest send", what);
	hdr->word = word;
	for (i = 0; i < 4; i++)
		r[i] = (struct cellmsg_rxbuf){ .data = in[i], .cap = sizeof(in[i]) };
	CHECK_IS(cellmsg_recv_batch(&p.a, r, 4, 0), 1, "%s: the record before", what);
	CHECK(r[0].len == 3 && !memcmp(in[0], "one", 3), "%s: it is the first", what);
	CHECK_IS(cellmsg_recv_batch(&p.a, r, 4, 0), -EPROTO, "%s: then -EPROTO", what);
	expect_broken_reported(&p, what, 1);
}

static void batch_record_case(uint32_t word, const char *what)
{
	batch_record_case_at(0, word, what);
}

static void test_bad_records_in_batch(void)
{
	/*
	 * "two" in the ring's last 16 bytes, claiming 40: a small message
	 * (the batch run's own) whose record would run past the end.
	 */
	batch_record_case_at(4096 - 32, 40 | CELLMSG_REC_MSG << 24,
			     "batch: small length past the ring end");
	batch_record_case(5 | 0u << 24, "batch: type 0");
	batch_record_case(65 | 0u << 24, "batch: type 0, over the small limit");
	batch_record_case(CELLMSG_REC_LEN_MASK | CELLMSG_REC_MSG << 24, "batch: length 16M");
	batch_record_case(2041 | CELLMSG_REC_MSG << 24, "batch: length over half the ring");
	batch_record_case(5 | 7u << 24, "batch: unknown type");
	batch_record_case(100 | CELLMSG_REC_PAD << 24, "batch: pad not to the end");
	batch_record_case(12 | CELLMSG_REC_BUF << 24, "batch: buffer index 'two'");
}

/* A peer head ahead of what we wrote stops a batch send with -EPROTO. */
static void test_bad_head_batch(void)
{
	static char msg[100];
	struct cellmsg_msg m[8];
	struct pair p;
	int i, n = 0;

	for (i = 0; i < 8; i++)
		m[i] = (struct cellmsg_msg){ .data = msg, .len = sizeof(msg) };
	pair_open(&p, 1);
	p.b.own->cons.head = p.a.tx_pos + 4096;
	for (i = 0; i < 20 && n >= 0; i++)
		n = cellmsg_send_batch(&p.a, m, 8, 0);
	CHECK_EQ(n, -EPROTO, "batch send: head ahead of the producer");
	expect_broken_reported(&p, "batch head", 1);
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

/*
 * b reopens without closing, so a never sees it leave READY: the new epoch
 * alone must end a's wait. Also with an entropy that would repeat b's
 * first epoch (its identity's magic is garbage, so the epoch is mixed
 * from the entropy again).
 */
static void test_recover_on_epoch_alone(void)
{
	struct pair p;
	char buf[64];

	pair_open(&p, 0);
	p.b.own->ident.magic = 0x12345678;
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -EPROTO, "bad magic");
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -ENOTCONN, "reported once");
	reopen_b(&p, "same entropy");
	pair_connect(&p, "same entropy");
	expect_clean_channel(&p, "same entropy");
	cellmsg_host_destroy(&p.host);
}

/* Every new incarnation that is corrupt too is reported again, once. */
static void test_corrupt_again(void)
{
	struct pair p;
	char buf[64];

	pair_open(&p, 1);
	p.b.own->ident.epoch++;
	p.b.own->ident.ring_size = 3000;
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -ECONNRESET, "b restarted");
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -EPROTO, "corrupt");
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -ENOTCONN, "once");
	p.b.own->ident.epoch++;
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -EPROTO, "corrupt again");
	CHECK_EQ(cellmsg_recv(&p.a, buf, sizeof(buf), 0), -ENOTCONN, "once again");
	expect_broken_reported(&p, "corrupt again", 1);
}

/*
 * The region is writable by both sides: b scribbles a's half, then comes
 * back as a new incarnation. a must notice, publish its half afresh (a new
 * epoch of its own) and report -EPROTO once; b, which may find a's half
 * corrupt first, recovers when a's epoch changes.
 */
static void ours_case(int kind, const char *what)
{
	struct cellmsg_half *ah;
	uint32_t a_epoch;
	struct pair p;
	char buf[64];
	int i, err, a_proto = 0, b_proto = 0;

	pair_open(&p, 1);
	ah = (struct cellmsg_half *)p.b.peer;
	a_epoch = p.a.epoch;
	CHECK_IS(cellmsg_send(&p.a, "old", 3, 0), 0, "%s: queued for the old b", what);
	switch (kind) {
	case 0: ah->ident.state = CELLMSG_STATE_RESET; break;
	case 1: ah->ident.ring_size = 3000; break;
	case 2: ah->ident.buf_count = 100; break;
	case 3: ah->prod.prod_for = p.b.epoch + 1; ah->prod.base = 3; break;
	case 4: ah->cons.cons_for = p.b.epoch + 1; ah->cons.head += 64; break;
	}
	cellmsg_close(&p.b);
	reopen_b(&p, what);
	for (i = 0; i < 12; i++) {
		err = cellmsg_recv(&p.a, buf, sizeof(buf), 0);
		CHECK(err == -ECONNRESET || err == -EPROTO || err == -ENOTCONN ||
		      err == -EAGAIN, "%s: a recv %d", what, err);
		a_proto += err == -EPROTO;
		err = cellmsg_wait_connected(&p.b, 0);
		CHECK(err == 0 || err == -EPROTO || err == -ENOTCONN, "%s: b %d", what, err);
		b_proto += err == -EPROTO;
	}
	CHECK_IS(a_proto, 1, "%s: a reports -EPROTO once", what);
	CHECK(b_proto <= 1, "%s: b reports -EPROTO %d times", what, b_proto);
	CHECK(p.a.epoch != a_epoch, "%s: a republished its half", what);
	pair_connect(&p, what);
	expect_clean_channel(&p, what);
	cellmsg_host_destroy(&p.host);
}

static void test_peer_wrote_our_half(void)
{
	ours_case(0, "our state");
	ours_case(1, "our ring size");
	ours_case(2, "our buffer count");
	ours_case(3, "our producer line");
	ours_case(4, "our consumer line");
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
			{
				struct cellmsg_rxbuf rb[3] = {
					{ .data = buf, .cap = 1000 },
					{ .data = buf + 1000, .cap = 1000 },
					{ .data = buf + 2000, .cap = 2096 },
				};
				struct cellmsg_msg m[2] = {
					{ .data = buf, .len = prng(&s) % 600 },
					{ .data = buf, .len = prng(&s) % 600 },
				};

				r = cellmsg_recv_batch(&p.a, rb, 3, 0);
				CHECK(r > 0 || r == -EAGAIN || r == -EPROTO || r == -ENOTCONN ||
				      r == -ECONNRESET || r == -ENOBUFS, "recv_batch: %d", r);
				r = cellmsg_send_batch(&p.a, m, 2, 0);
				CHECK(r > 0 || r == -EAGAIN || r == -EPROTO || r == -ENOTCONN ||
				      r == -ECONNRESET, "send_batch: %d", r);
			}
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
	RUN(test_bad_records_in_batch);
	RUN(test_bad_head_batch);
	RUN(test_bad_release);
	RUN(test_recover_on_epoch_alone);
	RUN(test_corrupt_again);
	RUN(test_peer_wrote_our_half);
	RUN(test_random_garbage);
	return check_exit();
}
