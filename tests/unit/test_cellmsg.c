// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg behaviour in one process: both sides of a channel on one
 * host-backend region, driven step by step.
 */
#include <errno.h>
#include <stdint.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#include "check.h"

#define REGION_SIZE	(64 * 1024)

struct pair {
	struct cellmsg_host host;
	struct cellmsg_chan a, b;	/* side 0, side 1 */
	struct cellmsg_config cfg;
};

static void pair_open_cfg(struct pair *p, const struct cellmsg_config *cfg)
{
	struct cellmsg_backend be;
	int err;

	err = cellmsg_host_create(&p->host, REGION_SIZE);
	CHECK(err == 0, "host_create: %d", err);
	p->cfg = *cfg;
	cellmsg_host_backend(&p->host, 0, &be);
	err = cellmsg_open(&p->a, p->host.region, REGION_SIZE, 0, cfg, &be);
	CHECK(err == 0, "open a: %d", err);
	cellmsg_host_backend(&p->host, 1, &be);
	err = cellmsg_open(&p->b, p->host.region, REGION_SIZE, 1, cfg, &be);
	CHECK(err == 0, "open b: %d", err);
	/* Each side needs one look at the other to finish the handshake. */
	cellmsg_peer_state(&p->a);
	cellmsg_peer_state(&p->b);
}

static void pair_open(struct pair *p)
{
	struct cellmsg_config cfg = { .ring_size = 4096, .buf_count = 4, .buf_size = 1024 };

	pair_open_cfg(p, &cfg);
}

static void pair_close(struct pair *p)
{
	cellmsg_host_destroy(&p->host);
}

static void test_connect(void)
{
	struct pair p;

	pair_open(&p);
	CHECK_EQ(cellmsg_peer_state(&p.a), CELLMSG_PEER_CONNECTED, "a state");
	CHECK_EQ(cellmsg_peer_state(&p.b), CELLMSG_PEER_CONNECTED, "b state");
	CHECK_EQ(cellmsg_wait_connected(&p.a, 0), 0, "a connected");
	pair_close(&p);
}

static void test_not_connected(void)
{
	struct cellmsg_host host;
	struct cellmsg_backend be;
	struct cellmsg_chan a;
	char buf[8];

	CHECK_EQ(cellmsg_host_create(&host, REGION_SIZE), 0, "create");
	cellmsg_host_backend(&host, 0, &be);
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, NULL, &be), 0, "open");
	CHECK_EQ(cellmsg_peer_state(&a), CELLMSG_PEER_ABSENT, "state alone");
	CHECK_EQ(cellmsg_send(&a, "x", 1, 0), -ENOTCONN, "send alone");
	CHECK_EQ(cellmsg_recv(&a, buf, sizeof(buf), 0), -ENOTCONN, "recv alone");
	CHECK_EQ(cellmsg_recv(&a, buf, sizeof(buf), 2000000), -ETIMEDOUT, "recv alone, 2 ms");
	cellmsg_set_wait_mode(&a, CELLMSG_WAIT_BLOCK, 0);
	CHECK_EQ(cellmsg_wait_connected(&a, 2000000), -ETIMEDOUT, "wait alone, block");
	cellmsg_host_destroy(&host);
}

static void test_bad_open(void)
{
	struct cellmsg_host host;
	struct cellmsg_backend be;
	struct cellmsg_chan a;
	struct cellmsg_config cfg = { .ring_size = 3000 };

	CHECK_EQ(cellmsg_host_create(&host, REGION_SIZE), 0, "create");
	cellmsg_host_backend(&host, 0, &be);
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 2, NULL, &be), -EINVAL, "side 2");
	CHECK_EQ(cellmsg_open(&a, host.region, 4096, 0, NULL, &be), -EINVAL, "region too small");
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, &cfg, &be), -EINVAL, "ring not pow2");
	cfg.ring_size = 64 * 1024;
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, &cfg, &be), -EINVAL, "ring larger than half");
	cfg.ring_size = 0;
	cfg.buf_count = 65;
	cfg.buf_size = 64;
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, &cfg, &be), -EINVAL, "65 buffers");
	cfg.buf_count = 2;
	cfg.buf_size = 100;
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, &cfg, &be), -EINVAL, "buffer size 100");
	cellmsg_host_destroy(&host);
}

static void test_send_recv(void)
{
	char out[300], in[300];
	struct pair p;
	int i, n;

	pair_open(&p);
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -EAGAIN, "empty");
	for (i = 0; i < 1000; i++) {
		int len = i % 300;

		memset(out, i & 0xff, len);
		CHECK_EQ(cellmsg_send(&p.a, out, len, 0), 0, "send");
		n = cellmsg_recv(&p.b, in, sizeof(in), 0);
		CHECK_EQ(n, len, "recv length");
		CHECK(n < 0 || !memcmp(in, out, len), "content of message %d", i);
		/* And back. */
		CHECK_EQ(cellmsg_send(&p.b, in, n, 0), 0, "send back");
		CHECK_EQ(cellmsg_recv(&p.a, out, sizeof(out), 0), len, "recv back");
	}
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -EAGAIN, "empty again");
	pair_close(&p);
}

