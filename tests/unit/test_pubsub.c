// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg publish/subscribe (PROTOCOL.md section 8).
 *
 * 1. cellmsg_link_ps_area(): table rows (section size, peers, ID, then the
 *    area's size and offset the layout promises: slot ID of the peer's own
 *    section, or 0).
 * 2. One process plays every peer, nothing sleeps: under WAIT the
 *    producer stops at the slowest subscriber and nobody loses a message;
 *    a late subscriber starts at the next message; a closed or gone
 *    (peer_up 0) subscriber holds nothing up; under DROP a subscriber a
 *    ring behind gets -EOVERFLOW once with the exact count lost and goes
 *    on in order; a reopened producer is -ECONNRESET once.
 * 3. Hostile areas: a producer whose topic or records lie gets -EPROTO
 *    once and is ignored until it reopens (built with ASAN too: no access
 *    outside the areas); a subscriber whose head lies holds nothing up.
 * 4. Four processes on a 4-peer link mapped as uio_ivshmem maps one (own
 *    section read-write, all read-only: a store elsewhere is a SIGSEGV):
 *    a producer, three subscribers that sleep on eventfd doorbells, every
 *    message checked by each.
 * Expected values are computed from the rules in PROTOCOL.md, not taken
 * from the code under test.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cellmsg/host.h>
#include <cellmsg/pubsub.h>

#include "check.h"

#define AREA		0x4000u		/* a pub/sub area: 12 KiB free, an 8 KiB ring */
#define RING		0x2000u
#define MAX_MSG		(RING / 2 - 8)
#define TIMEOUT_NS	(20LL * 1000000000)

/* ---- a backend: eventfd doorbells per peer, liveness by table -------- */

struct ps_bed {
	int efd[CELLMSG_PS_PEERS];
	unsigned int self;
	int up[CELLMSG_PS_PEERS];
	unsigned int rung[CELLMSG_PS_PEERS];
};

static int bed_notify(void *ctx, unsigned int peer)
{
	struct ps_bed *b = ctx;
	uint64_t one = 1;

	b->rung[peer]++;
	return b->efd[peer] >= 0 && write(b->efd[peer], &one, sizeof(one)) == sizeof(one) ? 0 : -EIO;
}

static uint64_t bed_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bed_wait(void *ctx, int64_t timeout_ns)
{
	struct ps_bed *b = ctx;
	struct pollfd pfd = { .fd = b->efd[b->self], .events = POLLIN };
	uint64_t v;
	int n;

	if (pfd.fd < 0)
		return 0;	/* no doorbells here: a spin */
	n = poll(&pfd, 1, timeout_ns < 0 ? -1 : (int)(timeout_ns / 1000000) + 1);
	if (n > 0 && read(pfd.fd, &v, sizeof(v)) < 0)
		return -EIO;
	return n == 0 ? -ETIMEDOUT : 0;
}

static int bed_up(void *ctx, unsigned int peer)
{
	return ((struct ps_bed *)ctx)->up[peer];
}

static void bed_init(struct ps_bed *b, unsigned int self, struct cellmsg_ps_backend *be)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < CELLMSG_PS_PEERS; i++) {
		b->efd[i] = -1;
		b->up[i] = 1;
	}
	b->self = self;
	*be = (struct cellmsg_ps_backend){ .notify = bed_notify, .wait = bed_wait,
					   .now_ns = bed_now, .peer_up = bed_up, .ctx = b };
}

/* ---- 1. the layout ------------------------------------------------------ */

