// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellmsg-xfer: COUNT messages through libcellmsg's uio backend between
 * two ivshmem peers, every one checked.
 *
 * The side with the lower ID sends messages of pseudo-random size and
 * content (both derived from SEED and the message number), at most WINDOW
 * in flight; the other side checks each against the same generator (so a
 * lost, doubled, reordered or damaged message is named) and echoes it; the
 * sender checks the echoes. Both print a checksum of the stream; with -e
 * the program prints the checksum the stream must have, without a device.
 *
 * Exit: 0 all checked, 1 a check failed, 2 usage or device error,
 * 3 timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bulkhead/bench_proto.h>
#include <cellmsg/cellmsg.h>
#include <cellmsg/loop.h>
#include <cellmsg/uio.h>

#define MAX_SIZE		4096
/* The stream goes through cellmsg-echo when it runs against an inmate. */
_Static_assert(MAX_SIZE <= BH_BENCH_MAX_MSG, "cellmsg-echo echoes every message");

struct opts {
	const char *dev;
	uint32_t peer;
	uint32_t count;
	uint32_t seed;
	uint32_t max_size;
	uint32_t window;
	int64_t timeout_ns;
	const char *mode;
	int expect_only;
};

struct xfer {
	struct opts o;
	struct cellmsg_chan ch;
	uint64_t checksum;
	uint64_t bytes;
	uint32_t next_rx;	/* number of the next message we must receive */
	int failed;		/* exit code once something went wrong */
	uint8_t want[MAX_SIZE], got[MAX_SIZE];
};

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("cellmsg-xfer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Message @n of the stream: its bytes into @buf, its length returned. */
static uint32_t make_msg(const struct opts *o, uint32_t n, uint8_t *buf)
{
	uint64_t s = ((uint64_t)o->seed << 32 | n) * 0x9e3779b97f4a7c15ull + 1;
	uint32_t len = 1 + (uint32_t)(xorshift(&s) % o->max_size), i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(xorshift(&s) >> 32);
	return len;
}

static void fold(struct xfer *x, const uint8_t *p, uint32_t len)
{
	x->checksum = bh_bench_fnv(x->checksum, p, len);
	x->bytes += len;
}

/*
 * What both halves say when a run fails, so that a timeout names the
 * step it stuck at (handshake, a full ring, a message never published).
 */
static void dump_state(const struct xfer *x)
{
	const struct cellmsg_chan *ch = &x->ch;
	const volatile struct cellmsg_half *own = ch->own, *peer = ch->peer;

	fprintf(stderr, "cellmsg-xfer: state: connected %d error %d pending %d epoch %#x "
		"peer_epoch %#x next_rx %u\n", ch->connected, ch->error, ch->pending,
		ch->epoch, ch->peer_epoch, x->next_rx);
	fprintf(stderr, "cellmsg-xfer: tx pos %#x head(cached) %#x seq %#x; rx pos %#x "
		"published %#x seq %#x\n", ch->tx_pos, ch->tx_head, ch->tx_seq,
		ch->rx_pos, ch->rx_published, ch->rx_seq);
	fprintf(stderr, "cellmsg-xfer: own half: state %u epoch %#x prod_for %#x cons_for %#x "
		"head %#x\n", own->ident.state, own->ident.epoch, own->prod.prod_for,
		own->cons.cons_for, own->cons.head);
	fprintf(stderr, "cellmsg-xfer: peer half: state %u epoch %#x prod_for %#x cons_for %#x "
		"head %#x sleep_mode %u mode_seen %u\n", peer->ident.state, peer->ident.epoch,
		peer->prod.prod_for, peer->cons.cons_for, peer->cons.head,
		peer->wake.sleep_mode, peer->wake.mode_seen);
	if (ch->connected && ch->rx_ring) {
		const volatile struct cellmsg_rec_hdr *rec = (const volatile void *)
			(ch->rx_ring + (ch->rx_pos & (ch->rx_size - 1)));

		fprintf(stderr, "cellmsg-xfer: record at rx pos: seq %#x word %#x\n",
			rec->seq, rec->word);
	}
}

static int errcode(int err)
{
	return err == -ETIMEDOUT ? 3 : 1;
}

/* Receives message next_rx and checks it against the generator. */
static int check_one(struct xfer *x, int64_t timeout_ns, const char *what)
{
	uint32_t len = make_msg(&x->o, x->next_rx, x->want);
	int n = cellmsg_recv(&x->ch, x->got, sizeof(x->got), timeout_ns);

	if (n == -EAGAIN && timeout_ns == 0)
		return -EAGAIN;
	if (n < 0) {
		fprintf(stderr, "cellmsg-xfer: %s %u: %s\n", what, x->next_rx, strerror(-n));
		x->failed = errcode(n);
		return n;
	}
	if ((uint32_t)n != len || memcmp(x->got, x->want, len)) {
		fprintf(stderr, "cellmsg-xfer: %s %u: got %d bytes, expected %u%s\n",
			what, x->next_rx, n, len,
			(uint32_t)n == len ? " (content differs)" : "");
		x->failed = 1;
		return -EPROTO;
	}
	fold(x, x->got, len);
	x->next_rx++;
	return 0;
}

static int run_sender(struct xfer *x)
{
	uint32_t sent = 0, len;
	int err;

	while (x->next_rx < x->o.count) {
		if (sent < x->o.count && sent - x->next_rx < x->o.window) {
			len = make_msg(&x->o, sent, x->want);
			err = cellmsg_send(&x->ch, x->want, len, x->o.timeout_ns);
			if (err) {
				fprintf(stderr, "cellmsg-xfer: send %u: %s\n", sent, strerror(-err));
				return errcode(err);
			}
			sent++;
			/* Take the echoes that are there, without waiting. */
			while (x->next_rx < sent && check_one(x, 0, "echo") == 0)
				;
		} else if (check_one(x, x->o.timeout_ns, "echo")) {
			return x->failed;
		}
		if (x->failed)
			return x->failed;
	}
	/*
	 * The end: an empty message tells the echo side to close; we close
	 * after it did, so that our close cannot overtake the marker.
	 */
	err = cellmsg_send(&x->ch, "", 0, x->o.timeout_ns);
	if (err)
		return errcode(err);
	err = cellmsg_recv(&x->ch, x->got, sizeof(x->got), x->o.timeout_ns);
	if (err != -ECONNRESET || cellmsg_peer_state(&x->ch) != CELLMSG_PEER_CLOSED) {
		fprintf(stderr, "cellmsg-xfer: the echo side did not close: %s\n",
			err < 0 ? strerror(-err) : "a message too many");
		return err == -ETIMEDOUT ? 3 : 1;
	}
	return 0;
}

static int echo_one(struct xfer *x, int64_t timeout_ns)
{
	int err = check_one(x, timeout_ns, "message");

	if (err)
		return err;
	err = cellmsg_send(&x->ch, x->got, make_msg(&x->o, x->next_rx - 1, x->want),
			   x->o.timeout_ns);
	if (err) {
		fprintf(stderr, "cellmsg-xfer: echo %u: %s\n", x->next_rx - 1, strerror(-err));
		x->failed = errcode(err);
	}
	return err;
}

static int wait_end(struct xfer *x)
{
	int n = cellmsg_recv(&x->ch, x->got, sizeof(x->got), x->o.timeout_ns);

	if (n != 0) {
		fprintf(stderr, "cellmsg-xfer: end marker: %s\n",
			n < 0 ? strerror(-n) : "a message too many");
		return n < 0 ? errcode(n) : 1;
	}
	return 0;
}

static int run_echo(struct xfer *x)
{
	while (x->next_rx < x->o.count)
		if (echo_one(x, x->o.timeout_ns))
			return x->failed;
	return wait_end(x);
}

/* Loop mode: the echo side receives only in the io_uring loop's callback. */
static int on_chan(void *arg, uint32_t revents)
{
	struct xfer *x = arg;

	(void)revents;
	while (x->next_rx < x->o.count) {
		if (echo_one(x, 0))
			return x->failed ? -1 : 0;
	}
	return 1;
}

static int run_echo_loop(struct xfer *x)
{
	struct cellmsg_loop *loop;
	int err;

	err = cellmsg_loop_create(&loop, 1);
	if (!err)
		err = cellmsg_loop_add_chan(loop, &x->ch, on_chan, x);
	if (err < 0)
		die(2, "event loop: %s", strerror(-err));
	while (x->next_rx < x->o.count && !x->failed) {
		err = cellmsg_loop_run_once(loop, x->o.timeout_ns);
		if (err == 0) {
			fprintf(stderr, "cellmsg-xfer: loop: no message %u in time\n", x->next_rx);
			x->failed = 3;
		} else if (err < 0 && !x->failed) {
			fprintf(stderr, "cellmsg-xfer: loop: %s\n", strerror(-err));
			x->failed = 2;
		}
	}
	cellmsg_loop_destroy(loop);
	return x->failed ? x->failed : wait_end(x);
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: cellmsg-xfer [-d /dev/uioN] -p PEER [-n COUNT] [-m poll|block|loop]\n"
"                    [-s SEED] [-z MAX_SIZE] [-w WINDOW] [-t TIMEOUT_MS]\n"
"       cellmsg-xfer -e [-n COUNT] [-s SEED] [-z MAX_SIZE]\n"
"\n"
"Sends COUNT checked messages to ivshmem peer PEER through libcellmsg and\n"
"back (the lower ID sends, the other echoes). Modes: poll (busy-poll),\n"
"block (sleep on the doorbell), loop (block; the echo side receives in\n"
"an io_uring event loop). -e prints the checksum the stream must have.\n"
"Defaults: COUNT 100000, SEED 1, MAX_SIZE 256, WINDOW 32, TIMEOUT 30000.\n");
}