static void test_full_ring(void)
{
	char msg[100], in[100];
	struct pair p;
	int sent = 0, i, err;

	pair_open(&p);
	while ((err = cellmsg_send(&p.a, msg, sizeof(msg), 0)) == 0) {
		msg[0] = (char)sent++;
		CHECK(sent < 1000, "ring never fills");
		if (sent >= 1000)
			break;
	}
	CHECK_EQ(err, -EAGAIN, "send to full ring");
	/* 4 KiB ring, 112-byte records, one header kept free. */
	CHECK(sent >= 30 && sent <= 36, "%d messages fit", sent);
	CHECK_EQ(cellmsg_send(&p.a, msg, sizeof(msg), 1000000), -ETIMEDOUT, "full ring, 1 ms");
	for (i = 0; i < sent; i++)
		CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), sizeof(in), "drain");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -EAGAIN, "drained");
	CHECK_EQ(cellmsg_send(&p.a, msg, sizeof(msg), 0), 0, "room again");
	pair_close(&p);
}

static void test_msgsize(void)
{
	static char big[4096];
	struct pair p;
	uint32_t max;

	pair_open(&p);
	max = cellmsg_max_msg(&p.a);
	CHECK_EQ(max, 4096 / 2 - 16, "max message");
	CHECK_EQ(cellmsg_send(&p.a, big, max + 1, 0), -EMSGSIZE, "max + 1");
	CHECK_EQ(cellmsg_send(&p.a, big, 4096, CELLMSG_FOREVER), -EMSGSIZE, "ring size, waiting");
	/* The largest message fits from any position once the ring drained. */
	for (int i = 0; i < 50; i++) {
		CHECK_EQ(cellmsg_send(&p.a, big, max, 0), 0, "max");
		CHECK_EQ(cellmsg_recv(&p.b, big, sizeof(big), 0), max, "recv max");
		CHECK_EQ(cellmsg_send(&p.a, big, i * 8 + 1, 0), 0, "odd size");
		CHECK_EQ(cellmsg_recv(&p.b, big, sizeof(big), 0), i * 8 + 1, "recv odd");
	}
	pair_close(&p);
}

static void test_nobufs(void)
{
	char in[16];
	struct pair p;

	pair_open(&p);
	CHECK_EQ(cellmsg_send(&p.a, "0123456789abcdefXYZ", 19, 0), 0, "send 19");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -ENOBUFS, "recv into 16");
	CHECK_EQ(cellmsg_recv(&p.b, in, 0, 0), -ENOBUFS, "recv into 0");
	{
		char big[32];

		CHECK_EQ(cellmsg_recv(&p.b, big, sizeof(big), 0), 19, "still there");
		CHECK(!memcmp(big, "0123456789abcdefXYZ", 19), "content");
	}
	CHECK_EQ(cellmsg_send(&p.a, "", 0, 0), 0, "empty message");
	CHECK_EQ(cellmsg_recv(&p.b, in, 0, 0), 0, "recv empty message");
	pair_close(&p);
}

static uint32_t prng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

static void fill_pattern(uint8_t *p, uint32_t len, uint32_t n)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(n * 31 + i);
}

/* Positions start just below 2^32: they wrap while the ring laps. */
static void test_wraparound(void)
{
	struct cellmsg_config cfg = { .ring_size = 4096, .initial_pos = UINT32_MAX - 1000 };
	uint8_t out[1000], in[1000], want[1000];
	uint64_t s1 = 1, s2 = 1;
	uint32_t sent = 0, got = 0, len;
	struct pair p;
	int n, bad = 0;

	pair_open_cfg(&p, &cfg);
	CHECK(p.a.tx_pos > UINT32_MAX - 1008, "start near UINT32_MAX: %u", p.a.tx_pos);
	while (got < 200000 && !bad) {
		/* Send a burst of random sizes, then drain part of it. */
		while (sent - got < 20) {
			len = prng(&s1) % sizeof(out);
			fill_pattern(out, len, sent);
			n = cellmsg_send(&p.a, out, len, 0);
			if (n == -EAGAIN)
				break;
			CHECK_EQ(n, 0, "send");
			if (n)
				bad = 1;
			sent++;
		}
		for (int k = prng(&s2) % 8 + 1; k > 0 && got < sent; k--) {
			n = cellmsg_recv(&p.b, in, sizeof(in), 0);
			CHECK(n >= 0, "recv %u: %d", got, n);
			if (n < 0) {
				bad = 1;
				break;
			}
			fill_pattern(want, (uint32_t)n, got);
			if (memcmp(in, want, n)) {
				CHECK(0, "content of message %u", got);
				bad = 1;
			}
			got++;
		}
	}
	CHECK(p.a.tx_pos < 1u << 30, "positions wrapped: %u", p.a.tx_pos);
	CHECK(got >= 200000 && !bad, "%u messages through the wrap", got);
	pair_close(&p);
}

/*
 * Stale bytes that would pass for records to come, as an old lap's
 * payload might hold them: every slot the producer has not cleared yet
 * (from tx_clear on, or from the slot after the next record) up to 1 KiB
 * ahead gets the header the @len-byte record that will start there is
 * going to carry.
 */
static void plant_stale_headers(struct cellmsg_chan *ch, uint32_t len)
{
	uint32_t rec = __cellmsg_rec_len(len), pos = ch->tx_pos, q;
	uint32_t from = __cellmsg_tx_cleared(ch, pos) ? ch->tx_clear : pos + rec;
	struct cellmsg_rec_hdr *hdr;

	for (q = from; q - pos < 2 * __CELLMSG_CLEAR_AHEAD; q += CELLMSG_REC_ALIGN) {
		if ((q - pos) % rec)
			continue;
		hdr = (struct cellmsg_rec_hdr *)(ch->tx_ring + (q & (ch->tx_size - 1)));
		hdr->seq = ch->tx_seq + (q - pos) / rec;
		hdr->word = len | CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT;
	}
}