static void test_area_rows(void)
{
	static uint8_t section[0x100000] __attribute__((aligned(64)));
	const struct {
		const char *what;
		size_t section;
		unsigned int peers, id;
		size_t size, off;	/* size 0: refused */
	} rows[] = {
		{ "pair, peer 0: slot 0", 0x10000, 2, 0, 0x8000, 0 },
		{ "pair, peer 1: slot 1", 0x10000, 2, 1, 0x8000, 0x8000 },
		{ "3 peers, peer 2", 0x10000, 3, 2, 0x5540, 2 * 0x5540 },
		{ "16 peers, peer 15", 0x100000, 16, 15, 0x10000, 15 * 0x10000 },
		{ "slots below 8 KiB", 0x10000, 16, 3, 0, 0 },
		{ "ID past the peers", 0x10000, 3, 3, 0, 0 },
		{ "17 peers", 0x100000, 17, 1, 0, 0 },
		{ "1 peer", 0x10000, 1, 0, 0, 0 },
	};
	const void *area;
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		area = NULL;
		n = cellmsg_link_ps_area(section, rows[i].section, rows[i].peers, rows[i].id, &area);
		CHECK(n == rows[i].size, "%s: size 0x%zx, want 0x%zx", rows[i].what, n, rows[i].size);
		if (n && n == rows[i].size)
			CHECK((const uint8_t *)area - section == (long)rows[i].off,
			      "%s: at 0x%lx, want 0x%zx", rows[i].what,
			      (long)((const uint8_t *)area - section), rows[i].off);
	}
	CHECK_EQ(cellmsg_link_ps_area(section + 8, 0x10000, 2, 0, &area), 0, "misaligned section");
}

/* ---- 2. one process, every peer ----------------------------------------- */

static uint8_t areas[4][AREA] __attribute__((aligned(64)));
static struct ps_bed beds[4];
static struct cellmsg_ps_backend bes[4];

static uint32_t msg_len(uint32_t n)
{
	return (n * 2654435761u >> 9) % 200;
}

static void fill(uint8_t *p, uint32_t len, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(n * 29 + i * 7 + 1);
}

/* Message @n as published: 4 bytes of @n, then fill(). */
static uint32_t make_msg(uint8_t *p, uint32_t n)
{
	uint32_t len = 4 + msg_len(n);

	memcpy(p, &n, 4);
	fill(p + 4, len - 4, n);
	return len;
}

/* Is @p (@len bytes) message @n? */
static int is_msg(const uint8_t *p, int len, uint32_t n)
{
	uint8_t want[256];

	return len >= 4 && (uint32_t)len == make_msg(want, n) && !memcmp(p, want, (size_t)len);
}

static void setup(unsigned int peers)
{
	unsigned int i;

	memset(areas, 0, sizeof(areas));
	for (i = 0; i < peers; i++)
		bed_init(&beds[i], i, &bes[i]);
}

static int pub_open(struct cellmsg_pub *p, unsigned int peers, uint32_t policy)
{
	unsigned int i;
	int err = cellmsg_pub_open(p, areas[0], AREA, 0, peers, policy, 1234, &bes[0]);

	for (i = 1; i < peers && !err; i++)
		err = cellmsg_pub_peer(p, i, areas[i]);
	return err;
}

static int publish(struct cellmsg_pub *p, uint32_t n)
{
	uint8_t m[256];

	return cellmsg_pub_send(p, m, make_msg(m, n), 0);
}

static void test_open_args(void)
{
	struct cellmsg_pub p;
	struct cellmsg_sub s;

	setup(2);
	CHECK_EQ(cellmsg_pub_open(&p, areas[0], 4096, 0, 2, CELLMSG_PS_WAIT, 0, &bes[0]), -EINVAL,
		 "a 4 KiB area");
	CHECK_EQ(cellmsg_pub_open(&p, areas[0] + 8, AREA - 64, 0, 2, CELLMSG_PS_WAIT, 0, &bes[0]),
		 -EINVAL, "misaligned area");
	CHECK_EQ(cellmsg_pub_open(&p, areas[0], AREA, 2, 2, CELLMSG_PS_WAIT, 0, &bes[0]), -EINVAL,
		 "own ID past the peers");
	CHECK_EQ(cellmsg_pub_open(&p, areas[0], AREA, 0, 17, CELLMSG_PS_WAIT, 0, &bes[0]), -EINVAL,
		 "17 peers");
	CHECK_EQ(cellmsg_pub_open(&p, areas[0], AREA, 0, 2, 2, 0, &bes[0]), -EINVAL, "policy 2");
	CHECK_EQ(cellmsg_pub_open(&p, areas[0], AREA, 0, 2, CELLMSG_PS_DROP, 0, &bes[0]), 0, "good");
	CHECK_EQ(cellmsg_pub_max_msg(&p), MAX_MSG, "largest message: half the ring less a header");
	CHECK_EQ(cellmsg_pub_peer(&p, 0, areas[1]), -EINVAL, "itself as a subscriber");
	CHECK_EQ(cellmsg_pub_peer(&p, 2, areas[1]), -EINVAL, "peer past the link");
	CHECK_EQ(cellmsg_sub_open(&s, areas[1], areas[1], AREA, 0, 0, &bes[1]), -EINVAL,
		 "subscribing to its own area");
	CHECK_EQ(cellmsg_sub_open(&s, areas[1], areas[0], AREA, 16, 0, &bes[1]), -EINVAL,
		 "producer 16");
}

