// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellmsg_bench: libcellmsg host backend against its floor and against
 * ordinary IPC, between two processes pinned to CPU 0 (parent) and CPU 1
 * (child, one fork per measurement).
 *
 * Every case is measured once per round and the rounds are repeated, so a
 * case and its baseline always run seconds apart, never minutes; the
 * table shows the median (and min/max) over the rounds. See bench/README.md.
 *
 * Build (DPDK headers from Debian dpdk-dev):
 *   gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ilibcellmsg/include \
 *       -I/usr/include/dpdk -I/usr/include/x86_64-linux-gnu/dpdk -include rte_config.h \
 *       -o build/bench/cellmsg_bench bench/cellmsg_bench.c \
 *       libcellmsg/core/cellmsg.c libcellmsg/backends/host.c -lrte_ring -lrte_eal
 * Without DPDK: add -DNO_DPDK and drop the DPDK flags and libraries.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cellmsg/cellmsg.h>
#include <cellmsg/host.h>

#ifndef NO_DPDK
#include <rte_ring.h>
#include <rte_ring_elem.h>
#endif

#define REGION_SIZE	(1u << 20)	/* 1 MiB: default ring 256 KiB a side */
#define MAX_SIZE	65536
#define TIMEOUT_NS	(10LL * 1000000000)	/* a stuck peer is an error */
#define BATCH		64		/* iterations between clock reads */
#define MAX_ROUNDS	32
#define RTE_RING_COUNT	4096		/* 4096 x 64 B = 256 KiB, as cellmsg */

static const uint32_t sizes[] = { 8, 64, 256, 1024, 4096, 16384, 65536 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static int rounds = 5;
static uint64_t run_ns = 150000000;	/* measured time per case per round */
static uint64_t warm_ns = 20000000;
static int pinned = 1;

/* Shared between parent and child, mapped before any fork. */
struct shared {
	_Alignas(64) _Atomic uint64_t ping;
	_Alignas(64) _Atomic uint64_t pong;
	_Alignas(64) _Atomic uint64_t stop;	/* ping-pong: the last seq; else 1 */
};
static struct shared *sh;

static uint8_t txbuf[MAX_SIZE], rxbuf[MAX_SIZE];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "cellmsg_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (!pinned)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity", errno);
}

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- the cases ------------------------------------------------------------ */

enum kind { FLOOR, CM_POLL, EVENTFD, CM_BLOCK, PIPE, UNIX, CM_TPUT, RTE_TPUT, CM_BATCH,
	    RTE_BURST };

static const char *const kind_name[] = {
	[FLOOR] = "floor (cache-line ping-pong)",
	[CM_POLL] = "cellmsg poll ping-pong",
	[EVENTFD] = "eventfd ping-pong",
	[CM_BLOCK] = "cellmsg block ping-pong",
	[PIPE] = "pipe ping-pong",
	[UNIX] = "unix socket ping-pong",
	[CM_TPUT] = "cellmsg poll one-way 64 B",
	[RTE_TPUT] = "rte_ring SP/SC one-way 64 B",
	[CM_BATCH] = "cellmsg batch32 one-way 64 B",
	[RTE_BURST] = "rte_ring SP/SC burst32 64 B",
};

/* Resources of one measurement, created before the fork. */
struct ctx {
	enum kind kind;
	uint32_t size;
	struct cellmsg_host host;
	struct cellmsg_chan ch;
	int fd[4];		/* eventfd: 2, pipe: 4, unix: 2 */
#ifndef NO_DPDK
	struct rte_ring *ring;
	size_t ring_bytes;
#endif
};