/*
 * Sequence numbers wrap through 0 (PROTOCOL.md section 2): messages go on
 * across it, and at every step stale headers ahead, carrying the sequence
 * the consumer will expect there, are not taken: the producer clears the
 * slots ahead (or the one after a record) with an older seq before a
 * record ends there. The producer's counter is set before the handshake,
 * which publishes it as base_seq. The 8-byte messages take 16 bytes, so
 * the 4 KiB ring holds them without padding.
 */
static void test_seq_wrap(void)
{
	struct cellmsg_config cfg = { .ring_size = 4096 };
	struct cellmsg_backend be;
	uint64_t out, in;
	struct pair p;
	int i, lost = 0, stale = 0;

	CHECK_EQ(cellmsg_host_create(&p.host, REGION_SIZE), 0, "host_create");
	cellmsg_host_backend(&p.host, 0, &be);
	CHECK_EQ(cellmsg_open(&p.a, p.host.region, REGION_SIZE, 0, &cfg, &be), 0, "open a");
	p.a.tx_seq = UINT32_MAX - 40;
	cellmsg_host_backend(&p.host, 1, &be);
	CHECK_EQ(cellmsg_open(&p.b, p.host.region, REGION_SIZE, 1, &cfg, &be), 0, "open b");
	cellmsg_peer_state(&p.a);
	CHECK_EQ(cellmsg_wait_connected(&p.b, 0), 0, "b connected");
	CHECK_EQ(cellmsg_wait_connected(&p.a, 0), 0, "a connected");
	for (i = 0; i < 600; i++) {
		plant_stale_headers(&p.a, sizeof(out));
		out = i;
		if (cellmsg_send(&p.a, &out, sizeof(out), 0))
			lost++;
		else if (cellmsg_recv(&p.b, &in, sizeof(in), 0) != sizeof(in) || in != out)
			lost++;
		if (cellmsg_recv(&p.b, &in, sizeof(in), 0) != -EAGAIN)
			stale++;
	}
	CHECK(p.a.tx_seq < 1000, "the sequence wrapped: %u", p.a.tx_seq);
	CHECK(p.a.tx_clear - p.a.tx_pos >= 64, "the producer clears ahead: %u",
	      p.a.tx_clear - p.a.tx_pos);
	CHECK_EQ(lost, 0, "messages lost or wrong across the wrap");
	CHECK_EQ(stale, 0, "stale headers taken for the next record");
	pair_close(&p);
}

static void test_zero_copy(void)
{
	struct cellmsg_txbuf tb[5];
	struct cellmsg_rx rx;
	struct pair p;
	int i;

	pair_open(&p);
	for (i = 0; i < 4; i++) {
		CHECK_EQ(cellmsg_buf_claim(&p.a, &tb[i]), 0, "claim");
		CHECK_EQ(tb[i].cap, 1024, "capacity");
	}
	CHECK_EQ(cellmsg_buf_claim(&p.a, &tb[4]), -EAGAIN, "fifth claim");
	for (i = 0; i < 4; i++) {
		memset(tb[i].data, 'A' + i, 1000);
		CHECK_EQ(cellmsg_buf_submit(&p.a, &tb[i], 1000 - i, 0), 0, "submit");
	}
	CHECK_EQ(cellmsg_buf_claim(&p.a, &tb[4]), -EAGAIN, "all in flight");
	CHECK_EQ(cellmsg_buf_submit(&p.a, &tb[0], 10, 0), -EINVAL, "submit twice");

	CHECK_EQ(cellmsg_recv_zc(&p.b, &rx, 0), 0, "view buffer 0");
	CHECK(rx.is_buf && rx.len == 1000, "buffer view: is_buf %u len %u", rx.is_buf, rx.len);
	CHECK(((const char *)rx.data)[999] == 'A', "data in place");
	CHECK((const uint8_t *)rx.data >= (const uint8_t *)p.host.region &&
	      (const uint8_t *)rx.data + rx.len <= (const uint8_t *)p.host.region + REGION_SIZE / 2,
	      "buffer lies in the sender's half");
	CHECK_EQ(cellmsg_recv_done(&p.b, &rx), 0, "release");
	CHECK_EQ(cellmsg_buf_claim(&p.a, &tb[4]), 0, "claim the released one");
	CHECK_EQ(tb[4].index, tb[0].index, "same buffer");
	cellmsg_buf_cancel(&p.a, &tb[4]);

	/* Copying receive takes buffers too, and releases them. */
	{
		char in[1024];

		CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 999, "copy buffer 1");
		CHECK(in[0] == 'B', "content");
	}
	/* Mixed with inline messages, in order. */
	CHECK_EQ(cellmsg_send(&p.a, "inline", 6, 0), 0, "inline after buffers");
	CHECK_EQ(cellmsg_recv_zc(&p.b, &rx, 0), 0, "view 2");
	CHECK(rx.is_buf && rx.len == 998, "third is a buffer");
	CHECK_EQ(cellmsg_recv_done(&p.b, &rx), 0, "done 2");
	CHECK_EQ(cellmsg_recv_zc(&p.b, &rx, 0), 0, "view 3");
	CHECK_EQ(cellmsg_recv_done(&p.b, &rx), 0, "done 3");
	CHECK_EQ(cellmsg_recv_zc(&p.b, &rx, 0), 0, "view inline");
	CHECK(!rx.is_buf && rx.len == 6 && !memcmp(rx.data, "inline", 6), "inline view");
	CHECK_EQ(cellmsg_recv_done(&p.b, &rx), 0, "done inline");
	pair_close(&p);
}

/* Headers the records after one of 8 bytes at the claim would carry. */
static void forge_in_claim(struct cellmsg_chan *ch, uint8_t *data, uint32_t claimed)
{
	struct cellmsg_rec_hdr *slot;
	uint32_t q;

	for (q = 16; q + sizeof(*slot) <= claimed + 8; q += 16) {
		slot = (struct cellmsg_rec_hdr *)(data - 8 + q);
		slot->seq = ch->tx_seq + q / 16;
		slot->word = 8 | CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT;
	}
}