static void test_wait_policy(void)
{
	struct cellmsg_pub p;
	struct cellmsg_sub s1, s2, late;
	uint8_t buf[256];
	uint32_t n, sent = 0, got1 = 0, got2 = 0, late_first;
	int len, bad = 0;

	setup(4);
	CHECK_EQ(pub_open(&p, 4, CELLMSG_PS_WAIT), 0, "producer");
	CHECK_EQ(cellmsg_sub_open(&s1, areas[1], areas[0], AREA, 0, 0, &bes[1]), 0, "subscriber 1");
	CHECK_EQ(cellmsg_sub_open(&s2, areas[2], areas[0], AREA, 0, 0, &bes[2]), 0, "subscriber 2");
	CHECK_EQ(cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), -EAGAIN, "1: subscribed, nothing yet");
	CHECK_EQ(cellmsg_sub_recv(&s2, buf, sizeof(buf), 0), -EAGAIN, "2: subscribed, nothing yet");
	CHECK_EQ(cellmsg_pub_subscribers(&p), 2, "subscribers seen by the producer");

	/* Subscriber 2 does not read: the producer fills one ring and stops. */
	while (publish(&p, sent) == 0 && sent < 10000) {
		sent++;
		len = cellmsg_sub_recv(&s1, buf, sizeof(buf), 0);
		bad += !is_msg(buf, len, got1++);
	}
	CHECK(sent > RING / 216 && sent < RING / 12, "the producer stopped after %u messages, "
	      "not about one ring (%u bytes) of them", sent, RING);
	CHECK_EQ(publish(&p, sent), -EAGAIN, "a full ring for subscriber 2 stops the producer");
	/* Subscriber 2 reads everything, in order; the producer goes on. */
	while ((len = cellmsg_sub_recv(&s2, buf, sizeof(buf), 0)) >= 0)
		bad += !is_msg(buf, len, got2++);
	CHECK_EQ(len, -EAGAIN, "2 at the end");
	CHECK_EQ(got2, sent, "subscriber 2 got every message");
	CHECK_EQ(got1, sent, "subscriber 1 got every message");

	/* A late subscriber starts at the next message. */
	CHECK_EQ(cellmsg_sub_open(&late, areas[3], areas[0], AREA, 0, 0, &bes[3]), 0, "late one");
	CHECK_EQ(cellmsg_sub_recv(&late, buf, sizeof(buf), 0), -EAGAIN, "late: nothing old");
	late_first = sent;
	for (n = 0; n < 3000; n++) {
		CHECK_EQ(publish(&p, sent), 0, "publish with three readers keeping up");
		sent++;
		bad += !is_msg(buf, cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), got1++);
		bad += !is_msg(buf, cellmsg_sub_recv(&s2, buf, sizeof(buf), 0), got2++);
		bad += !is_msg(buf, cellmsg_sub_recv(&late, buf, sizeof(buf), 0), late_first + n);
	}
	CHECK_EQ(bad, 0, "messages that came wrong or out of order");
	CHECK_EQ(cellmsg_sub_lost(&s1) + cellmsg_sub_lost(&s2) + cellmsg_sub_lost(&late), 0,
		 "losses under WAIT");

	/* A closed subscriber and a gone one hold nothing up. */
	cellmsg_sub_close(&s2);
	beds[0].up[3] = 0;
	for (n = 0; n < 1000; n++) {
		CHECK_EQ(publish(&p, sent), 0, "publish past a closed and a gone subscriber");
		sent++;
		bad += !is_msg(buf, cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), got1++);
	}
	CHECK_EQ(bad, 0, "subscriber 1 after the others left");
	CHECK_EQ(cellmsg_pub_subscribers(&p), 1, "subscribers left");

	/* A reopened producer: -ECONNRESET once, then its new messages. */
	CHECK_EQ(pub_open(&p, 4, CELLMSG_PS_WAIT), 0, "producer again");
	CHECK_EQ(cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), -ECONNRESET, "the restart, once");
	CHECK_EQ(cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), -EAGAIN, "then nothing old");
	CHECK_EQ(publish(&p, 77), 0, "new incarnation publishes");
	CHECK(is_msg(buf, cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), 77), "its message");
	cellmsg_pub_close(&p);
	CHECK_EQ(cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), -ECONNRESET, "the close, once");
	CHECK_EQ(cellmsg_sub_recv(&s1, buf, sizeof(buf), 0), -ENOTCONN, "then no producer");
}

