// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg between two processes: millions of messages of random sizes,
 * checked for order, content and count, in each wait mode, single, in
 * batches, and written and read in place; then ping-pong, where every
 * message has to wake a sleeping peer in blocking mode, also with both
 * sides changing modes all along.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#include "check.h"

#define REGION_SIZE	(256 * 1024)
#define MAX_LEN		2048
#define TIMEOUT_NS	(20LL * 1000000000)

#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#  if defined(__SANITIZE_ADDRESS__)
#    define SCALE 20
#  elif __has_feature(address_sanitizer)
#    define SCALE 20
#  else
#    define SCALE 1
#  endif
#else
#  define SCALE 1
#endif

static uint32_t msg_len(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 20) % (MAX_LEN + 1);
}

static void make_msg(uint8_t *p, uint32_t len, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 4 <= len; i += 4)
		memcpy(p + i, &(uint32_t){ n * 2654435761u + i }, 4);
	for (; i < len; i++)
		p[i] = (uint8_t)n;
}

static int open_side(struct cellmsg_host *h, unsigned int side,
		     enum cellmsg_wait_mode mode, struct cellmsg_chan *ch)
{
	struct cellmsg_config cfg = { .wait_mode = mode, .spin_ns = 5000 };
	struct cellmsg_backend be;
	int err;

	cellmsg_host_backend(h, side, &be);
	err = cellmsg_open(ch, h->region, h->size, side, &cfg, &be);
	if (!err)
		err = cellmsg_wait_connected(ch, TIMEOUT_NS);
	return err;
}

/* The sender, in the child. Exit code 0 on success. */
static int stream_send(struct cellmsg_host *h, enum cellmsg_wait_mode mode, uint32_t count)
{
	static uint8_t msg[MAX_LEN];
	struct cellmsg_chan ch;
	uint64_t s = 42;
	uint32_t n, len;
	int err;

	if (open_side(h, 1, mode, &ch))
		return 2;
	for (n = 0; n < count; n++) {
		len = msg_len(&s);
		make_msg(msg, len, n);
		err = cellmsg_send(&ch, msg, len, TIMEOUT_NS);
		if (err) {
			fprintf(stderr, "child: send %u: %d\n", n, err);
			return 3;
		}
	}
	/* Wait for the receiver's last word before closing. */
	err = cellmsg_recv(&ch, msg, sizeof(msg), TIMEOUT_NS);
	return err == 4 ? 0 : 4;
}

static void stream_recv(struct cellmsg_host *h, enum cellmsg_wait_mode mode, uint32_t count)
{
	static uint8_t got[MAX_LEN], want[MAX_LEN];
	struct cellmsg_chan ch;
	uint64_t s = 42;
	uint32_t n, len;
	int r;

	CHECK_EQ(open_side(h, 0, mode, &ch), 0, "receiver connects");
	for (n = 0; n < count; n++) {
		len = msg_len(&s);
		r = cellmsg_recv(&ch, got, sizeof(got), TIMEOUT_NS);
		if (r != (int)len) {
			CHECK(0, "message %u: recv %d, want length %u", n, r, len);
			break;
		}
		make_msg(want, len, n);
		if (memcmp(got, want, len)) {
			CHECK(0, "message %u: content differs", n);
			break;
		}
	}
	CHECK_EQ(n, count, "messages received in order");
	CHECK_EQ(cellmsg_recv(&ch, got, sizeof(got), 10000000), -ETIMEDOUT, "nothing extra");
	CHECK_EQ(cellmsg_send(&ch, "done", 4, TIMEOUT_NS), 0, "last word");
	printf("  %u messages, %llu doorbells sent by the receiver, %llu sleeps\n",
	       count, (unsigned long long)ch.doorbells_sent,
	       (unsigned long long)ch.sleeps);
}

/*
 * Ping-pong where both sides keep changing their wait mode (poll, block,
 * adaptive, each side its own pattern): a side that turns to sleeping
 * while its peer still skips the fence for it would lose a wake-up and
 * time out here.
 */
static const enum cellmsg_wait_mode mode_cycle[] = {
	CELLMSG_WAIT_POLL, CELLMSG_WAIT_BLOCK, CELLMSG_WAIT_POLL,
	CELLMSG_WAIT_ADAPTIVE, CELLMSG_WAIT_BLOCK, CELLMSG_WAIT_BLOCK,
};
#define NMODES (sizeof(mode_cycle) / sizeof(mode_cycle[0]))

/* Every @every messages the next mode of the cycle (never with 0). */
static void switch_mode(struct cellmsg_chan *ch, uint32_t n, uint32_t every)
{
	if (every && n % every == 0)
		cellmsg_set_wait_mode(ch, mode_cycle[n / every % NMODES], 2000);
}