/*
 * A claim may be written in full and then committed shorter or
 * cancelled: what the caller wrote there (here headers the next records
 * would carry) is no longer cleared, so it must not pass for records.
 */
static void test_claim_dirties_ahead(void)
{
	uint64_t out = 7, in;
	uint8_t *data;
	struct pair p;

	pair_open(&p);
	CHECK_EQ(cellmsg_send(&p.a, &out, sizeof(out), 0), 0, "a send clears ahead");
	CHECK_EQ(cellmsg_recv(&p.b, &in, sizeof(in), 0), (int)sizeof(in), "recv");
	CHECK((int32_t)(p.a.tx_clear - p.a.tx_pos) >= 64, "cleared ahead before the claim");
	CHECK_EQ(cellmsg_send_begin(&p.a, 200, (void **)&data, 0), 0, "begin");
	forge_in_claim(&p.a, data, 200);
	CHECK_EQ(cellmsg_send_commit(&p.a, 8), 0, "commit 8 of 200");
	CHECK_EQ(cellmsg_recv(&p.b, &in, sizeof(in), 0), (int)sizeof(in), "the committed one");
	CHECK_EQ(cellmsg_recv(&p.b, &in, sizeof(in), 0), -EAGAIN,
		 "what the claim held past the record is not a record");

	CHECK_EQ(cellmsg_send_begin(&p.a, 200, (void **)&data, 0), 0, "begin again");
	forge_in_claim(&p.a, data, 200);
	cellmsg_send_cancel(&p.a);
	CHECK_EQ(cellmsg_send(&p.a, &out, sizeof(out), 0), 0, "a send after the cancel");
	CHECK_EQ(cellmsg_recv(&p.b, &in, sizeof(in), 0), (int)sizeof(in), "that one");
	CHECK_EQ(cellmsg_recv(&p.b, &in, sizeof(in), 0), -EAGAIN,
		 "what the cancelled claim held is not a record");
	pair_close(&p);
}

/* Zero-copy through the ring: claim in place, commit, misuse refused. */
static void test_send_in_place(void)
{
	struct cellmsg_txbuf tb;
	struct cellmsg_msg m = { .data = "b", .len = 1 };
	struct cellmsg_rx rx;
	uint8_t *data;
	char in[4096];
	uint32_t i, drained = 0;
	struct pair p;

	pair_open(&p);
	CHECK_EQ(cellmsg_send_commit(&p.a, 0), -EINVAL, "commit without a claim");
	CHECK_EQ(cellmsg_send_begin(&p.a, 100, 0, 0), -EINVAL, "no pointer");
	CHECK_EQ(cellmsg_send_begin(&p.a, cellmsg_max_msg(&p.a) + 1, (void **)&data, 0),
		 -EMSGSIZE, "larger than the ring takes");
	CHECK_EQ(cellmsg_send_begin(&p.a, 100, (void **)&data, 0), 0, "begin");
	CHECK(data >= p.a.tx_ring && data + 100 <= p.a.tx_ring + p.a.tx_size,
	      "the claim lies in our ring");
	memcpy(data, "in place", 8);
	CHECK_EQ(cellmsg_send(&p.a, "x", 1, 0), -EBUSY, "send while claimed");
	CHECK_EQ(cellmsg_send_batch(&p.a, &m, 1, 0), -EBUSY, "batch while claimed");
	CHECK_EQ(cellmsg_buf_claim(&p.a, &tb), 0, "buffers stay claimable");
	CHECK_EQ(cellmsg_buf_submit(&p.a, &tb, 1, 0), -EBUSY, "submit while claimed");
	cellmsg_buf_cancel(&p.a, &tb);
	CHECK_EQ(cellmsg_send_begin(&p.a, 8, (void **)&data, 0), -EBUSY, "second claim");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -EAGAIN, "nothing before the commit");
	CHECK_EQ(cellmsg_send_commit(&p.a, 101), -EINVAL, "commit longer than claimed");
	CHECK_EQ(cellmsg_send_commit(&p.a, 8), 0, "commit shorter than claimed");
	CHECK_EQ(cellmsg_send_commit(&p.a, 8), -EINVAL, "commit twice");
	CHECK_EQ(cellmsg_recv_zc(&p.b, &rx, 0), 0, "view it");
	CHECK(!rx.is_buf && rx.len == 8 && !memcmp(rx.data, "in place", 8), "an ordinary message");
	CHECK_EQ(cellmsg_recv_done(&p.b, &rx), 0, "done");

	/* Cancelled: nothing sent, sends go on. */
	CHECK_EQ(cellmsg_send_begin(&p.a, 16, (void **)&data, 0), 0, "begin again");
	cellmsg_send_cancel(&p.a);
	CHECK_EQ(cellmsg_send_commit(&p.a, 1), -EINVAL, "commit after cancel");
	CHECK_EQ(cellmsg_send(&p.a, "after", 5, 0), 0, "send after cancel");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 5, "only the plain send arrives");

	/* Around the ring (padding at its end) and until it is full, in order. */
	for (i = 0; i < 300; i++) {
		int n;

		while ((n = cellmsg_send_begin(&p.a, 700, (void **)&data, 0)) == -EAGAIN &&
		       drained < i) {
			CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 699, "drain one");
			CHECK_EQ((uint8_t)in[698], (uint8_t)drained, "oldest first");
			drained++;
		}
		CHECK(n == 0, "claim %u: %d", i, n);
		if (n)
			break;
		memset(data, (int)i, 699);
		CHECK(cellmsg_send_commit(&p.a, 699) == 0, "commit %u", i);
	}
	CHECK(drained > 250, "the ring wrapped: %u drained", drained);
	pair_close(&p);
}