static void test_drop_policy(void)
{
	struct cellmsg_pub p;
	struct cellmsg_sub fast, slow;
	uint8_t buf[256];
	uint32_t n, sent = 0, first;
	int len, bad = 0;

	setup(3);
	CHECK_EQ(pub_open(&p, 3, CELLMSG_PS_DROP), 0, "producer");
	CHECK_EQ(cellmsg_sub_open(&fast, areas[1], areas[0], AREA, 0, 0, &bes[1]), 0, "fast one");
	CHECK_EQ(cellmsg_sub_open(&slow, areas[2], areas[0], AREA, 0, 0, &bes[2]), 0, "slow one");
	CHECK_EQ(cellmsg_sub_recv(&fast, buf, sizeof(buf), 0), -EAGAIN, "fast subscribed");
	CHECK_EQ(cellmsg_sub_recv(&slow, buf, sizeof(buf), 0), -EAGAIN, "slow subscribed");
	CHECK_EQ(publish(&p, sent++), 0, "message 0");
	CHECK(is_msg(buf, cellmsg_sub_recv(&slow, buf, sizeof(buf), 0), 0), "slow reads message 0");
	CHECK(is_msg(buf, cellmsg_sub_recv(&fast, buf, sizeof(buf), 0), 0), "fast reads message 0");

	/* Ten rings' worth: the producer never waits; the fast one keeps up. */
	for (n = 0; n < 10 * RING / 8; n++) {
		CHECK_EQ(publish(&p, sent), 0, "DROP never waits");
		bad += !is_msg(buf, cellmsg_sub_recv(&fast, buf, sizeof(buf), 0), sent);
		sent++;
	}
	CHECK_EQ(bad, 0, "the fast subscriber's messages");
	/* The slow one lost all but the last ring: told once, with the count. */
	len = cellmsg_sub_recv(&slow, buf, sizeof(buf), 0);
	CHECK_EQ(len, -EOVERFLOW, "the slow subscriber overtaken");
	CHECK_EQ(cellmsg_sub_lost(&slow), sent - 1, "lost: everything after message 0");
	CHECK_EQ(cellmsg_sub_recv(&slow, buf, sizeof(buf), 0), -EAGAIN, "then at the producer");
	first = sent;
	for (n = 0; n < 30; n++)	/* at most 30 * 216 bytes: less than a ring */
		CHECK_EQ(publish(&p, sent++), 0, "publish");
	for (n = 0; n < 30; n++)
		bad += !is_msg(buf, cellmsg_sub_recv(&slow, buf, sizeof(buf), 0), first + n);
	CHECK_EQ(bad, 0, "the slow subscriber goes on in order");
	CHECK_EQ(cellmsg_sub_lost(&fast), 0, "the fast one lost nothing");
	CHECK_EQ(cellmsg_sub_recv(&slow, buf, 3, 0), -EAGAIN, "nothing left");
	CHECK_EQ(publish(&p, sent), 0, "one more");
	CHECK_EQ(cellmsg_sub_recv(&slow, buf, 3, 0), -EMSGSIZE, "a 3-byte buffer");
	CHECK(is_msg(buf, cellmsg_sub_recv(&slow, buf, sizeof(buf), 0), sent), "the message stayed");
}

/* ---- 3. hostile areas ----------------------------------------------------- */

