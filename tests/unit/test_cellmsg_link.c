// SPDX-License-Identifier: GPL-2.0-only
/*
 * libcellmsg on an ivshmem link: cellmsg_link_halves() cuts each peer's
 * output section into one slot per peer (table rows: section size, peers,
 * own and peer ID, then the slot size and both halves' offsets the link
 * layout in the header comment promises, or 0), cellmsg_open_halves()'s
 * argument rows, and a channel between
 * peers 1 and 2 of a 3-peer link runs in two processes that map, as
 * uio_ivshmem maps a link, their own section read-write and every section
 * read-only (a store into another peer's section is a SIGSEGV: the child
 * dies, the check fails). The slots of the pairs with peer 0 stay zero.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#include "check.h"

#define SECTION		0x10000u
#define PEERS		3u
#define MESSAGES	20000u
#define TIMEOUT_NS	(20LL * 1000000000)

/* ---- 1. the layout ---------------------------------------------------- */

struct halves_row {
	const char *what;
	size_t section;
	unsigned int peers, own, peer;
	size_t slot, own_off, peer_off;	/* slot 0: refused */
};

static const struct halves_row halves_rows[] = {
	{ "pair, peer 0 with 1", 0x10000, 2, 0, 1, 0x8000, 0x8000, 0 },
	{ "pair, peer 1 with 0", 0x10000, 2, 1, 0, 0x8000, 0, 0x8000 },
	{ "3 peers, 1 with 2", 0x10000, 3, 1, 2, 0x5540, 2 * 0x5540, 0x5540 },
	{ "3 peers, 2 with 1", 0x10000, 3, 2, 1, 0x5540, 0x5540, 2 * 0x5540 },
	{ "16 peers, 15 with 0", 0x100000, 16, 15, 0, 0x10000, 0, 15 * 0x10000 },
	{ "16 peers, slots of 8 KiB: the smallest", 0x20000, 16, 3, 9, 0x2000, 9 * 0x2000, 3 * 0x2000 },
	{ "slot below 8 KiB", 0x1ffc0, 16, 3, 9, 0, 0, 0 },
	{ "16 peers on 64 KiB sections: 4 KiB slots, too small", 0x10000, 16, 3, 9, 0, 0, 0 },
	{ "17 peers", 0x100000, 17, 1, 2, 0, 0, 0 },
	{ "1 peer", 0x10000, 1, 0, 0, 0, 0, 0 },
	{ "own ID past the peers", 0x10000, 3, 3, 1, 0, 0, 0 },
	{ "peer ID past the peers", 0x10000, 3, 1, 3, 0, 0, 0 },
	{ "a channel with itself", 0x10000, 3, 1, 1, 0, 0, 0 },
};

static void test_halves(void)
{
	static uint8_t own_sec[0x100000] __attribute__((aligned(64)));
	static uint8_t peer_sec[0x100000] __attribute__((aligned(64)));
	unsigned int i;

	for (i = 0; i < sizeof(halves_rows) / sizeof(halves_rows[0]); i++) {
		const struct halves_row *r = &halves_rows[i];
		void *own = NULL;
		const void *peer = NULL;
		size_t slot = cellmsg_link_halves(own_sec, peer_sec, r->section, r->peers,
						  r->own, r->peer, &own, &peer);

		CHECK(slot == r->slot, "%s: slot 0x%zx, want 0x%zx", r->what, slot, r->slot);
		if (!slot || slot != r->slot)
			continue;
		CHECK((uint8_t *)own - own_sec == (long)r->own_off, "%s: own half at 0x%lx, want 0x%zx",
		      r->what, (long)((uint8_t *)own - own_sec), r->own_off);
		CHECK((const uint8_t *)peer - peer_sec == (long)r->peer_off,
		      "%s: peer half at 0x%lx, want 0x%zx", r->what,
		      (long)((const uint8_t *)peer - peer_sec), r->peer_off);
	}
	CHECK_EQ(cellmsg_link_halves(own_sec + 8, peer_sec, 0x10000, 2, 0, 1,
				     &(void *){ 0 }, &(const void *){ 0 }), 0, "misaligned section");
}

/* cellmsg_open_halves() refuses what cannot be two halves (-EINVAL rows). */
static void test_open_halves_args(void)
{
	static uint8_t area[4 * 8192] __attribute__((aligned(64)));
	struct cellmsg_host h;
	struct cellmsg_backend be;
	struct cellmsg_chan ch;
	const struct {
		const char *what;
		size_t own, peer, size;
		int want;
	} rows[] = {
		{ "two 8 KiB halves", 0, 8192, 8192, 0 },
		{ "halves the other way round", 8192, 0, 8192, 0 },
		{ "overlapping by a line", 0, 8192 - 64, 8192, -EINVAL },
		{ "the same area", 0, 0, 8192, -EINVAL },
		{ "4 KiB halves: no room for a ring", 0, 4096, 4096, -EINVAL },
		{ "not a multiple of 64", 0, 8192, 8192 + 8, -EINVAL },
		{ "own half misaligned", 8, 16384, 8192, -EINVAL },
		{ "peer half misaligned", 0, 16384 + 8, 8192, -EINVAL },
	};
	unsigned int i;

	CHECK_EQ(cellmsg_host_create(&h, 8192), 0, "a backend");
	cellmsg_host_backend(&h, 0, &be);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(area, 0, sizeof(area));
		CHECK_EQ(cellmsg_open_halves(&ch, area + rows[i].own, area + rows[i].peer,
					     rows[i].size, NULL, &be), rows[i].want, rows[i].what);
	}
	CHECK_EQ(cellmsg_open_halves(&ch, NULL, area, 8192, NULL, &be), -EINVAL, "no own half");
	CHECK_EQ(cellmsg_open_halves(&ch, area, NULL, 8192, NULL, &be), -EINVAL, "no peer half");
	cellmsg_host_destroy(&h);
}