/*
 * a claims 8 bytes, then b reopens (a reset): a finds it and, if
 * @commit, commits the lost claim (reported once); both reconnect and
 * nothing of the old claim reaches the new b.
 */
static void claim_across_reset(struct pair *p, int commit)
{
	struct cellmsg_backend be;
	uint8_t *data;
	char in[64];

	CHECK_EQ(cellmsg_send_begin(&p->a, 8, (void **)&data, 0), 0, "begin");
	memcpy(data, "for-old", 7);
	cellmsg_host_backend(&p->host, 1, &be);
	CHECK_EQ(cellmsg_open(&p->b, p->host.region, REGION_SIZE, 1, &p->cfg, &be), 0, "reopen b");
	CHECK_EQ(cellmsg_recv(&p->a, in, sizeof(in), 0), -ECONNRESET, "a sees the reset");
	if (commit) {
		CHECK_EQ(cellmsg_send_commit(&p->a, 7), -ECONNRESET, "the claim went with it");
		CHECK_EQ(cellmsg_send_commit(&p->a, 7), -EINVAL, "reported once");
	}
	cellmsg_peer_state(&p->a);
	CHECK_EQ(cellmsg_wait_connected(&p->b, 0), 0, "b connects");
	CHECK_EQ(cellmsg_wait_connected(&p->a, 0), 0, "a connects");
	CHECK_EQ(cellmsg_recv(&p->b, in, sizeof(in), 0), -EAGAIN, "nothing stale for b");
}

/*
 * A claim a reset dropped and the application never committed: the next
 * claim (the inline path) starts clean, and a stray commit after it is
 * the caller's error, not a reset reported again.
 */
static void test_send_in_place_abandoned(void)
{
	uint8_t *data;
	char in[64];
	struct pair p;

	pair_open(&p);
	claim_across_reset(&p, 0);
	CHECK_EQ(cellmsg_send_begin(&p.a, 8, (void **)&data, 0), 0, "a new claim");
	memcpy(data, "for-new", 7);
	CHECK_EQ(cellmsg_send_commit(&p.a, 7), 0, "its commit");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 7, "it arrives");
	CHECK(memcmp(in, "for-new", 7) == 0, "intact");
	CHECK_EQ(cellmsg_send_commit(&p.a, 7), -EINVAL, "a stray commit: no claim open");
	pair_close(&p);
}

/* A reset of the peer drops an open claim: reported, nothing delivered. */
static void test_send_in_place_reset(void)
{
	struct cellmsg_backend be;
	uint8_t *data;
	char in[64];
	struct pair p;

	pair_open(&p);
	claim_across_reset(&p, 1);
	cellmsg_host_backend(&p.host, 1, &be);

	/* Committed before a found the reset: never reaches the new b. */
	CHECK_EQ(cellmsg_send_begin(&p.a, 8, (void **)&data, 0), 0, "begin for b");
	memcpy(data, "for-b-2", 7);
	CHECK_EQ(cellmsg_open(&p.b, p.host.region, REGION_SIZE, 1, &p.cfg, &be), 0, "reopen b again");
	CHECK_EQ(cellmsg_send_commit(&p.a, 7), 0, "commit into the old ring");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), -ECONNRESET, "a sees the second reset");
	cellmsg_peer_state(&p.a);
	CHECK_EQ(cellmsg_wait_connected(&p.b, 0), 0, "b connects");
	CHECK_EQ(cellmsg_wait_connected(&p.a, 0), 0, "a connects");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -EAGAIN, "the old commit stays old");
	CHECK_EQ(cellmsg_send(&p.a, "new", 3, 0), 0, "new message");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 3, "it arrives");
	pair_close(&p);
}

/* A restarted peer is reported once and none of its old messages arrive. */
static void test_peer_reset(void)
{
	struct cellmsg_backend be;
	char in[64];
	struct pair p;
	int n;

	pair_open(&p);
	CHECK_EQ(cellmsg_send(&p.b, "old-1", 5, 0), 0, "old message");
	CHECK_EQ(cellmsg_send(&p.b, "old-2", 5, 0), 0, "old message");
	CHECK_EQ(cellmsg_send(&p.a, "to-old-b", 8, 0), 0, "message to the old b");

	/* b restarts: a new incarnation opens the same half. */
	cellmsg_host_backend(&p.host, 1, &be);
	CHECK_EQ(cellmsg_open(&p.b, p.host.region, REGION_SIZE, 1, &p.cfg, &be), 0, "reopen b");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), -ECONNRESET, "a sees the reset");
	n = cellmsg_recv(&p.a, in, sizeof(in), 0);
	CHECK(n == -EAGAIN || n == -ENOTCONN, "after reset: %d", n);
	CHECK_EQ(cellmsg_wait_connected(&p.b, 0), 0, "b connects");
	CHECK_EQ(cellmsg_wait_connected(&p.a, 0), 0, "a connects");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), -EAGAIN, "no stale message for a");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), -EAGAIN, "no stale message for b");
	CHECK_EQ(cellmsg_send(&p.b, "new", 3, 0), 0, "new message");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), 3, "new message arrives");
	CHECK(!memcmp(in, "new", 3), "it is the new one");
	CHECK(p.a.epoch != 0 && p.b.epoch != p.a.peer_epoch - 1, "epochs");

	/* b closes: reported, then not connected, state CLOSED. */
	cellmsg_close(&p.b);
	CHECK_EQ(cellmsg_send(&p.a, "x", 1, 0), -ECONNRESET, "a sees the close");
	CHECK_EQ(cellmsg_send(&p.a, "x", 1, 0), -ENOTCONN, "then not connected");
	CHECK_EQ(cellmsg_peer_state(&p.a), CELLMSG_PEER_CLOSED, "peer closed");
	pair_close(&p);
}