struct topic_lie {
	const char *what;
	unsigned int off;	/* into the producer's area */
	uint32_t value;
};

static void test_hostile_producer(void)
{
	const struct topic_lie rows[] = {
		{ "magic", 0x400, 0x12345678 },
		{ "version 2", 0x404, 2 },
		{ "ring offset inside the header", 0x408, 0x200 },
		{ "ring offset past the area", 0x408, AREA },
		{ "ring offset not a line", 0x408, 0x1008 },
		{ "ring past the area", 0x40c, 2 * RING },
		{ "ring size not a power of two", 0x40c, RING - 8 },
		{ "ring of 2 KiB", 0x40c, 2048 },
		{ "policy 7", 0x410, 7 },
		{ "tail misaligned", 0x440, 0x4 },
		{ "first record: 1 MiB long", CELLMSG_PS_RING_OFFSET + 4, 0x01100000 },
		{ "first record: type 9", CELLMSG_PS_RING_OFFSET + 4, 0x09000010 },
		{ "first record: PAD short of the end", CELLMSG_PS_RING_OFFSET + 4, 0x03000010 },
		{ "first record: a BUF record", CELLMSG_PS_RING_OFFSET + 4, 0x0200000c },
	};
	struct cellmsg_pub p;
	struct cellmsg_sub s;
	uint8_t buf[256];
	unsigned int i;
	uint32_t *word;
	int ret;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		setup(2);
		CHECK_EQ(pub_open(&p, 2, CELLMSG_PS_WAIT), 0, rows[i].what);
		CHECK_EQ(cellmsg_sub_open(&s, areas[1], areas[0], AREA, 0, 0, &bes[1]), 0, "sub");
		word = (uint32_t *)(areas[0] + rows[i].off);
		if (rows[i].off >= CELLMSG_PS_RING_OFFSET) {
			/* subscribed first; then the producer's record lies */
			CHECK_EQ(cellmsg_sub_recv(&s, buf, sizeof(buf), 0), -EAGAIN, rows[i].what);
			CHECK_EQ(publish(&p, 0), 0, rows[i].what);
		}
		*word = rows[i].value;
		ret = cellmsg_sub_recv(&s, buf, sizeof(buf), 0);
		CHECK(ret == -EPROTO, "%s: got %d, want -EPROTO", rows[i].what, ret);
		ret = cellmsg_sub_recv(&s, buf, sizeof(buf), 0);
		CHECK(ret == -ENOTCONN, "%s, again: got %d, want -ENOTCONN (reported once)",
		      rows[i].what, ret);
		/* The producer reopens, sound: followed again. */
		memset(areas[0] + CELLMSG_PS_RING_OFFSET, 0, RING);
		CHECK_EQ(pub_open(&p, 2, CELLMSG_PS_WAIT), 0, "reopen");
		ret = cellmsg_sub_recv(&s, buf, sizeof(buf), 0);
		CHECK(ret == -EAGAIN, "%s, reopened: got %d, want -EAGAIN", rows[i].what, ret);
		CHECK_EQ(publish(&p, 5), 0, "publish after the reopen");
		CHECK(is_msg(buf, cellmsg_sub_recv(&s, buf, sizeof(buf), 0), 5),
		      "%s: the message after the reopen", rows[i].what);
	}
}

static void test_hostile_subscriber(void)
{
	struct cellmsg_pub p;
	struct cellmsg_sub s;
	struct cellmsg_ps_sub *line = &((struct cellmsg_ps_area *)areas[1])->subs[0];
	uint8_t buf[256];
	uint32_t n;

	setup(2);
	CHECK_EQ(pub_open(&p, 2, CELLMSG_PS_WAIT), 0, "producer");
	CHECK_EQ(cellmsg_sub_open(&s, areas[1], areas[0], AREA, 0, 0, &bes[1]), 0, "subscriber");
	CHECK_EQ(cellmsg_sub_recv(&s, buf, sizeof(buf), 0), -EAGAIN, "subscribed");
	line->head = 0x80000000u;	/* far outside the producer's last ring */
	for (n = 0; n < 1000; n++)
		CHECK_EQ(publish(&p, n), 0, "a head that lies holds nothing up");
	CHECK_EQ(cellmsg_pub_subscribers(&p), 1, "still counted as subscribed");
}