static int full_read(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t r;

	while (len) {
		r = read(fd, p, len);
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int full_write(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int cm_open(struct ctx *c, unsigned int side)
{
	struct cellmsg_config cfg = {
		.wait_mode = c->kind == CM_BLOCK ? CELLMSG_WAIT_BLOCK : CELLMSG_WAIT_POLL,
	};
	struct cellmsg_backend be;
	int err;

	cellmsg_host_backend(&c->host, side, &be);
	err = cellmsg_open(&c->ch, c->host.region, c->host.size, side, &cfg, &be);
	if (!err)
		err = cellmsg_wait_connected(&c->ch, TIMEOUT_NS);
	if (!err && cellmsg_max_msg(&c->ch) < MAX_SIZE)
		err = -EMSGSIZE;
	return err;
}

static int cm_send(struct ctx *c, const void *buf, uint32_t len)
{
	return cellmsg_send(&c->ch, buf, len, TIMEOUT_NS);
}

static int cm_recv(struct ctx *c, void *buf, uint32_t len)
{
	int r = cellmsg_recv(&c->ch, buf, MAX_SIZE, TIMEOUT_NS);

	if (r < 0)
		return r;
	return (uint32_t)r == len ? 0 : -EBADMSG;
}

/* One round trip, parent side: send c->size bytes, get them back. */
static int ping(struct ctx *c, uint64_t n)
{
	uint64_t v = 1;
	int err;

	switch (c->kind) {
	case FLOOR:
		atomic_store_explicit(&sh->ping, n, memory_order_release);
		while (atomic_load_explicit(&sh->pong, memory_order_acquire) != n)
			relax();
		return 0;
	case CM_POLL:
	case CM_BLOCK:
		err = cm_send(c, txbuf, c->size);
		return err ? err : cm_recv(c, rxbuf, c->size);
	case EVENTFD:
		err = full_write(c->fd[0], &v, 8);
		return err ? err : full_read(c->fd[1], &v, 8);
	case PIPE:	/* fd[1] -> fd[0] to the child, fd[3] -> fd[2] back */
		err = full_write(c->fd[1], txbuf, c->size);
		return err ? err : full_read(c->fd[2], rxbuf, c->size);
	case UNIX:
		err = full_write(c->fd[0], txbuf, c->size);
		return err ? err : full_read(c->fd[0], rxbuf, c->size);
	default:
		return -EINVAL;
	}
}

/* One round trip, child side: wait for the message and echo it. */
static int echo(struct ctx *c, uint64_t n)
{
	uint64_t v = 1;
	int err;

	switch (c->kind) {
	case FLOOR:
		while (atomic_load_explicit(&sh->ping, memory_order_acquire) != n)
			relax();
		atomic_store_explicit(&sh->pong, n, memory_order_release);
		return 0;
	case CM_POLL:
	case CM_BLOCK:
		err = cm_recv(c, rxbuf, c->size);
		return err ? err : cm_send(c, rxbuf, c->size);
	case EVENTFD:
		err = full_read(c->fd[0], &v, 8);
		return err ? err : full_write(c->fd[1], &v, 8);
	case PIPE:
		err = full_read(c->fd[0], rxbuf, c->size);
		return err ? err : full_write(c->fd[3], rxbuf, c->size);
	case UNIX:
		err = full_read(c->fd[1], rxbuf, c->size);
		return err ? err : full_write(c->fd[1], rxbuf, c->size);
	default:
		return -EINVAL;
	}
}

/* 32 messages of 64 bytes, in batches until all are in the ring. */
static int cm_send_burst(struct ctx *c)
{
	static uint8_t burst[32][64];
	static struct cellmsg_msg m[32];
	unsigned int done = 0;
	int n, i;

	if (!m[0].data)
		for (i = 0; i < 32; i++)
			m[i] = (struct cellmsg_msg){ .data = burst[i], .len = 64 };
	while (done < 32) {
		n = cellmsg_send_batch(&c->ch, m + done, 32 - done, TIMEOUT_NS);
		if (n < 0)
			return n;
		done += (unsigned int)n;
	}
	return 0;
}

/* Up to 32 messages; 1 when the terminator is among them. */
static int cm_recv_burst(struct ctx *c, unsigned int *got)
{
	static uint8_t burst[32][64];
	static struct cellmsg_rxbuf b[32];
	int n, k;

	for (k = 0; k < 32; k++)
		b[k] = (struct cellmsg_rxbuf){ .data = burst[k], .cap = 64 };
	n = cellmsg_recv_batch(&c->ch, b, 32, TIMEOUT_NS);
	if (n < 0)
		return n;
	for (k = 0; k < n; k++) {
		if (b[k].len != 64)
			return -EBADMSG;
		if (burst[k][0])
			return 1;
		(*got)++;
	}
	return 0;
}

/* One-way throughput, child: send until told to stop, then a terminator. */
static int produce(struct ctx *c)
{
	uint8_t msg[64] = { 0 };
	int i, err;

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		for (i = 0; i < BATCH; i++) {
			switch (c->kind) {
			case CM_TPUT:
				err = cm_send(c, msg, 64);
				if (err)
					return err;
				break;
			case CM_BATCH:
				err = cm_send_burst(c);
				if (err)
					return err;
				i += 31;
				break;
#ifndef NO_DPDK
			case RTE_TPUT:
				while (rte_ring_sp_enqueue_elem(c->ring, msg, 64))
					relax();
				break;
			case RTE_BURST: {
				static uint8_t burst[32][64];
				unsigned int done = 0;

				while (done < 32)
					done += rte_ring_sp_enqueue_burst_elem(c->ring,
						burst[done], 64, 32 - done, NULL);
				i += 31;
				break;
			}
#endif
			default:
				return -EINVAL;
			}
		}
	}
	msg[0] = 1;
	switch (c->kind) {
	case CM_TPUT:
	case CM_BATCH:
		return cm_send(c, msg, 64);
#ifndef NO_DPDK
	case RTE_TPUT:
	case RTE_BURST:
		while (rte_ring_sp_enqueue_elem(c->ring, msg, 64))
			relax();
		return 0;
#endif
	default:
		return -EINVAL;
	}
}

/* One-way throughput, parent: receive up to @max messages; 1 on terminator. */
static int consume(struct ctx *c, unsigned int max, unsigned int *got)
{
#ifndef NO_DPDK
	static uint8_t burst[32][64];
	unsigned int n, k;
#endif
	uint8_t msg[64];
	unsigned int i;
	int err;

	*got = 0;
	switch (c->kind) {
	case CM_BATCH:
		while (*got < max) {
			err = cm_recv_burst(c, got);
			if (err)
				return err;
		}
		return 0;
	case CM_TPUT:
		for (i = 0; i < max; i++) {
			err = cellmsg_recv(&c->ch, msg, sizeof(msg), TIMEOUT_NS);
			if (err != 64)
				return err < 0 ? err : -EBADMSG;
			if (msg[0])
				return 1;
			(*got)++;
		}
		return 0;
#ifndef NO_DPDK
	case RTE_TPUT:
		for (i = 0; i < max; i++) {
			while (rte_ring_sc_dequeue_elem(c->ring, msg, 64))
				relax();
			if (msg[0])
				return 1;
			(*got)++;
		}
		return 0;
	case RTE_BURST:
		while (*got < max) {
			n = rte_ring_sc_dequeue_burst_elem(c->ring, burst, 64, 32, NULL);
			if (!n) {
				relax();
				continue;
			}
			for (k = 0; k < n; k++) {
				if (burst[k][0])
					return 1;
				(*got)++;
			}
		}
		return 0;
#endif
	default:
		return -EINVAL;
	}
}

/* ---- one measurement ---------------------------------------------------- */

static void setup(struct ctx *c)
{
	int err = 0, i;

	for (i = 0; i < 4; i++)
		c->fd[i] = -1;
	switch (c->kind) {
	case CM_POLL:
	case CM_BLOCK:
	case CM_TPUT:
	case CM_BATCH:
		err = cellmsg_host_create(&c->host, REGION_SIZE);
		break;
	case EVENTFD:
		c->fd[0] = eventfd(0, 0);
		c->fd[1] = eventfd(0, 0);
		if (c->fd[0] < 0 || c->fd[1] < 0)
			err = -errno;
		break;
	case PIPE:
		if (pipe(c->fd) || pipe(c->fd + 2))
			err = -errno;
		break;
	case UNIX:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, c->fd))
			err = -errno;
		break;
#ifndef NO_DPDK
	case RTE_TPUT:
	case RTE_BURST: {
		ssize_t sz = rte_ring_get_memsize_elem(64, RTE_RING_COUNT);

		if (sz < 0)
			die("rte_ring_get_memsize_elem", (int)sz);
		c->ring_bytes = (size_t)sz;
		c->ring = mmap(NULL, c->ring_bytes, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (c->ring == MAP_FAILED)
			die("mmap", errno);
		err = rte_ring_init(c->ring, "bench", RTE_RING_COUNT,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
		break;
	}
#endif
	default:
		break;
	}
	if (err)
		die(kind_name[c->kind], err);
}

static void teardown(struct ctx *c)
{
	int i;

	switch (c->kind) {
	case CM_POLL:
	case CM_BLOCK:
	case CM_TPUT:
	case CM_BATCH:
		cellmsg_close(&c->ch);
		cellmsg_host_destroy(&c->host);
		break;
#ifndef NO_DPDK
	case RTE_TPUT:
	case RTE_BURST:
		munmap(c->ring, c->ring_bytes);
		break;
#endif
	default:
		break;
	}
	for (i = 0; i < 4; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
}

static int is_tput(enum kind k)
{
	return k == CM_TPUT || k == RTE_TPUT || k == CM_BATCH || k == RTE_BURST;
}

static int is_cellmsg(enum kind k)
{
	return k == CM_POLL || k == CM_BLOCK || k == CM_TPUT || k == CM_BATCH;
}

static int child_main(struct ctx *c)
{
	uint64_t n;
	int err = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pin(1);
	if (is_cellmsg(c->kind)) {
		err = cm_open(c, 1);
		if (err)
			return 2;
	}
	if (is_tput(c->kind)) {
		err = produce(c);
	} else {
		for (n = 1; !err; n++) {
			err = echo(c, n);
			if (atomic_load_explicit(&sh->stop, memory_order_acquire) == n)
				break;
		}
	}
	if (is_cellmsg(c->kind)) {
		/* Wait for the parent's goodbye so it never sees us close early. */
		if (!err && cellmsg_recv(&c->ch, rxbuf, MAX_SIZE, TIMEOUT_NS) < 0)
			err = -EIO;
		cellmsg_close(&c->ch);
	}
	if (err)
		fprintf(stderr, "child (%s, %u B): %s\n", kind_name[c->kind],
			c->size, strerror(-err));
	return err ? 3 : 0;
}

/* Returns ns per round trip, or messages per second for throughput. */
static double measure(enum kind kind, uint32_t size)
{
	struct ctx c = { .kind = kind, .size = size };
	uint64_t t0, t1 = 0, n = 1, start_n = 0, count = 0, limit;
	unsigned int got;
	int err = 0, status, measuring = 0, done = 0, i;
	double result;
	pid_t pid;

	atomic_store(&sh->ping, 0);
	atomic_store(&sh->pong, 0);
	atomic_store(&sh->stop, 0);
	setup(&c);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0)
		_exit(child_main(&c));

	alarm(30);
	if (is_cellmsg(kind)) {
		err = cm_open(&c, 0);
		if (err)
			die("cellmsg open (parent)", err);
	}
	t0 = now_ns();
	limit = t0 + warm_ns;
	while (!done) {
		if (is_tput(kind)) {
			err = consume(&c, 1024, &got);
			if (err)
				break;
			count += got;
		} else {
			for (i = 0; i < BATCH && !err; i++)
				err = ping(&c, n++);
			if (err)
				break;
		}
		t1 = now_ns();
		if (t1 < limit)
			continue;
		if (!measuring) {
			measuring = 1;
			t0 = t1;
			start_n = n;
			count = 0;
			limit = t0 + run_ns;
			continue;
		}
		done = 1;
	}
	if (err < 0)
		die(kind_name[kind], err);

	/* Stop the child: tput at once, ping-pong after one more round trip. */
	atomic_store_explicit(&sh->stop, is_tput(kind) ? 1 : n, memory_order_release);
	if (is_tput(kind)) {
		while ((err = consume(&c, ~0u, &got)) == 0)
			;
		if (err < 0)
			die("draining", err);
		result = (double)count * 1e9 / (double)(t1 - t0);
	} else {
		err = ping(&c, n);	/* the child sees stop after this one */
		if (err)
			die(kind_name[kind], err);
		result = (double)(t1 - t0) / (double)(n - start_n);
	}
	if (is_cellmsg(kind)) {
		err = cellmsg_send(&c.ch, "bye", 3, TIMEOUT_NS);
		if (err)
			die("goodbye", err);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid", errno);
	alarm(0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "cellmsg_bench: child failed in %s (%u B), status 0x%x\n",
			kind_name[kind], size, status);
		exit(1);
	}
	teardown(&c);
	return result;
}

/* ---- the run ------------------------------------------------------------- */

struct row {
	enum kind kind;
	uint32_t size;
	double v[MAX_ROUNDS];
};

static struct row rows[64];
static int nrows;

static int add_row(enum kind kind, uint32_t size)
{
	rows[nrows].kind = kind;
	rows[nrows].size = size;
	return nrows++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double minmax(const double *v, int n, int want_max)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (want_max ? v[i] > m : v[i] < m)
			m = v[i];
	return m;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cellmsg_bench [-q] [-r ROUNDS] [-t MS] [-h]\n"
		"  -q        quick: 3 rounds of 50 ms per case (< 15 s)\n"
		"  -r N      rounds (default 5, at most %d)\n"
		"  -t MS     measured milliseconds per case per round (default 150)\n"
		"  -h        this help\n"
		"Parent on CPU 0, child on CPU 1; each round runs every case once,\n"
		"the table shows median [min..max] over the rounds. The last line\n"
		"is a machine-readable summary (8-byte RTTs, 64-byte throughput).\n",
		MAX_ROUNDS);
}

int main(int argc, char **argv)
{
	int opt, r, i, ix_floor, ix_poll8, ix_efd, ix_block8, ix_cmt, ix_rte = -1;
	int ix_cmb, ix_burst = -1;
	double floor_ns, poll_ns, efd_ns, block_ns, cm_mps, rte_mps = 0;
	double cmb_mps, burst_mps = 0;
	const char *rte_why = NULL;
	cpu_set_t set;
	uint64_t t_start;
	size_t s;

	while ((opt = getopt(argc, argv, "qr:t:h")) != -1) {
		switch (opt) {
		case 'q':
			rounds = 3;
			run_ns = 50000000;
			warm_ns = 5000000;
			break;
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS) {
				usage(stderr);
				return 2;
			}
			break;
		case 't':
			run_ns = (uint64_t)atoi(optarg) * 1000000;
			if (!run_ns) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    (!CPU_ISSET(0, &set) || !CPU_ISSET(1, &set))) {
		fprintf(stderr, "cellmsg_bench: CPU 0 or 1 not allowed; running unpinned\n");
		pinned = 0;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap", errno);
	memset(txbuf, 0xa5, sizeof(txbuf));
	pin(0);

	/* Each case right after its baseline, in this order, every round. */
	ix_floor = add_row(FLOOR, 8);
	ix_poll8 = nrows;
	for (s = 0; s < NSIZES; s++)
		add_row(CM_POLL, sizes[s]);
	ix_efd = add_row(EVENTFD, 8);
	ix_block8 = nrows;
	for (s = 0; s < NSIZES; s++)
		add_row(CM_BLOCK, sizes[s]);
	for (s = 0; s < NSIZES; s++)
		add_row(PIPE, sizes[s]);
	for (s = 0; s < NSIZES; s++)
		add_row(UNIX, sizes[s]);
	ix_cmt = add_row(CM_TPUT, 64);
#ifdef NO_DPDK
	rte_why = "built with -DNO_DPDK";
#else
	ix_rte = add_row(RTE_TPUT, 64);
#endif
	ix_cmb = add_row(CM_BATCH, 64);
#ifndef NO_DPDK
	ix_burst = add_row(RTE_BURST, 64);
#endif

	printf("cellmsg_bench: %d rounds, %.0f ms per case per round, %s, region %u KiB\n",
	       rounds, run_ns / 1e6, pinned ? "CPUs 0 and 1" : "unpinned",
	       REGION_SIZE / 1024);
	fflush(stdout);
	t_start = now_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nrows; i++)
			rows[i].v[r] = measure(rows[i].kind, rows[i].size);
		fprintf(stderr, "round %d/%d: floor %.0f ns, cellmsg poll %.0f ns, "
			"eventfd %.0f ns, cellmsg block %.0f ns\n", r + 1, rounds,
			rows[ix_floor].v[r], rows[ix_poll8].v[r],
			rows[ix_efd].v[r], rows[ix_block8].v[r]);
	}

	printf("\n%-30s %6s %12s %12s %12s  %s\n", "case", "size", "median",
	       "min", "max", "unit");
	for (i = 0; i < nrows; i++) {
		int tp = is_tput(rows[i].kind);
		double k = tp ? 1e-6 : 1;

		printf("%-30s %6u %12.*f %12.*f %12.*f  %s\n", kind_name[rows[i].kind],
		       rows[i].size, tp ? 2 : 0, k * median(rows[i].v, rounds),
		       tp ? 2 : 0, k * minmax(rows[i].v, rounds, 0),
		       tp ? 2 : 0, k * minmax(rows[i].v, rounds, 1),
		       tp ? "Mmsg/s" : "ns RTT");
	}
	if (rte_why)
		printf("rte_ring: unavailable (%s)\n", rte_why);
	printf("total %.1f s\n", (now_ns() - t_start) / 1e9);
	{
		double pr[MAX_ROUNDS], br[MAX_ROUNDS], tr[MAX_ROUNDS], xr[MAX_ROUNDS];

		for (r = 0; r < rounds; r++) {
			pr[r] = rows[ix_poll8].v[r] / rows[ix_floor].v[r];
			br[r] = rows[ix_block8].v[r] / rows[ix_efd].v[r];
			tr[r] = ix_rte >= 0 ? rows[ix_cmt].v[r] / rows[ix_rte].v[r] : 0;
			xr[r] = ix_burst >= 0 ? rows[ix_cmb].v[r] / rows[ix_burst].v[r] : 0;
		}
		printf("median of per-round ratios: poll/floor %.2f, block/eventfd %.2f, "
		       "cellmsg/rte_ring %.2f, batch/burst32 %.2f\n\n", median(pr, rounds),
		       median(br, rounds), median(tr, rounds), median(xr, rounds));
	}

	floor_ns = median(rows[ix_floor].v, rounds);
	poll_ns = median(rows[ix_poll8].v, rounds);
	efd_ns = median(rows[ix_efd].v, rounds);
	block_ns = median(rows[ix_block8].v, rounds);
	cm_mps = median(rows[ix_cmt].v, rounds);
	if (ix_rte >= 0)
		rte_mps = median(rows[ix_rte].v, rounds);
	cmb_mps = median(rows[ix_cmb].v, rounds);
	if (ix_burst >= 0)
		burst_mps = median(rows[ix_burst].v, rounds);
	printf("cellmsg_poll_rtt_ns=%.0f floor_rtt_ns=%.0f poll_ratio=%.2f "
	       "cellmsg_block_rtt_ns=%.0f eventfd_rtt_ns=%.0f block_ratio=%.2f "
	       "cellmsg_64B_mps=%.0f rte_ring_64B_mps=%.0f tput_ratio=%.2f "
	       "cellmsg_batch32_mps=%.0f rte_ring_burst32_mps=%.0f batch_ratio=%.2f\n",
	       poll_ns, floor_ns, poll_ns / floor_ns, block_ns, efd_ns,
	       block_ns / efd_ns, cm_mps, rte_mps,
	       rte_mps > 0 ? cm_mps / rte_mps : 0.0, cmb_mps, burst_mps,
	       burst_mps > 0 ? cmb_mps / burst_mps : 0.0);
	return 0;
}