/* A polling receiver is never rung; a sleeping one is. */
/* Fills @from's ring towards its peer; returns how many 100-byte messages fit. */
static int fill_ring(struct cellmsg_chan *from)
{
	char msg[100] = { 0 };
	int n = 0;

	while (n < 1000 && cellmsg_send(from, msg, sizeof(msg), 0) == 0)
		n++;
	return n;
}

/*
 * head is published lazily (PROTOCOL.md section 2): a few receives in a
 * full ring free no room yet, but once the receiver caught up, or waits for
 * anything (here: to send into its own full ring), the room is the peer's.
 */
static void test_lazy_head(void)
{
	char in[100];
	struct pair p;
	int n, i;

	pair_open(&p);
	n = fill_ring(&p.a);
	CHECK(n > 4, "a's ring holds %d", n);
	CHECK(fill_ring(&p.b) > 4, "b's ring fills");
	/* Two records: room for one more plus the cleared header after it. */
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), sizeof(in), "b reads one");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), sizeof(in), "b reads two");
	CHECK_EQ(cellmsg_send(&p.a, in, sizeof(in), 0), -EAGAIN, "not published yet");
	/* b waits to send (a never reads): before waiting it hands back room. */
	CHECK_EQ(cellmsg_send(&p.b, in, sizeof(in), 1000000), -ETIMEDOUT, "b's send waits");
	CHECK_EQ(cellmsg_send(&p.a, in, sizeof(in), 0), 0, "room after b's wait");
	/* Reading up to the end publishes at once, without a further call. */
	for (i = 0; i < n - 1; i++)
		CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), sizeof(in), "b drains");
	/* A pad record at the wrap may cost one message. */
	CHECK(fill_ring(&p.a) >= n - 1, "all room back once b caught up");
	pair_close(&p);
}

/* Looking at the peer's state does not use up the reset report. */
static void test_reset_seen_by_peer_state(void)
{
	struct cellmsg_backend be;
	char in[16];
	struct pair p;

	pair_open(&p);
	CHECK_EQ(cellmsg_wait_connected(&p.a, 0), 0, "a connected");
	CHECK_EQ(cellmsg_send(&p.b, "old", 3, 0), 0, "old message");
	cellmsg_host_backend(&p.host, 1, &be);
	CHECK_EQ(cellmsg_open(&p.b, p.host.region, REGION_SIZE, 1, &p.cfg, &be), 0, "reopen b");
	cellmsg_peer_state(&p.b);
	CHECK(cellmsg_peer_state(&p.a) != CELLMSG_PEER_BROKEN, "a looks");
	cellmsg_peer_state(&p.b);
	CHECK_EQ(cellmsg_peer_state(&p.a), CELLMSG_PEER_CONNECTED, "a follows the new b");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), -ECONNRESET, "recv still reports it");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), -EAGAIN, "once, and nothing stale");
	CHECK_EQ(cellmsg_send(&p.b, "new", 3, 0), 0, "new message");
	CHECK_EQ(cellmsg_recv(&p.a, in, sizeof(in), 0), 3, "new message arrives");
	pair_close(&p);
}

static void test_suppression(void)
{
	struct pair p;
	char in[8];
	uint64_t before;

	pair_open(&p);
	before = p.a.doorbells_sent;
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(cellmsg_send(&p.a, "ping", 4, 0), 0, "send");
		CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 4, "recv");
	}
	CHECK_EQ(p.a.doorbells_sent - before, 0, "doorbells to a peer that never slept");
	/* Pretend b sleeps: a must ring. */
	p.b.own->wake.want_data = 1;
	CHECK_EQ(cellmsg_send(&p.a, "ping", 4, 0), 0, "send to a sleeper");
	CHECK_EQ(p.a.doorbells_sent - before, 1, "doorbell to a sleeping peer");
	pair_close(&p);
}


/* ---- wait modes: a polling peer is spared the fence and the doorbell ---- */

/*
 * A peer that announced it polls is never rung, not even with its want
 * flag set (nothing reads it); once it announces sleeping, it is.
 */
static void test_polling_peer_unrung(void)
{
	struct pair p;
	char in[8];
	uint64_t before;

	pair_open(&p);
	cellmsg_set_wait_mode(&p.b, CELLMSG_WAIT_POLL, 0);
	p.b.own->wake.want_data = 1;
	before = p.a.doorbells_sent;
	for (int i = 0; i < 10; i++) {
		CHECK_EQ(cellmsg_send(&p.a, "ping", 4, 0), 0, "send to a poller");
		CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 4, "recv");
	}
	CHECK_EQ(p.a.doorbells_sent - before, 0, "doorbells to a peer that polls");
	cellmsg_set_wait_mode(&p.b, CELLMSG_WAIT_BLOCK, 0);
	p.b.own->wake.want_data = 1;
	before = p.a.doorbells_sent;
	CHECK_EQ(cellmsg_send(&p.a, "ping", 4, 0), 0, "send to a sleeper");
	CHECK_EQ(p.a.doorbells_sent - before, 1, "doorbell once it may sleep");
	pair_close(&p);
}

/*
 * A side that turns from polling to sleeping must not sleep before the
 * peer has seen it (the peer may still skip its fence): its waiting call
 * spins instead; after the peer's next send it sleeps.
 */