static uint32_t num(const char *what, const char *s, uint32_t min, uint32_t max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die(2, "%s '%s' is not a number in %u..%u", what, s, min, max);
	return (uint32_t)v;
}

static void parse(struct opts *o, int argc, char **argv)
{
	int c, have_peer = 0;

	*o = (struct opts){ .count = 100000, .seed = 1, .max_size = 256,
			    .window = 32, .timeout_ns = 30000000000ll, .mode = "block" };
	while ((c = getopt(argc, argv, "d:p:n:m:s:z:w:t:eh")) != -1) {
		switch (c) {
		case 'd': o->dev = optarg; break;
		case 'p': o->peer = num("peer", optarg, 0, 0xffff); have_peer = 1; break;
		case 'n': o->count = num("count", optarg, 1, 1u << 30); break;
		case 'm': o->mode = optarg; break;
		case 's': o->seed = num("seed", optarg, 0, UINT32_MAX); break;
		case 'z': o->max_size = num("max size", optarg, 1, MAX_SIZE); break;
		case 'w': o->window = num("window", optarg, 1, 1024); break;
		case 't': o->timeout_ns = num("timeout", optarg, 1, 3600000) * 1000000ll; break;
		case 'e': o->expect_only = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc)
		die(2, "unexpected argument '%s'", argv[optind]);
	if (strcmp(o->mode, "poll") && strcmp(o->mode, "block") && strcmp(o->mode, "loop"))
		die(2, "mode '%s' is not poll, block or loop", o->mode);
	if (!have_peer && !o->expect_only)
		die(2, "-p PEER is required (the other side's ivshmem ID)");
}

static int expect(struct xfer *x)
{
	uint32_t n, len;

	for (n = 0; n < x->o.count; n++) {
		len = make_msg(&x->o, n, x->want);
		fold(x, x->want, len);
	}
	printf("checksum 0x%016" PRIx64 " bytes %" PRIu64 "\n", x->checksum, x->bytes);
	return 0;
}

int main(int argc, char **argv)
{
	static struct xfer x = { .checksum = BH_BENCH_FNV_OFFSET };
	struct cellmsg_config cfg = { 0 };
	struct cellmsg_backend be;
	struct cellmsg_uio dev;
	struct timespec t0, t1;
	unsigned int side;
	int err, rc;

	parse(&x.o, argc, argv);
	if (x.o.expect_only)
		return expect(&x);

	err = cellmsg_uio_open(&dev, x.o.dev);
	if (err)
		die(2, "%s", dev.error);
	if (dev.own_id == x.o.peer)
		die(2, "peer %u is our own ID", x.o.peer);
	side = cellmsg_uio_side(&dev, x.o.peer);
	cellmsg_uio_backend(&dev, x.o.peer, 0, &be);
	cfg.wait_mode = strcmp(x.o.mode, "poll") ? CELLMSG_WAIT_BLOCK : CELLMSG_WAIT_POLL;
	cfg.entropy = (uint32_t)time(NULL);
	if (dev.output) {
		/* A link device: the channel's halves in our and the peer's output sections. */
		void *own;
		const void *peer;
		size_t n = cellmsg_uio_link_halves(&dev, x.o.peer, &own, &peer);

		if (!n)
			die(2, "%s: peer %u is none of the link's %u peers, or its sections are too small",
			    dev.path, x.o.peer, dev.num_peers);
		err = cellmsg_open_halves(&x.ch, own, peer, n, &cfg, &be);
	} else {
		err = cellmsg_open(&x.ch, dev.shm, dev.shm_size, side, &cfg, &be);
	}
	if (err)
		die(2, "cellmsg_open on %s: %s", dev.path, strerror(-err));
	if (x.o.window * (uint64_t)(x.o.max_size + 64) > 2ull * cellmsg_max_msg(&x.ch))
		die(2, "window %u x %u bytes does not fit the %u-byte ring", x.o.window,
		    x.o.max_size, cellmsg_max_msg(&x.ch));
	err = cellmsg_wait_connected(&x.ch, x.o.timeout_ns);
	if (err) {
		fprintf(stderr, "cellmsg-xfer: peer %u did not connect: %s\n", x.o.peer,
			strerror(-err));
		dump_state(&x);
		return errcode(err);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (side == 0)
		rc = run_sender(&x);
	else if (strcmp(x.o.mode, "loop") == 0)
		rc = run_echo_loop(&x);
	else
		rc = run_echo(&x);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc)
		dump_state(&x);

	printf("side %u (%s, %s): %u messages, checksum 0x%016" PRIx64 " bytes %" PRIu64
	       ", %" PRIu64 " doorbells, %" PRIu64 " sleeps, %ld ms\n",
	       side, side ? "echo" : "sender", x.o.mode, x.next_rx, x.checksum, x.bytes,
	       x.ch.doorbells_sent, x.ch.sleeps,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	cellmsg_close(&x.ch);
	cellmsg_uio_close(&dev);
	return rc;
}
