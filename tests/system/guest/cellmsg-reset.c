// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellmsg-reset: an app that stays connected to an echoing peer while the
 * peer is torn down and started again (ivshmem-reset).
 *
 * Sends numbered messages ("gen G seq N" plus padding) one at a time and
 * checks each echo, until a call fails. The failure must be -ECONNRESET
 * (the peer restarted), and only then: the app waits for the new peer,
 * sends COUNT messages of a new generation and checks that every echo is
 * of that generation and in order, so no message from before the reset
 * comes back. With -k it runs until killed (the app-killed case).
 *
 * With -c it is the hostile peer (ivshmem-corrupt): after COUNT checked
 * echoes it scribbles its own half of the region in one of the ways a
 * corrupt root could (record headers, ring indices, geometry), rings the
 * peer so it looks, gives it a moment to notice, closes, opens the channel
 * again (a new epoch) and expects the peer to serve COUNT checked echoes of
 * a new generation within a few seconds; then the next kind of scribble.
 * The last kinds scribble the peer's half, which the region (writable by
 * both cells) does not prevent: the peer must notice when we come back.
 *
 * Exit: 0 as described, 1 a check failed, 2 usage or device error,
 * 3 timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/uio.h>

#define MSG_LEN		200
#define SECOND		1000000000ll

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("cellmsg-reset: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void make_msg(char *buf, unsigned int gen, unsigned int seq)
{
	memset(buf, 'a' + seq % 26, MSG_LEN);
	snprintf(buf, MSG_LEN, "gen %u seq %u", gen, seq);
}

/* One round trip; 0, or the failing call's negative errno (1: wrong echo). */
static int round_trip(struct cellmsg_chan *ch, unsigned int gen, unsigned int seq,
		      int64_t timeout_ns)
{
	char out[MSG_LEN], in[MSG_LEN + 64];
	int n;

	make_msg(out, gen, seq);
	n = cellmsg_send(ch, out, MSG_LEN, timeout_ns);
	if (n)
		return n;
	n = cellmsg_recv(ch, in, sizeof(in), timeout_ns);
	if (n < 0)
		return n;
	if (n != MSG_LEN || memcmp(in, out, MSG_LEN)) {
		fprintf(stderr, "cellmsg-reset: sent '%s', got %d bytes '%.*s'\n",
			out, n, n > 24 ? 24 : n, in);
		return 1;
	}
	return 0;
}

/*
 * The ways a corrupt root scribbles its own half (see cellmsg_wire.h). The
 * record kinds write a header the peer takes for the next record; the
 * others fake a new incarnation (epoch + 1) whose identity or indices the
 * peer must refuse when it synchronises with it.
 */
enum scribble {
	SCRIBBLE_REC_LEN,	/* a record of 16 MiB */
	SCRIBBLE_REC_TYPE,	/* a record of unknown type */
	SCRIBBLE_REC_BUF,	/* a buffer record naming buffer 60 */
	SCRIBBLE_REC_PAD,	/* padding that does not end at the ring's end */
	SCRIBBLE_GEOMETRY,	/* ring size 3000 */
	SCRIBBLE_RING_OFFSET,	/* the ring past the end of the half */
	SCRIBBLE_BASE,		/* producer base not 8-byte aligned */
	SCRIBBLE_HEAD,		/* consumer head not at the peer's base */
	/* The region is writable on both sides: the peer's half too. */
	SCRIBBLE_PEER_STATE,	/* the peer's state RESET */
	SCRIBBLE_PEER_GEOMETRY,	/* the peer's ring size 3000 */
	SCRIBBLE_PEER_PROD,	/* the peer's producer line set up for our next
				   incarnation, base not aligned */
	SCRIBBLE_COUNT
};

static const char *const scribble_names[SCRIBBLE_COUNT] = {
	"record length", "record type", "buffer record", "padding",
	"ring size", "ring offset", "producer base", "consumer head",
	"peer's state", "peer's ring size", "peer's producer line",
};

static void scribble(struct cellmsg_chan *ch, enum scribble kind)
{
	struct cellmsg_half *own = ch->own;
	struct cellmsg_half *peer = (struct cellmsg_half *)ch->peer;
	struct cellmsg_rec_hdr *hdr = (struct cellmsg_rec_hdr *)
		(ch->tx_ring + (ch->tx_pos & (ch->tx_size - 1)));
	struct cellmsg_buf_desc *d = (struct cellmsg_buf_desc *)(hdr + 1);
	uint32_t word = 0;

	switch (kind) {
	case SCRIBBLE_REC_LEN:
		word = CELLMSG_REC_LEN_MASK | CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT;
		break;
	case SCRIBBLE_REC_TYPE:
		word = 5 | 7u << CELLMSG_REC_TYPE_SHIFT;
		break;
	case SCRIBBLE_REC_BUF:
		d->index = 60;
		d->len = 8;
		d->gen = 1;
		word = sizeof(*d) | CELLMSG_REC_BUF << CELLMSG_REC_TYPE_SHIFT;
		break;
	case SCRIBBLE_REC_PAD:
		word = 16 | CELLMSG_REC_PAD << CELLMSG_REC_TYPE_SHIFT;
		break;
	case SCRIBBLE_GEOMETRY:
		own->ident.ring_size = 3000;
		break;
	case SCRIBBLE_RING_OFFSET:
		own->ident.ring_offset = 0xfffff000u;
		break;
	case SCRIBBLE_BASE:
		own->prod.base = 3;
		break;
	case SCRIBBLE_HEAD:
		own->cons.head += 4096 + 8;
		break;
	case SCRIBBLE_PEER_STATE:
		peer->ident.state = CELLMSG_STATE_RESET;
		break;
	case SCRIBBLE_PEER_GEOMETRY:
		peer->ident.ring_size = 3000;
		break;
	case SCRIBBLE_PEER_PROD:
		/* Our next open counts on from our epoch (cellmsg_open()). */
		peer->prod.base = 3;
		peer->prod.prod_for = ch->epoch + 1;
		break;
	default:
		break;
	}
	if (kind >= SCRIBBLE_PEER_STATE) {
		/* Our half stays as it is. */
	} else if (word) {
		__atomic_store_n(&hdr->word, word, __ATOMIC_RELAXED);
		__atomic_store_n(&hdr->seq, ch->tx_seq, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&own->ident.epoch, own->ident.epoch + 1, __ATOMIC_RELEASE);
	}
	ch->be.notify(ch->be.ctx);
}

/* -c: scribble, reconnect, check, for every kind of scribble. */
static int corrupt_cycles(struct cellmsg_chan *ch, struct cellmsg_uio *dev,
			  struct cellmsg_config *cfg, struct cellmsg_backend *be,
			  unsigned int count)
{
	unsigned int kind, seq;
	int err;

	for (kind = 0; kind < SCRIBBLE_COUNT; kind++) {
		scribble(ch, kind);
		/* Give the peer time to look (TCG is slow), then leave. */
		usleep(500000);
		cellmsg_close(ch);
		usleep(100000);
		cfg->entropy = (uint32_t)time(NULL) + kind;
		err = cellmsg_open(ch, dev->shm, dev->shm_size,
				   cellmsg_uio_side(dev, 1), cfg, be);
		if (err)
			die(2, "cellmsg_open: %s", strerror(-err));
		err = cellmsg_wait_connected(ch, 5 * SECOND);
		/*
		 * After scribbling the peer's half we may find it still
		 * corrupt: -EPROTO once, then the peer's repair (a new epoch
		 * of its own) lets the handshake run again.
		 */
		if (err == -EPROTO && kind >= SCRIBBLE_PEER_STATE)
			err = cellmsg_wait_connected(ch, 5 * SECOND);
		if (err)
			die(3, "after scribbling the %s: the peer did not reconnect: %s",
			    scribble_names[kind], strerror(-err));
		for (seq = 0; seq < count; seq++) {
			err = round_trip(ch, kind + 2, seq, 5 * SECOND);
			if (err)
				die(err == -ETIMEDOUT ? 3 : 1,
				    "after scribbling the %s, message %u: %s",
				    scribble_names[kind], seq, err == 1 ?
				    "a wrong echo (stale or lost message)" : strerror(-err));
		}
		printf("scribbled the %s: peer serves again, %u echoes checked\n",
		       scribble_names[kind], count);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cellmsg_config cfg = { .wait_mode = CELLMSG_WAIT_BLOCK };
	unsigned int seq, count = 1000, forever = 0, corrupt = 0;
	const char *path = NULL;
	struct cellmsg_backend be;
	struct cellmsg_chan ch;
	struct cellmsg_uio dev;
	int c, err;

	while ((c = getopt(argc, argv, "d:n:kc")) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'n': count = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'k': forever = 1; break;
		case 'c': corrupt = 1; break;
		default: die(2, "usage: cellmsg-reset [-d /dev/uioN] [-n COUNT] [-k|-c]");
		}
	}
	if (cellmsg_uio_open(&dev, path))
		die(2, "%s", dev.error);
	cellmsg_uio_backend(&dev, 1, 0, &be);
	cfg.entropy = (uint32_t)time(NULL);
	err = cellmsg_open(&ch, dev.shm, dev.shm_size, cellmsg_uio_side(&dev, 1), &cfg, &be);
	if (err)
		die(2, "cellmsg_open: %s", strerror(-err));
	err = cellmsg_wait_connected(&ch, 30 * SECOND);
	if (err)
		die(3, "the peer did not connect: %s", strerror(-err));
	printf("connected\n");
	fflush(stdout);

	if (corrupt) {
		for (seq = 0; seq < count; seq++)
			if ((err = round_trip(&ch, 1, seq, 10 * SECOND)))
				die(1, "before scribbling, message %u: %s", seq,
				    err == 1 ? "a wrong echo" : strerror(-err));
		corrupt_cycles(&ch, &dev, &cfg, &be, count);
		cellmsg_close(&ch);
		cellmsg_uio_close(&dev);
		return 0;
	}

	for (seq = 0; !(err = round_trip(&ch, 1, seq, 60 * SECOND)); seq++)
		if (seq == 100)
			printf("generation 1: 100 echoes checked\n"), fflush(stdout);
	if (forever || err != -ECONNRESET)
		die(1, "after %u echoes: %s (expected ECONNRESET, the peer's restart)",
		    seq, err == 1 ? "a wrong echo" : strerror(-err));
	printf("peer restart reported as ECONNRESET after %u echoes\n", seq);

	err = cellmsg_wait_connected(&ch, 30 * SECOND);
	if (err)
		die(3, "the restarted peer did not connect: %s", strerror(-err));
	for (seq = 0; seq < count; seq++) {
		err = round_trip(&ch, 2, seq, 10 * SECOND);
		if (err)
			die(err == -ETIMEDOUT ? 3 : 1, "generation 2, message %u: %s", seq,
			    err == 1 ? "a wrong echo (stale or lost message)" : strerror(-err));
	}
	printf("generation 2: %u echoes checked, none stale\n", count);
	cellmsg_close(&ch);
	cellmsg_uio_close(&dev);
	return 0;
}