static void test_sleep_waits_for_ack(void)
{
	struct pair p;
	char in[8];

	pair_open(&p);
	cellmsg_set_wait_mode(&p.b, CELLMSG_WAIT_POLL, 0);
	CHECK_EQ(cellmsg_send(&p.a, "x", 1, 0), 0, "a sees b poll");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 1, "recv");
	cellmsg_set_wait_mode(&p.b, CELLMSG_WAIT_BLOCK, 0);
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 2000000), -ETIMEDOUT, "b waits");
	CHECK_EQ(p.b.sleeps, 0, "b never slept before a saw its change");
	CHECK_EQ(cellmsg_send(&p.a, "y", 1, 0), 0, "a sends (and sees it)");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 0), 1, "recv");
	CHECK_EQ(cellmsg_recv(&p.b, in, sizeof(in), 2000000), -ETIMEDOUT, "b waits again");
	CHECK(p.b.sleeps > 0, "b sleeps once acknowledged");
	pair_close(&p);
}

/* ---- batches --------------------------------------------------------------- */

static void fill_batch(struct cellmsg_msg *m, uint8_t (*data)[200], unsigned int n,
		       uint32_t first, uint64_t *s)
{
	for (unsigned int i = 0; i < n; i++) {
		m[i].len = prng(s) % 200;
		fill_pattern(data[i], m[i].len, first + i);
		m[i].data = data[i];
	}
}

/* Batches in order, mixed with single calls, across the index wrap. */
static void test_batch_order(void)
{
	struct cellmsg_config cfg = { .ring_size = 4096, .initial_pos = UINT32_MAX - 3000 };
	static uint8_t out[16][200], in[16][200], want[200];
	struct cellmsg_msg m[16];
	struct cellmsg_rxbuf r[16];
	uint64_t s1 = 7, s2 = 9;
	uint32_t sent = 0, got = 0;
	struct pair p;
	int n, k, bad = 0;

	pair_open_cfg(&p, &cfg);
	while (got < 50000 && !bad) {
		unsigned int want_n = prng(&s1) % 16 + 1;

		fill_batch(m, out, want_n, sent, &s1);
		n = cellmsg_send_batch(&p.a, m, want_n, 0);
		if (n == -EAGAIN)
			n = 0;
		CHECK(n >= 0 && n <= (int)want_n, "send_batch %u: %d", want_n, n);
		if (n < 0)
			break;
		/* What did not fit goes next time (content follows the index). */
		sent += (uint32_t)n;
		for (k = prng(&s2) % 3; k >= 0 && got < sent; k--) {
			unsigned int cnt = prng(&s2) % 16 + 1;

			for (unsigned int i = 0; i < cnt; i++)
				r[i] = (struct cellmsg_rxbuf){ .data = in[i], .cap = 200 };
			if (prng(&s2) % 4 == 0) {
				/* A single receive in between. */
				n = cellmsg_recv(&p.b, in[0], 200, 0);
				r[0].len = (uint32_t)n;
				n = n >= 0 ? 1 : n;
			} else {
				n = cellmsg_recv_batch(&p.b, r, cnt, 0);
			}
			CHECK(n > 0 && n <= (int)cnt, "recv_batch %u: %d (got %u of %u)",
			      cnt, n, got, sent);
			if (n <= 0) {
				bad = 1;
				break;
			}
			for (int i = 0; i < n; i++, got++) {
				fill_pattern(want, r[i].len, got);
				if (memcmp(in[i], want, r[i].len)) {
					CHECK(0, "content of message %u", got);
					bad = 1;
				}
			}
		}
	}
	CHECK(p.a.tx_pos < 1u << 30, "positions wrapped: %u", p.a.tx_pos);
	CHECK(got >= 50000 && !bad, "%u messages through the wrap in batches", got);
	pair_close(&p);
}