static int pingpong_child(struct cellmsg_host *h, enum cellmsg_wait_mode mode,
			  uint32_t rounds, uint32_t every)
{
	struct cellmsg_chan ch;
	uint32_t n, v;

	if (open_side(h, 1, mode, &ch))
		return 2;
	for (n = 0; n < rounds; n++) {
		switch_mode(&ch, n, every);
		if (cellmsg_recv(&ch, &v, sizeof(v), TIMEOUT_NS) != 4 || v != n)
			return 3;
		v = n + 1;
		if (cellmsg_send(&ch, &v, sizeof(v), TIMEOUT_NS))
			return 4;
	}
	return 0;
}

static void pingpong_parent(struct cellmsg_host *h, enum cellmsg_wait_mode mode,
			    uint32_t rounds, uint32_t every)
{
	struct cellmsg_chan ch;
	uint32_t n, v = 0;
	int r = 0;

	CHECK_EQ(open_side(h, 0, mode, &ch), 0, "ping-pong connects");
	for (n = 0; n < rounds; n++) {
		switch_mode(&ch, n, every);
		r = cellmsg_send(&ch, &n, sizeof(n), TIMEOUT_NS);
		if (r)
			break;
		r = cellmsg_recv(&ch, &v, sizeof(v), TIMEOUT_NS);
		if (r != 4 || v != n + 1)
			break;
	}
	CHECK(n == rounds, "ping-pong stopped at %u: r=%d v=%u", n, r, v);
	printf("  %u round trips, %llu sleeps, %llu doorbells\n", rounds,
	       (unsigned long long)ch.sleeps, (unsigned long long)ch.doorbells_sent);
}

/*
 * Batches: the sender sends random-size messages in batches of 1 to 32
 * (what does not fit goes in the next call), the receiver takes batches
 * of random counts; every message is checked as in the stream above.
 */
#define BATCH_MAX	32

static int batch_send(struct cellmsg_host *h, enum cellmsg_wait_mode mode, uint32_t count)
{
	static uint8_t msg[BATCH_MAX][MAX_LEN];
	struct cellmsg_msg m[BATCH_MAX];
	struct cellmsg_chan ch;
	uint64_t pick = 5;
	uint32_t n = 0, k, want;
	int r;

	if (open_side(h, 1, mode, &ch))
		return 2;
	while (n < count) {
		want = (uint32_t)(msg_len(&pick) % BATCH_MAX) + 1;
		if (want > count - n)
			want = count - n;
		for (k = 0; k < want; k++) {
			/* Lengths follow the message number, as the receiver expects. */
			uint64_t ls = 42 + (uint64_t)(n + k) * 0x9e3779b97f4a7c15ull;

			m[k].len = msg_len(&ls);
			make_msg(msg[k], m[k].len, n + k);
			m[k].data = msg[k];
		}
		r = cellmsg_send_batch(&ch, m, want, TIMEOUT_NS);
		if (r <= 0) {
			fprintf(stderr, "child: send_batch at %u: %d\n", n, r);
			return 3;
		}
		n += (uint32_t)r;
	}
	r = cellmsg_recv(&ch, msg[0], MAX_LEN, TIMEOUT_NS);
	return r == 4 ? 0 : 4;
}

static void batch_recv(struct cellmsg_host *h, enum cellmsg_wait_mode mode, uint32_t count)
{
	static uint8_t got[BATCH_MAX][MAX_LEN], want[MAX_LEN];
	struct cellmsg_rxbuf b[BATCH_MAX];
	struct cellmsg_chan ch;
	uint64_t pick = 11;
	uint32_t n = 0, k, len;
	int r = 0, bad = 0;

	CHECK_EQ(open_side(h, 0, mode, &ch), 0, "batch receiver connects");
	while (n < count && !bad) {
		uint32_t cnt = (uint32_t)(msg_len(&pick) % BATCH_MAX) + 1;

		for (k = 0; k < cnt; k++)
			b[k] = (struct cellmsg_rxbuf){ .data = got[k], .cap = MAX_LEN };
		r = cellmsg_recv_batch(&ch, b, cnt, TIMEOUT_NS);
		if (r <= 0) {
			CHECK(0, "recv_batch at %u: %d", n, r);
			break;
		}
		for (k = 0; k < (uint32_t)r && !bad; k++, n++) {
			uint64_t ls = 42 + (uint64_t)n * 0x9e3779b97f4a7c15ull;

			len = msg_len(&ls);
			make_msg(want, len, n);
			if (b[k].len != len || memcmp(got[k], want, len)) {
				CHECK(0, "message %u: length %u, want %u, or content", n, b[k].len, len);
				bad = 1;
			}
		}
	}
	CHECK_EQ(n, count, "messages received in order, in batches");
	CHECK_EQ(cellmsg_recv(&ch, got[0], MAX_LEN, 10000000), -ETIMEDOUT, "nothing extra");
	CHECK_EQ(cellmsg_send(&ch, "done", 4, TIMEOUT_NS), 0, "last word");
	printf("  %u messages in batches, %llu sleeps\n", count,
	       (unsigned long long)ch.sleeps);
}

/*
 * Zero-copy both ways: the sender writes each message in place in the
 * ring (claiming up to 64 bytes more than it commits), the receiver reads
 * it in place.
 */