/* ---- 4. four processes on a link ------------------------------------------- */

#define LINK_PEERS	4u
#define SECTION		(LINK_PEERS * AREA)	/* each peer's output section */
#define STREAM		30000u

static int efds[LINK_PEERS];

/* Peer @id's view: own section read-write, all read-only; its backend. */
static int link_view(int fd, unsigned int id, uint8_t **own, const uint8_t **all,
		     struct ps_bed *b, struct cellmsg_ps_backend *be)
{
	void *o = mmap(NULL, SECTION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)id * SECTION);
	void *a = mmap(NULL, LINK_PEERS * SECTION, PROT_READ, MAP_SHARED, fd, 0);
	unsigned int i;

	if (o == MAP_FAILED || a == MAP_FAILED)
		return -ENOMEM;
	*own = o;
	*all = a;
	bed_init(b, id, be);
	for (i = 0; i < LINK_PEERS; i++)
		b->efd[i] = efds[i];
	return 0;
}

static void *area_of(const uint8_t *section, unsigned int id)
{
	const void *a = NULL;

	return cellmsg_link_ps_area(section, SECTION, LINK_PEERS, id, &a) ? (void *)a : NULL;
}

/* Subscriber @id in a child: every message checked; exit code 0 if all were right. */
static int subscriber(int fd, unsigned int id)
{
	struct cellmsg_ps_backend be;
	struct ps_bed b;
	struct cellmsg_sub s;
	uint8_t *own, buf[256];
	const uint8_t *all;
	uint32_t n;
	int len;

	if (link_view(fd, id, &own, &all, &b, &be) ||
	    cellmsg_sub_open(&s, area_of(own, id), area_of(all, 0), AREA, 0, 0, &be))
		return 2;
	s.spin_ns = 1000;	/* sleep early: the doorbells are the test */
	for (n = 0; n < STREAM; n++) {
		len = cellmsg_sub_recv(&s, buf, sizeof(buf), TIMEOUT_NS);
		while (len == -ECONNRESET)
			len = cellmsg_sub_recv(&s, buf, sizeof(buf), TIMEOUT_NS);
		if (!is_msg(buf, len, n))
			return 3;
	}
	cellmsg_sub_close(&s);
	return cellmsg_sub_lost(&s) ? 4 : 0;
}