/* ---- 2. a channel between peers 1 and 2 ------------------------------ */

struct link_view {
	uint8_t *own;			/* our section, read-write */
	const uint8_t *all;		/* every section, read-only */
};

/* Maps the memfd as peer @id of the link sees it. */
static int map_as_peer(int fd, unsigned int id, struct link_view *v)
{
	void *own = mmap(NULL, SECTION, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)id * SECTION);
	void *all = mmap(NULL, PEERS * SECTION, PROT_READ, MAP_SHARED, fd, 0);

	if (own == MAP_FAILED || all == MAP_FAILED)
		return -ENOMEM;
	v->own = own;
	v->all = all;
	return 0;
}

static int open_peer(struct cellmsg_host *h, unsigned int id, unsigned int other,
		     unsigned int side, struct cellmsg_chan *ch)
{
	struct cellmsg_config cfg = { .wait_mode = CELLMSG_WAIT_ADAPTIVE, .spin_ns = 5000 };
	struct cellmsg_backend be;
	struct link_view v = { 0 };
	void *own;
	const void *peer;
	size_t n;
	int err = map_as_peer(h->shm_fd, id, &v);

	if (err)
		return err;
	n = cellmsg_link_halves(v.own, v.all + (size_t)other * SECTION, SECTION, PEERS, id, other,
				&own, &peer);
	if (!n)
		return -EINVAL;
	cellmsg_host_backend(h, side, &be);
	err = cellmsg_open_halves(ch, own, peer, n, &cfg, &be);
	return err ?: cellmsg_wait_connected(ch, TIMEOUT_NS);
}

static uint32_t msg_len(uint32_t n, uint32_t max)
{
	return (n * 2654435761u >> 7) % (max + 1);
}

static void fill(uint8_t *p, uint32_t len, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(n * 31 + i);
}

/*
 * Peer 2, in the child: echoes every message, then waits for the empty
 * end marker. Exit code 0 on success.
 */
static int echo_peer(struct cellmsg_host *h)
{
	static uint8_t buf[65536];
	struct cellmsg_chan ch;
	uint32_t n;
	int len;

	if (open_peer(h, 2, 1, 1, &ch))
		return 2;
	for (n = 0; n < MESSAGES; n++) {
		len = cellmsg_recv(&ch, buf, sizeof(buf), TIMEOUT_NS);
		if (len < 0 || cellmsg_send(&ch, buf, (uint32_t)len, TIMEOUT_NS) < 0)
			return 3;
	}
	/* A close resets the channel: not before peer 1 has the last echo. */
	len = cellmsg_recv(&ch, buf, sizeof(buf), TIMEOUT_NS);
	cellmsg_close(&ch);
	return len == 0 ? 0 : 4;
}

static void test_channel(void)
{
	static uint8_t out[65536], back[65536];
	struct cellmsg_host h;
	struct cellmsg_chan ch;
	const uint8_t *all;
	uint32_t n, len, max, bad = 0;
	int status, got;
	size_t i, nonzero = 0;
	pid_t pid;

	CHECK_EQ(cellmsg_host_create(&h, PEERS * SECTION), 0, "the link's memory");
	pid = fork();
	if (pid == 0)
		_exit(echo_peer(&h));
	CHECK_EQ(open_peer(&h, 1, 2, 0, &ch), 0, "peer 1 opens its channel with peer 2");
	max = cellmsg_max_msg(&ch) < sizeof(out) ? cellmsg_max_msg(&ch) : sizeof(out);
	for (n = 0; n < MESSAGES && !check_failures; n++) {
		len = msg_len(n, max);
		fill(out, len, n);
		CHECK_EQ(cellmsg_send(&ch, out, len, TIMEOUT_NS), 0, "send");
		got = cellmsg_recv(&ch, back, sizeof(back), TIMEOUT_NS);
		if (got != (int)len || memcmp(out, back, len)) {
			if (!bad)
				fprintf(stderr, "message %u: %u bytes sent, %d came back\n", n, len, got);
			bad++;
		}
	}
	CHECK_EQ(bad, 0, "echoes that came back wrong");
	CHECK_EQ(cellmsg_send(&ch, out, 0, TIMEOUT_NS), 0, "the end marker");
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "peer 2: status 0x%x (signal %d: a store outside its own section?)", status,
	      WIFSIGNALED(status) ? WTERMSIG(status) : 0);

	/* Slots 0 of sections 1 and 2 (their channels with peer 0), section 0: untouched. */
	all = mmap(NULL, PEERS * SECTION, PROT_READ, MAP_SHARED, h.shm_fd, 0);
	CHECK(all != MAP_FAILED, "map for the check");
	if (all != MAP_FAILED) {
		size_t slot = SECTION / PEERS / 64 * 64;

		for (i = 0; i < SECTION; i++)
			nonzero += all[i] != 0;
		for (i = 0; i < slot; i++)
			nonzero += (all[SECTION + i] != 0) + (all[2 * SECTION + i] != 0);
		CHECK_EQ(nonzero, 0, "bytes written outside channel (1, 2)'s slots");
	}
	cellmsg_host_destroy(&h);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_halves);
	RUN(test_open_halves_args);
	RUN(test_channel);
	return check_exit();
}