static int in_place_send(struct cellmsg_host *h, enum cellmsg_wait_mode mode, uint32_t count)
{
	struct cellmsg_chan ch;
	uint64_t s = 42;
	uint32_t n, len;
	uint8_t buf[8];
	void *data;
	int err;

	if (open_side(h, 1, mode, &ch))
		return 2;
	for (n = 0; n < count; n++) {
		len = msg_len(&s);
		err = cellmsg_send_begin(&ch, len + n % 65, &data, TIMEOUT_NS);
		if (!err) {
			make_msg(data, len, n);
			err = cellmsg_send_commit(&ch, len);
		}
		if (err) {
			fprintf(stderr, "child: in-place send %u: %d\n", n, err);
			return 3;
		}
	}
	err = cellmsg_recv(&ch, buf, sizeof(buf), TIMEOUT_NS);
	return err == 4 ? 0 : 4;
}

static void in_place_recv(struct cellmsg_host *h, enum cellmsg_wait_mode mode, uint32_t count)
{
	static uint8_t want[MAX_LEN];
	struct cellmsg_chan ch;
	struct cellmsg_rx rx;
	uint64_t s = 42;
	uint32_t n, len;
	int r;

	CHECK_EQ(open_side(h, 0, mode, &ch), 0, "in-place receiver connects");
	for (n = 0; n < count; n++) {
		len = msg_len(&s);
		r = cellmsg_recv_zc(&ch, &rx, TIMEOUT_NS);
		if (r || rx.len != len) {
			CHECK(0, "message %u: recv_zc %d, length %u, want %u", n, r, rx.len, len);
			break;
		}
		make_msg(want, len, n);
		r = memcmp(rx.data, want, len);
		CHECK_EQ(cellmsg_recv_done(&ch, &rx), 0, "done");
		if (r) {
			CHECK(0, "message %u: content differs", n);
			break;
		}
	}
	CHECK_EQ(n, count, "messages written and read in place, in order");
	CHECK_EQ(cellmsg_send(&ch, "done", 4, TIMEOUT_NS), 0, "last word");
	printf("  %u messages in place, %llu sleeps\n", count, (unsigned long long)ch.sleeps);
}

enum kind { STREAM, PINGPONG, BATCHES, IN_PLACE, SWITCHING };

static int child(struct cellmsg_host *h, enum kind kind, enum cellmsg_wait_mode mode,
		 uint32_t count)
{
	switch (kind) {
	case STREAM: return stream_send(h, mode, count);
	case PINGPONG: return pingpong_child(h, mode, count, 0);
	case BATCHES: return batch_send(h, mode, count);
	case IN_PLACE: return in_place_send(h, mode, count);
	default: return pingpong_child(h, mode, count, 7);
	}
}

static void parent(struct cellmsg_host *h, enum kind kind, enum cellmsg_wait_mode mode,
		   uint32_t count)
{
	switch (kind) {
	case STREAM: stream_recv(h, mode, count); break;
	case PINGPONG: pingpong_parent(h, mode, count, 0); break;
	case BATCHES: batch_recv(h, mode, count); break;
	case IN_PLACE: in_place_recv(h, mode, count); break;
	default: pingpong_parent(h, mode, count, 5); break;
	}
}

static void run(const char *what, enum cellmsg_wait_mode mode, uint32_t count, enum kind kind)
{
	struct cellmsg_host h;
	int status, code;
	pid_t pid;

	printf("%s\n", what);
	fflush(stdout);
	CHECK_EQ(cellmsg_host_create(&h, REGION_SIZE), 0, "host region");
	pid = fork();
	if (pid == 0) {
		code = child(&h, kind, mode, count);
		_exit(code);
	}
	parent(&h, kind, mode, count);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "%s: child status 0x%x", what, status);
	cellmsg_host_destroy(&h);
}

int main(void)
{
	run("stream, busy-poll", CELLMSG_WAIT_POLL, 2000000 / SCALE, STREAM);
	run("stream, adaptive", CELLMSG_WAIT_ADAPTIVE, 2000000 / SCALE, STREAM);
	run("stream, blocking", CELLMSG_WAIT_BLOCK, 1000000 / SCALE, STREAM);
	run("batches, busy-poll", CELLMSG_WAIT_POLL, 500000 / SCALE, BATCHES);
	run("batches, blocking", CELLMSG_WAIT_BLOCK, 200000 / SCALE, BATCHES);
	run("in place, busy-poll", CELLMSG_WAIT_POLL, 500000 / SCALE, IN_PLACE);
	run("in place, blocking", CELLMSG_WAIT_BLOCK, 200000 / SCALE, IN_PLACE);
	run("ping-pong, busy-poll", CELLMSG_WAIT_POLL, 200000 / SCALE, PINGPONG);
	run("ping-pong, adaptive", CELLMSG_WAIT_ADAPTIVE, 100000 / SCALE, PINGPONG);
	run("ping-pong, blocking", CELLMSG_WAIT_BLOCK, 100000 / SCALE, PINGPONG);
	run("ping-pong, switching modes", CELLMSG_WAIT_POLL, 50000 / SCALE, SWITCHING);
	return check_exit();
}
