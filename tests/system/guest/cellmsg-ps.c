// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellmsg-ps: libcellmsg publish/subscribe from root Linux on an ivshmem
 * link device (uio backend), for the link-pubsub scenario.
 *
 *   cellmsg-ps -d /dev/uioN sub PRODUCER
 *	subscribes to peer PRODUCER's topic and checks every message of the
 *	stream (common/ps_pattern.h) until its end mark: whole, and each one
 *	the one after the last (after -EOVERFLOW: later than the last).
 *	Prints "subscribed to peer P: N messages (F to L), W wrong, X lost".
 *   cellmsg-ps -d /dev/uioN pub COUNT SUBSCRIBERS [drop]
 *	waits for SUBSCRIBERS subscribers, publishes COUNT messages (policy
 *	WAIT, or DROP), then the end mark until they have left.
 * -s MS: sleep MS milliseconds after every 100 messages (a slow reader).
 * Exit: 0 all checked, 1 a check failed, 2 usage or device error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/ivshmem.h>
#include <cellmsg/pubsub.h>
#include <cellmsg/uio.h>
#include <common/ps_pattern.h>

#define WAIT_NS		(30LL * 1000000000)

static struct cellmsg_uio dev;
static struct cellmsg_ps_backend be;
static unsigned int slow_ms;

static void usage(FILE *out)
{
	fprintf(out, "usage: cellmsg-ps -d /dev/uioN [-s MS] sub PRODUCER\n"
		     "       cellmsg-ps -d /dev/uioN pub COUNT SUBSCRIBERS [drop]\n");
}

static void *area_of(uint32_t peer, size_t *size)
{
	const void *a = NULL;

	*size = cellmsg_uio_ps_area(&dev, peer, &a);
	return *size ? (void *)a : NULL;
}

static int subscribe(uint32_t producer)
{
	struct cellmsg_sub sub;
	uint8_t buf[PS_PATTERN_MAX];
	struct ps_tracker t = { 0 };
	size_t size, psize;
	void *own = area_of(dev.own_id, &size), *theirs = area_of(producer, &psize);
	int len, err;

	if (!own || !theirs || producer == dev.own_id) {
		fprintf(stderr, "cellmsg-ps: peer %u has no pub/sub area on this link\n", producer);
		return 2;
	}
	err = cellmsg_sub_open(&sub, own, theirs, size, producer, 0, &be);
	if (err) {
		fprintf(stderr, "cellmsg-ps: subscribe: %s\n", strerror(-err));
		return 2;
	}
	for (;;) {
		len = cellmsg_sub_recv(&sub, buf, sizeof(buf), WAIT_NS);
		if (len == -ECONNRESET)
			continue;
		if (len < 0 && len != -EOVERFLOW) {
			printf("cellmsg-ps: receive after %u messages: %s\n", t.got, strerror(-len));
			return 1;
		}
		if (ps_track(&t, buf, len, -EOVERFLOW))
			break;
		if (len > 0 && t.got % 100 == 0 && slow_ms)
			usleep(slow_ms * 1000);
	}
	cellmsg_sub_close(&sub);
	printf("cellmsg-ps: subscribed to peer %u: %u messages (%u to %u), %u wrong, %llu lost\n",
	       producer, t.got, t.first, t.last, t.wrong, (unsigned long long)cellmsg_sub_lost(&sub));
	return t.wrong || !t.got ? 1 : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int publish(uint32_t count, unsigned int subscribers, uint32_t policy)
{
	struct cellmsg_pub pub;
	uint8_t m[PS_PATTERN_MAX];
	uint32_t n, end = PS_END_MARK, i;
	size_t size, psize;
	void *own = area_of(dev.own_id, &size), *a;
	uint64_t t0, deadline;
	int err;

	if (!own || cellmsg_pub_open(&pub, own, size, dev.own_id, dev.num_peers, policy,
				     (uint32_t)now_ns(), &be)) {
		fprintf(stderr, "cellmsg-ps: no pub/sub area on this device\n");
		return 2;
	}
	for (i = 0; i < dev.num_peers; i++)
		if (i != dev.own_id && (a = area_of(i, &psize)))
			cellmsg_pub_peer(&pub, i, a);
	deadline = now_ns() + WAIT_NS;
	while (cellmsg_pub_subscribers(&pub) < subscribers && now_ns() < deadline)
		usleep(1000);
	if (cellmsg_pub_subscribers(&pub) < subscribers) {
		printf("cellmsg-ps: %u of %u subscribers after 30 s\n", cellmsg_pub_subscribers(&pub),
		       subscribers);
		return 1;
	}
	t0 = now_ns();
	for (n = 0; n < count; n++) {
		err = cellmsg_pub_send(&pub, m, ps_pattern(m, n), WAIT_NS);
		if (err) {
			printf("cellmsg-ps: publish %u: %s\n", n, strerror(-err));
			return 1;
		}
	}
	printf("cellmsg-ps: published %u messages to %u subscribers (%s), %llu ns each, slept %llu times\n",
	       count, subscribers, policy == CELLMSG_PS_DROP ? "DROP" : "WAIT",
	       (unsigned long long)((now_ns() - t0) / (count ? count : 1)),
	       (unsigned long long)pub.sleeps);
	deadline = now_ns() + WAIT_NS;
	while (cellmsg_pub_subscribers(&pub) && now_ns() < deadline) {
		cellmsg_pub_send(&pub, &end, 4, 1000000);
		usleep(10000);
	}
	cellmsg_pub_close(&pub);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int c, err;

	while ((c = getopt(argc, argv, "d:s:h")) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 's': slow_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	err = cellmsg_uio_open(&dev, path);
	if (err) {
		fprintf(stderr, "cellmsg-ps: %s\n", dev.error);
		return 2;
	}
	if (!dev.output) {
		fprintf(stderr, "cellmsg-ps: %s is no link device\n", dev.path);
		return 2;
	}
	cellmsg_uio_ps_backend(&dev, IVSHMEM_VECTOR_CHANNEL, &be);
	if (!strcmp(argv[optind], "sub") && optind + 2 == argc)
		return subscribe((uint32_t)strtoul(argv[optind + 1], NULL, 0));
	if (!strcmp(argv[optind], "pub") && (optind + 3 == argc || optind + 4 == argc))
		return publish((uint32_t)strtoul(argv[optind + 1], NULL, 0),
			       (unsigned int)strtoul(argv[optind + 2], NULL, 0),
			       optind + 4 == argc && !strcmp(argv[optind + 3], "drop") ?
			       CELLMSG_PS_DROP : CELLMSG_PS_WAIT);
	usage(stderr);
	return 2;
}