static void test_link_processes(void)
{
	struct cellmsg_host h;
	struct cellmsg_ps_backend be;
	struct ps_bed b;
	struct cellmsg_pub p;
	uint8_t *own, m[256];
	const uint8_t *all;
	unsigned int i, n;
	pid_t pid[LINK_PEERS];
	int status, err = 0;

	CHECK_EQ(cellmsg_host_create(&h, LINK_PEERS * SECTION), 0, "the link's memory");
	for (i = 0; i < LINK_PEERS; i++)
		efds[i] = eventfd(0, EFD_NONBLOCK);
	CHECK_EQ(link_view(h.shm_fd, 0, &own, &all, &b, &be), 0, "producer's view");
	CHECK_EQ(cellmsg_pub_open(&p, area_of(own, 0), AREA, 0, LINK_PEERS, CELLMSG_PS_WAIT, 99, &be),
		 0, "producer");
	for (i = 1; i < LINK_PEERS; i++)
		CHECK_EQ(cellmsg_pub_peer(&p, i, area_of(all + (size_t)i * SECTION, i)), 0, "peer");
	for (i = 1; i < LINK_PEERS; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(subscriber(h.shm_fd, i));
	}
	/* All three subscribed before the stream: nobody comes late. */
	for (n = 0; n < 20000 && cellmsg_pub_subscribers(&p) < LINK_PEERS - 1; n++)
		usleep(1000);
	CHECK_EQ(cellmsg_pub_subscribers(&p), LINK_PEERS - 1, "subscribers before the stream");
	for (n = 0; n < STREAM && !err; n++) {
		err = cellmsg_pub_send(&p, m, make_msg(m, n), TIMEOUT_NS);
		if (err)
			fprintf(stderr, "message %u: %d\n", n, err);
	}
	CHECK_EQ(err, 0, "the stream");
	for (i = 1; i < LINK_PEERS; i++) {
		waitpid(pid[i], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "subscriber %u: status 0x%x (signal %d: a store outside its own section?)", i,
		      status, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	CHECK(p.sleeps > 0 || b.rung[1] + b.rung[2] + b.rung[3] > 0,
	      "nobody slept: the doorbell paths were not taken");
	cellmsg_pub_close(&p);
	cellmsg_host_destroy(&h);
}

/*
 * DROP under a producer that never stops, in another process: whatever a
 * slow subscriber is given must be whole (the seqlock of PROTOCOL.md
 * section 8: a message overwritten while it was copied is never handed
 * out) and in order; it must have been overtaken at least once.
 */
#define DROP_STREAM	200000u
#define END_MARK	0xffffffffu

static int slow_subscriber(int fd)
{
	struct cellmsg_ps_backend be;
	struct ps_bed b;
	struct cellmsg_sub s;
	uint8_t *own, buf[256];
	const uint8_t *all;
	uint32_t n, last = 0, got = 0, overruns = 0;
	int len, first = 1;

	if (link_view(fd, 1, &own, &all, &b, &be) ||
	    cellmsg_sub_open(&s, area_of(own, 1), area_of(all, 0), AREA, 0, 0, &be))
		return 2;
	for (;;) {
		len = cellmsg_sub_recv(&s, buf, sizeof(buf), TIMEOUT_NS);
		if (len == -EOVERFLOW || len == -ECONNRESET) {
			overruns += len == -EOVERFLOW;
			continue;
		}
		if (len < 4)
			return 3;
		memcpy(&n, buf, 4);
		if (n == END_MARK)
			break;
		if (!is_msg(buf, len, n))
			return 4;	/* torn */
		if (!first && n <= last)
			return 5;	/* out of order */
		first = 0;
		last = n;
		if (++got % 64 == 0)
			usleep(200);	/* fall behind now and then */
	}
	cellmsg_sub_close(&s);
	return overruns && got && cellmsg_sub_lost(&s) ? 0 : 6;
}

static void test_drop_processes(void)
{
	struct cellmsg_host h;
	struct cellmsg_ps_backend be;
	struct ps_bed b;
	struct cellmsg_pub p;
	uint8_t *own, m[256];
	const uint8_t *all;
	uint32_t n, end = END_MARK;
	int status;
	pid_t pid;

	CHECK_EQ(cellmsg_host_create(&h, LINK_PEERS * SECTION), 0, "the link's memory");
	for (n = 0; n < LINK_PEERS; n++)
		efds[n] = eventfd(0, EFD_NONBLOCK);
	CHECK_EQ(link_view(h.shm_fd, 0, &own, &all, &b, &be), 0, "producer's view");
	CHECK_EQ(cellmsg_pub_open(&p, area_of(own, 0), AREA, 0, LINK_PEERS, CELLMSG_PS_DROP, 7, &be),
		 0, "producer");
	CHECK_EQ(cellmsg_pub_peer(&p, 1, area_of(all + SECTION, 1)), 0, "peer 1");
	pid = fork();
	if (pid == 0)
		_exit(slow_subscriber(h.shm_fd));
	for (n = 0; n < 20000 && !cellmsg_pub_subscribers(&p); n++)
		usleep(1000);
	for (n = 0; n < DROP_STREAM; n++)
		if (cellmsg_pub_send(&p, m, make_msg(m, n), 0))
			break;
	CHECK_EQ(n, DROP_STREAM, "DROP never refused a message");
	/* The end mark until the subscriber has left (it may lose a few). */
	for (n = 0; n < 2000 && cellmsg_pub_subscribers(&p); n++) {
		cellmsg_pub_send(&p, &end, 4, 0);
		usleep(1000);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "slow subscriber: status 0x%x (3: error, 4: a torn message, 5: out of order, "
	      "6: never overtaken)", status);
	cellmsg_host_destroy(&h);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_area_rows);
	RUN(test_open_args);
	RUN(test_wait_policy);
	RUN(test_drop_policy);
	RUN(test_hostile_producer);
	RUN(test_hostile_subscriber);
	RUN(test_link_processes);
	RUN(test_drop_processes);
	return check_exit();
}
