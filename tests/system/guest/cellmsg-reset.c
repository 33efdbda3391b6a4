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

int main(int argc, char **argv)
{
	struct cellmsg_config cfg = { .wait_mode = CELLMSG_WAIT_BLOCK };
	unsigned int seq, count = 1000, forever = 0;
	const char *path = NULL;
	struct cellmsg_backend be;
	struct cellmsg_chan ch;
	struct cellmsg_uio dev;
	int c, err;

	while ((c = getopt(argc, argv, "d:n:k")) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'n': count = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'k': forever = 1; break;
		default: die(2, "usage: cellmsg-reset [-d /dev/uioN] [-n COUNT] [-k]");
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