/* Partial batches, and the errors of the first message. */
static void test_batch_limits(void)
{
	static char big[4096];
	char in[4][100];
	struct cellmsg_msg m[40];
	struct cellmsg_rxbuf r[4];
	struct cellmsg_txbuf tb;
	struct pair p;
	int n, i;

	pair_open(&p);
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 0, 0), -EINVAL, "empty batch");
	CHECK_EQ(cellmsg_send_batch(&p.a, NULL, 1, 0), -EINVAL, "no batch");
	CHECK_EQ(cellmsg_recv_batch(&p.b, r, 4, 0), -EAGAIN, "nothing to receive");
	CHECK_EQ(cellmsg_recv_batch(&p.b, r, 4, 1000000), -ETIMEDOUT, "nothing, 1 ms");
	m[0] = (struct cellmsg_msg){ .data = big, .len = cellmsg_max_msg(&p.a) + 1 };
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 1, 0), -EMSGSIZE, "first too large");
	m[0] = (struct cellmsg_msg){ .data = NULL, .len = 5 };
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 1, 0), -EINVAL, "first without data");
	m[0] = (struct cellmsg_msg){ .data = "first", .len = 5 };
	m[1] = (struct cellmsg_msg){ .data = big, .len = sizeof(big) };
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 2, 0), 1, "stops before a too large one");

	/* 40 x 100 bytes do not fit a 4 KiB ring: as many as fit. */
	for (i = 0; i < 40; i++)
		m[i] = (struct cellmsg_msg){ .data = big, .len = 100 };
	n = cellmsg_send_batch(&p.a, m, 40, 0);
	CHECK(n >= 30 && n < 40, "a full ring takes part of a batch: %d", n);
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 40, 0), -EAGAIN, "then none");
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 40, 1000000), -ETIMEDOUT, "none in 1 ms");

	/* A buffer too small ends a batch; first: -ENOBUFS, message kept. */
	r[0] = (struct cellmsg_rxbuf){ .data = in[0], .cap = 3 };
	CHECK_EQ(cellmsg_recv_batch(&p.b, r, 1, 0), -ENOBUFS, "first buffer too small");
	r[0].cap = 100;
	r[1] = (struct cellmsg_rxbuf){ .data = in[1], .cap = 50 };
	CHECK_EQ(cellmsg_recv_batch(&p.b, r, 2, 0), 1, "stops before a too small buffer");
	CHECK(r[0].len == 5 && !memcmp(in[0], "first", 5), "first message");
	/* Everything it consumed is the peer's room at once. */
	CHECK_EQ(p.b.own->cons.head, p.b.rx_pos, "one publication per batch");
	for (i = 0; i < 4; i++)
		r[i] = (struct cellmsg_rxbuf){ .data = in[i], .cap = 100 };
	while ((n = cellmsg_recv_batch(&p.b, r, 4, 0)) > 0)
		CHECK(r[0].len == 100, "drain: %u", r[0].len);
	CHECK_EQ(n, -EAGAIN, "drained");

	/* Zero-copy buffers in a batch are copied and released. */
	CHECK_EQ(cellmsg_buf_claim(&p.a, &tb), 0, "claim");
	memcpy(tb.data, "zero-copy", 9);
	CHECK_EQ(cellmsg_buf_submit(&p.a, &tb, 9, 0), 0, "submit");
	CHECK_EQ(cellmsg_send(&p.a, "inline", 6, 0), 0, "and an inline one");
	CHECK_EQ(cellmsg_recv_batch(&p.b, r, 4, 0), 2, "both in one batch");
	CHECK(r[0].len == 9 && !memcmp(in[0], "zero-copy", 9), "the buffer's bytes");
	CHECK(r[1].len == 6 && !memcmp(in[1], "inline", 6), "then the inline one");
	for (i = 0; i < 4; i++)
		CHECK_EQ(cellmsg_buf_claim(&p.a, &tb), 0, "all four buffers free again");
	pair_close(&p);
}

/* One doorbell decision per batch: a sleeping peer is rung once. */
static void test_batch_one_doorbell(void)
{
	struct cellmsg_msg m[10];
	struct pair p;
	uint64_t before;
	int i;

	pair_open(&p);
	for (i = 0; i < 10; i++)
		m[i] = (struct cellmsg_msg){ .data = "msg", .len = 3 };
	p.b.own->wake.want_data = 1;
	before = p.a.doorbells_sent;
	CHECK_EQ(cellmsg_send_batch(&p.a, m, 10, 0), 10, "batch of 10");
	CHECK_EQ(p.a.doorbells_sent - before, 1, "one doorbell for the batch");
	pair_close(&p);
}

/* A backend whose wait() fails as @wait_error says, counting its calls. */
static int wait_error, wait_calls;

static int failing_wait(void *ctx, int64_t timeout_ns)
{
	(void)ctx;
	(void)timeout_ns;
	wait_calls++;
	return wait_error;
}

/*
 * -ENODEV from the backend's wait() (uio: the device went away) ends a
 * waiting call at once; other errors count as a wake-up (a device without
 * interrupts amounts to polling) until the deadline.
 */
static void test_wait_error(void)
{
	struct cellmsg_host host;
	struct cellmsg_backend be;
	struct cellmsg_chan a;
	char buf[8];

	CHECK_EQ(cellmsg_host_create(&host, REGION_SIZE), 0, "create");
	cellmsg_host_backend(&host, 0, &be);
	be.wait = failing_wait;
	CHECK_EQ(cellmsg_open(&a, host.region, REGION_SIZE, 0, NULL, &be), 0, "open");
	cellmsg_set_wait_mode(&a, CELLMSG_WAIT_BLOCK, 0);

	wait_error = -ENODEV;
	wait_calls = 0;
	CHECK_EQ(cellmsg_recv(&a, buf, sizeof(buf), 10000000000LL), -ENODEV, "recv, device gone");
	CHECK_EQ(wait_calls, 1, "waits before giving up on a gone device");
	CHECK_EQ(cellmsg_wait_connected(&a, CELLMSG_FOREVER), -ENODEV, "wait_connected, device gone");

	wait_error = -EIO;
	wait_calls = 0;
	CHECK_EQ(cellmsg_recv(&a, buf, sizeof(buf), 2000000), -ETIMEDOUT, "recv, no interrupts");
	CHECK(wait_calls > 1, "an EIO from wait() counted as a wake-up (%d calls)", wait_calls);
	cellmsg_host_destroy(&host);
}

int main(void)
{
	RUN(test_connect);
	RUN(test_not_connected);
	RUN(test_bad_open);
	RUN(test_send_recv);
	RUN(test_full_ring);
	RUN(test_msgsize);
	RUN(test_nobufs);
	RUN(test_wraparound);
	RUN(test_seq_wrap);
	RUN(test_zero_copy);
	RUN(test_claim_dirties_ahead);
	RUN(test_send_in_place);
	RUN(test_send_in_place_reset);
	RUN(test_send_in_place_abandoned);
	RUN(test_peer_reset);
	RUN(test_lazy_head);
	RUN(test_reset_seen_by_peer_state);
	RUN(test_suppression);
	RUN(test_wait_error);
	RUN(test_polling_peer_unrung);
	RUN(test_sleep_waits_for_ack);
	RUN(test_batch_order);
	RUN(test_batch_limits);
	RUN(test_batch_one_doorbell);
	return check_exit();
}
