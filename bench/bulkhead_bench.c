// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead-bench: root cell <-> inmate round trips through the hypervisor's
 * ivshmem device, against inmates/demos/x86/cellmsg-echo.
 *
 * Cases, each a run of timed round trips (the payload goes both ways):
 *   floor     a 64-byte cache line bounced between two root CPUs (two
 *             threads, no hypervisor involved): the polled baseline
 *   raw       the same across the cell boundary: a line in our half of
 *             the shared memory against one in cellmsg-echo's half (one
 *             zero-copy buffer each, no protocol): what the hypervisor
 *             adds to polled shared memory, which should be nothing
 *   poll      libcellmsg, both sides busy-polling
 *   adaptive  libcellmsg, both sides spinning 20 us, then sleeping
 *   doorbell  the bare doorbell: ring vector 1, the inmate rings back from
 *             its interrupt handler, wait on /dev/uioN; no libcellmsg
 *   irq       libcellmsg, both sides sleeping on the doorbell at once
 * Each libcellmsg case runs right after its baseline (floor, or doorbell
 * for irq) and reports its median as a ratio to it: the host's caches
 * change speed every few seconds, so only ratios from one run compare.
 *
 * VM exits per round trip come from the hypervisor's counters in sysfs,
 * summed over the root cell's and the inmate's CPUs, and for the inmate's
 * CPUs alone (root Linux's own interrupts and timer add to the first).
 *
 * Exit: 0 done, 1 a round trip failed (wrong echo, channel error),
 * 2 usage or setup error, 3 timeout.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bulkhead/bench_proto.h>
#include <bulkhead/hypercall.h>
#include <bulkhead/ivshmem.h>
#include <bulkhead/sysfs.h>
#include <cellmsg/cellmsg.h>
#include <cellmsg/uio.h>

#include "link_bench.h"

#define SECOND_NS		1000000000ll
#define TIMEOUT_NS		(10 * SECOND_NS)
#define MAX_SIZES		16
#define FLOOR_LINE		64
#define WARMUP			50

enum case_kind {
	CASE_FLOOR, CASE_RAW, CASE_POLL, CASE_ADAPTIVE, CASE_DOORBELL, CASE_IRQ, NUM_CASES
};

static const char *const case_names[NUM_CASES] = {
	"floor", "raw", "poll", "adaptive", "doorbell", "irq",
};

struct opts {
	const char *dev;
	const char *csv, *samples, *png;
	unsigned int cell_id;
	unsigned int count, irq_count;
	unsigned int sizes[MAX_SIZES], num_sizes;
	unsigned int hist_size;
	int cpu, floor_cpu;
	unsigned int cases;		/* bit per enum case_kind */
	int cases_given;		/* -m: what is asked must run */
	int link;			/* -L FROM,TO: inmate<->inmate */
	unsigned int link_from, link_to;
};

struct result {
	enum case_kind kind;
	unsigned int size, n;
	double p50, p99, p999, max, mean;	/* ns */
	double exits, mmio_exits;		/* per round trip, both cells */
	double inmate_exits;			/* per round trip, the inmate's CPUs */
	double ratio;				/* p50 / baseline p50, or 0 */
};

struct bench {
	struct opts o;
	struct cellmsg_uio dev;
	struct cellmsg_chan ch;
	struct cellmsg_backend be;
	double tsc_per_ns;
	uint8_t *out, *in;
	double *ns;				/* samples of the current case */
	struct result results[NUM_CASES * MAX_SIZES + 4];
	unsigned int num_results;
	FILE *samples;
	const char *sysfs;
};

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("bulkhead-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* ---- time ------------------------------------------------------------------ */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | (uint64_t)hi << 32;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SECOND_NS + ts.tv_nsec;
}

/* The TSC against CLOCK_MONOTONIC over 100 ms: reading it costs no exit. */
static double calibrate_tsc(void)
{
	uint64_t t0 = mono_ns(), c0 = rdtsc(), t1, c1;

	do {
		t1 = mono_ns();
	} while (t1 - t0 < 100000000ull);
	c1 = rdtsc();
	return (double)(c1 - c0) / (double)(t1 - t0);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die(2, "cannot run on CPU %d: %s", cpu, strerror(errno));
}

/* ---- VM exit counters --------------------------------------------------------- */

static uint64_t read_counter(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* VM exit counters of both cells at one moment. */
struct exits {
	uint64_t total, mmio, inmate;
};

static const char *const exit_names[] = BH_EXIT_NAMES;

/*
 * The cell's name from sysfs: the benchmark cannot know which program
 * answers (cellmsg-echo, rtos-echo: the same protocol), only the cell.
 */
static const char *cell_name(const struct bench *b, char *name, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cells/%u/name", b->sysfs, b->o.cell_id);
	f = fopen(path, "r");
	if (!f || !fgets(name, (int)size, f))
		snprintf(name, size, "?");
	if (f)
		fclose(f);
	name[strcspn(name, "\n")] = 0;
	return name;
}

/*
 * Adds the exits of reason @stat (an exit name or BH_SYSFS_EXITS_TOTAL)
 * of every CPU under cells/@cell/statistics to *@sum, skipping
 * CPUs in *@seen and marking those it counts. A CPU Linux gave to the
 * inmate also appears under the root cell (the counters are per CPU), so
 * the inmate is read first and each CPU counted once.
 */
static void add_cell_stat(const struct bench *b, unsigned int cell, const char *stat,
			  uint64_t *seen, uint64_t *sum)
{
	char path[512];
	unsigned int cpu;
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/cells/%u/statistics", b->sysfs, cell);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (sscanf(e->d_name, "cpu%u", &cpu) != 1 || cpu >= 64 ||
		    (*seen & (1ull << cpu)))
			continue;
		*seen |= 1ull << cpu;
		snprintf(path, sizeof(path), "%s/cells/%u/statistics/cpu%u/" BH_SYSFS_EXITS_PREFIX "%s",
			 b->sysfs, cell, cpu, stat);
		*sum += read_counter(path);
	}
	closedir(dir);
}

static void exits_now(const struct bench *b, struct exits *x)
{
	uint64_t seen = 0;

	*x = (struct exits){ 0 };
	add_cell_stat(b, b->o.cell_id, BH_SYSFS_EXITS_TOTAL, &seen, &x->inmate);
	x->total = x->inmate;
	add_cell_stat(b, 0, BH_SYSFS_EXITS_TOTAL, &seen, &x->total);
	seen = 0;
	add_cell_stat(b, b->o.cell_id, exit_names[BH_EXIT_MMIO], &seen, &x->mmio);
	add_cell_stat(b, 0, exit_names[BH_EXIT_MMIO], &seen, &x->mmio);
}

/* ---- statistics --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(const double *sorted, unsigned int n, double p)
{
	unsigned int i = (unsigned int)(p * (n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

static struct result *add_result(struct bench *b, enum case_kind kind,
				 unsigned int size, unsigned int n,
				 const struct exits *before)
{
	struct exits after;
	struct result *r = &b->results[b->num_results++];
	double sum = 0;
	unsigned int i;

	if (b->samples && size == (kind == CASE_DOORBELL ? 0 :
				   kind == CASE_FLOOR || kind == CASE_RAW ? FLOOR_LINE :
				   b->o.hist_size))
		for (i = 0; i < n; i++)
			fprintf(b->samples, "%s,%u,%.0f\n", case_names[kind], size, b->ns[i]);
	exits_now(b, &after);
	qsort(b->ns, n, sizeof(double), cmp_double);
	for (i = 0; i < n; i++)
		sum += b->ns[i];
	*r = (struct result){
		.kind = kind, .size = size, .n = n,
		.p50 = percentile(b->ns, n, 0.50), .p99 = percentile(b->ns, n, 0.99),
		.p999 = percentile(b->ns, n, 0.999), .max = b->ns[n - 1],
		.mean = sum / n,
		.exits = before ? (double)(after.total - before->total) / n : 0,
		.mmio_exits = before ? (double)(after.mmio - before->mmio) / n : 0,
		.inmate_exits = before ? (double)(after.inmate - before->inmate) / n : 0,
	};
	return r;
}

/* ---- cases -------------------------------------------------------------------- */

struct floor_line {
	volatile uint64_t ping __attribute__((aligned(64)));
	volatile uint64_t pong __attribute__((aligned(64)));
};

struct floor_arg {
	struct floor_line *line;
	unsigned int rounds;
	int cpu;
};

static void *floor_peer(void *p)
{
	struct floor_arg *a = p;
	uint64_t i;

	pin(a->cpu);
	for (i = 1; i <= a->rounds; i++) {
		while (a->line->ping != i)
			;
		a->line->pong = i;
	}
	return NULL;
}

static struct result *run_floor(struct bench *b)
{
	static struct floor_line line;
	struct floor_arg arg = { &line, b->o.count + WARMUP, b->o.floor_cpu };
	uint64_t i, t0;
	pthread_t peer;

	line.ping = line.pong = 0;
	if (pthread_create(&peer, NULL, floor_peer, &arg))
		die(2, "cannot start the floor thread");
	for (i = 1; i <= arg.rounds; i++) {
		t0 = rdtsc();
		line.ping = i;
		while (line.pong != i)
			;
		if (i > WARMUP)
			b->ns[i - WARMUP - 1] = (double)(rdtsc() - t0) / b->tsc_per_ns;
	}
	pthread_join(peer, NULL);
	return add_result(b, CASE_FLOOR, FLOOR_LINE, b->o.count, NULL);
}

static void run_raw_loop(struct bench *b, volatile uint64_t *ping,
			 const volatile uint64_t *pong)
{
	uint64_t i, t0, rounds = b->o.count + WARMUP;

	for (i = 1; i <= rounds; i++) {
		t0 = rdtsc();
		*ping = i;
		while (*pong != i)
			;
		if (i > WARMUP)
			b->ns[i - WARMUP - 1] = (double)(rdtsc() - t0) / b->tsc_per_ns;
	}
	*ping = BH_BENCH_RAW_END;
}

static void send_mode(struct bench *b, char letter);
/*
 * Raw ping-pong with cellmsg-echo: "BH-MODEr", then our buffer (the ping
 * line) goes over and its buffer (the pong line) comes back; both stay
 * where they are while the lines bounce, and go back at the end.
 */
static struct result *run_raw(struct bench *b)
{
	volatile uint64_t *ping;
	struct cellmsg_txbuf tb;
	struct cellmsg_rx rx;
	struct result *r;
	struct exits x0;
	int err;

	cellmsg_set_wait_mode(&b->ch, CELLMSG_WAIT_POLL, 0);
	send_mode(b, BH_BENCH_MODE_RAW);
	err = cellmsg_buf_claim(&b->ch, &tb);
	if (err)
		die(1, "raw: no zero-copy buffer to claim: %s", strerror(-err));
	/* Ours to write still: it is in our half, and the echo only reads it. */
	ping = tb.data;
	*ping = 0;
	err = cellmsg_buf_submit(&b->ch, &tb, BH_BENCH_RAW_LINE, TIMEOUT_NS);
	if (!err)
		err = cellmsg_recv_zc(&b->ch, &rx, TIMEOUT_NS);
	if (!err && (!rx.is_buf || rx.len < sizeof(uint64_t)))
		err = -EBADMSG;
	if (err)
		die(err == -ETIMEDOUT ? 3 : 1, "raw: exchanging the lines with cellmsg-echo: %s",
		    err == -EBADMSG ? "no buffer came back" : strerror(-err));
	exits_now(b, &x0);
	run_raw_loop(b, ping, (const volatile uint64_t *)rx.data);
	r = add_result(b, CASE_RAW, BH_BENCH_RAW_LINE, b->o.count, &x0);
	cellmsg_recv_done(&b->ch, &rx);
	return r;
}

/* Tells cellmsg-echo "BH-MODE" + @letter and takes the echo of it. */
static void send_mode(struct bench *b, char letter)
{
	char msg[BH_BENCH_MODE_LEN];
	int n;

	memcpy(msg, BH_BENCH_MODE_MAGIC, BH_BENCH_MODE_LEN - 1);
	msg[BH_BENCH_MODE_LEN - 1] = letter;

	n = cellmsg_send(&b->ch, msg, sizeof(msg), TIMEOUT_NS);
	if (!n)
		n = cellmsg_recv(&b->ch, b->in, BH_BENCH_MAX_MSG, TIMEOUT_NS);
	if (n != (int)sizeof(msg))
		die(n == -ETIMEDOUT ? 3 : 1, "switching cellmsg-echo to mode '%c': %s", letter,
		    n < 0 ? strerror(-n) : "wrong answer");
}

/* Switches both sides of the channel to @mode. */
static void set_mode(struct bench *b, enum cellmsg_wait_mode mode, char letter)
{
	cellmsg_set_wait_mode(&b->ch, mode, 20000);
	send_mode(b, letter);
}

static void fill(uint8_t *p, unsigned int size, unsigned int seq)
{
	unsigned int i;

	for (i = 0; i < size; i += 64)
		p[i] = (uint8_t)(seq + i);
	if (size)
		p[size - 1] = (uint8_t)seq;
}

static int one_trip(struct bench *b, unsigned int size, unsigned int seq)
{
	int n;

	fill(b->out, size, seq);
	n = cellmsg_send(&b->ch, b->out, size, TIMEOUT_NS);
	if (n)
		return n;
	n = cellmsg_recv(&b->ch, b->in, BH_BENCH_MAX_MSG, TIMEOUT_NS);
	if (n < 0)
		return n;
	if ((unsigned int)n != size || memcmp(b->in, b->out, size))
		return -EBADMSG;
	return 0;
}

static struct result *run_channel(struct bench *b, enum case_kind kind,
				  unsigned int size, unsigned int count)
{
	static const struct { enum cellmsg_wait_mode mode; char letter; } modes[] = {
		[CASE_POLL] = { CELLMSG_WAIT_POLL, BH_BENCH_MODE_POLL },
		[CASE_ADAPTIVE] = { CELLMSG_WAIT_ADAPTIVE, BH_BENCH_MODE_ADAPTIVE },
		[CASE_IRQ] = { CELLMSG_WAIT_BLOCK, BH_BENCH_MODE_BLOCK },
	};
	struct exits x0;
	uint64_t t0;
	unsigned int i;
	int err;

	set_mode(b, modes[kind].mode, modes[kind].letter);
	for (i = 0; i < WARMUP; i++)
		if ((err = one_trip(b, size, i)))
			goto failed;
	exits_now(b, &x0);
	for (i = 0; i < count; i++) {
		t0 = rdtsc();
		err = one_trip(b, size, i);
		if (err)
			goto failed;
		b->ns[i] = (double)(rdtsc() - t0) / b->tsc_per_ns;
	}
	return add_result(b, kind, size, count, &x0);
failed:
	die(err == -ETIMEDOUT ? 3 : 1, "%s, %u bytes, round trip %u: %s", case_names[kind],
	    size, i, err == -EBADMSG ? "the echo differs from the message" : strerror(-err));
	return NULL;
}

/* Ring vector 1 and wait for the inmate's answer on /dev/uioN. */
static int bare_trip(struct bench *b)
{
	uint32_t before = b->dev.events;
	uint64_t start = mono_ns();
	int err;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	b->dev.regs[IVSHMEM_REG_DOORBELL / 4] =
		IVSHMEM_DOORBELL(IVSHMEM_INMATE_PEER_ID, IVSHMEM_VECTOR_ECHO);
	while (b->dev.events == before) {
		err = cellmsg_uio_wait(&b->dev, TIMEOUT_NS);
		if (err)
			return err;
		if (mono_ns() - start > (uint64_t)TIMEOUT_NS)
			return -ETIMEDOUT;
	}
	return 0;
}

static struct result *run_doorbell(struct bench *b)
{
	unsigned int i, count = b->o.irq_count;
	struct exits x0;
	uint64_t t0;
	int err;

	/*
	 * The inmate takes interrupts only while it sleeps (it runs the
	 * channel with them off), so it must sleep: block mode. The idle
	 * channel rings nobody meanwhile.
	 */
	set_mode(b, CELLMSG_WAIT_BLOCK, BH_BENCH_MODE_BLOCK);
	cellmsg_uio_ack(&b->dev);
	for (i = 0; i < WARMUP; i++)
		if ((err = bare_trip(b)))
			goto failed;
	exits_now(b, &x0);
	for (i = 0; i < count; i++) {
		t0 = rdtsc();
		if ((err = bare_trip(b)))
			goto failed;
		b->ns[i] = (double)(rdtsc() - t0) / b->tsc_per_ns;
	}
	return add_result(b, CASE_DOORBELL, 0, count, &x0);
failed:
	die(err == -ETIMEDOUT ? 3 : 1, "bare doorbell %u: %s (is cellmsg-echo running?)",
	    i, strerror(-err));
	return NULL;
}

/* ---- output ------------------------------------------------------------------- */

static void print_header(void)
{
	printf("%-9s %6s %6s %10s %10s %10s %10s %9s %8s %9s  %s\n", "case", "bytes", "rts",
	       "p50 us", "p99 us", "p99.9 us", "max us", "exits/rt", "mmio/rt",
	       "inmate/rt", "p50 vs baseline");
}

static void print_result(const struct result *r, const struct result *base)
{
	printf("%-9s %6u %6u %10.2f %10.2f %10.2f %10.2f %9.2f %8.2f %9.2f", case_names[r->kind],
	       r->size, r->n, r->p50 / 1e3, r->p99 / 1e3, r->p999 / 1e3, r->max / 1e3,
	       r->exits, r->mmio_exits, r->inmate_exits);
	if (base)
		printf("  %.2fx %s", r->ratio, case_names[base->kind]);
	printf("\n");
	fflush(stdout);
}

static void write_csv(const struct bench *b)
{
	FILE *f = fopen(b->o.csv, "w");
	unsigned int i;

	if (!f)
		die(2, "cannot write %s: %s", b->o.csv, strerror(errno));
	fprintf(f, "case,bytes,round_trips,p50_ns,p99_ns,p999_ns,max_ns,mean_ns,"
		   "exits_per_rt,mmio_exits_per_rt,ratio_to_baseline,inmate_exits_per_rt\n");
	for (i = 0; i < b->num_results; i++) {
		const struct result *r = &b->results[i];

		fprintf(f, "%s,%u,%u,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f,%.3f,%.3f,%.3f\n",
			case_names[r->kind], r->size, r->n, r->p50, r->p99, r->p999,
			r->max, r->mean, r->exits, r->mmio_exits, r->ratio, r->inmate_exits);
	}
	fclose(f);
}

/*
 * histogram.gp: $BULKHEAD_HISTOGRAM_GP, next to this program (the build
 * tree, the test initramfs), or where make install puts it beside an
 * installed one: BINDIR/../share/bulkhead, whatever the prefix.
 */
static void histogram_script(char *path, size_t cap)
{
	static const char installed[] = "../share/bulkhead/histogram.gp";
	const char *env = getenv("BULKHEAD_HISTOGRAM_GP");
	ssize_t n;
	char *slash;

	if (env) {
		snprintf(path, cap, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", path, cap - sizeof(installed));
	path[n > 0 ? n : 0] = '\0';
	slash = strrchr(path, '/');
	slash = slash ? slash + 1 : path;
	snprintf(slash, sizeof(installed), "histogram.gp");
	if (access(path, R_OK))
		snprintf(slash, sizeof(installed), "%s", installed);
}

static void draw_png(const struct bench *b)
{
	char cmd[1200], script[512];

	histogram_script(script, sizeof(script));
	snprintf(cmd, sizeof(cmd), "gnuplot -e \"samples='%s'; out='%s'\" '%s'",
		 b->o.samples, b->o.png, script);
	if (system(cmd))
		fprintf(stderr, "bulkhead-bench: gnuplot failed (%s); the samples are in %s\n",
			script, b->o.samples);
	else
		printf("latency histogram: %s\n", b->o.png);
}

/* ---- setup -------------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
"Usage: bulkhead-bench [options]\n"
"\n"
"Round trips from root Linux to the cellmsg-echo inmate through the\n"
"hypervisor's ivshmem device: busy-poll, adaptive and interrupt mode with\n"
"libcellmsg, the bare doorbell, a raw cache line across the cells, and a\n"
"cache-line floor between two root CPUs as the polled baseline. Prints\n"
"p50/p99/p99.9/max and VM exits per round trip.\n"
"\n"
"  -d /dev/uioN  the ivshmem device (default: the first one)\n"
"  -c ID         the inmate's cell ID for exit counts (default 1)\n"
"  -n COUNT      round trips per polled case (default 2000)\n"
"  -i COUNT      round trips per interrupt case (default 500)\n"
"  -s LIST       message sizes in bytes, comma-separated\n"
"                (default 8,64,512,4096,65536)\n"
"  -m LIST       cases: floor,raw,poll,adaptive,doorbell,irq (default all;\n"
"                floor and raw run once per size, 64-byte lines)\n"
"  -C FILE       write the results as CSV\n"
"  -S FILE       write every round trip of SIZE-byte cases (and the floor\n"
"                and doorbell) as CSV samples for a histogram\n"
"  -H SIZE       the message size for -S (default 64)\n"
"  -p FILE       draw a latency histogram PNG from -S with gnuplot and\n"
"                histogram.gp next to this program, in ../share/bulkhead\n"
"                from it, or $BULKHEAD_HISTOGRAM_GP\n"
"  -P CPU        run on this root CPU (default 0); -F CPU: the floor's\n"
"                second CPU (default 1)\n"
"  -L FROM,TO    inmate<->inmate instead: on a link device, link-echo in\n"
"                peer FROM measures round trips with peer TO (raw cache\n"
"                line, polled libcellmsg, bare doorbell, interrupt mode);\n"
"                prints its figures and both inmates' MMIO exits per trip\n"
"  -h            this help\n"
"\n"
"Exit status: 0 done, 1 a round trip failed, 2 usage or setup error,\n"
"3 timeout. Needs bulkhead enable, uio_ivshmem, and cellmsg-echo started\n"
"in the cell paired with the device.\n");
}

static unsigned int num(const char *what, const char *s, unsigned int min, unsigned int max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		die(2, "%s '%s' is not a number in %u..%u", what, s, min, max);
	return (unsigned int)v;
}

static void parse_sizes(struct opts *o, char *list)
{
	char *tok, *save = NULL;

	o->num_sizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->num_sizes == MAX_SIZES)
			die(2, "at most %d sizes", MAX_SIZES);
		o->sizes[o->num_sizes++] = num("size", tok, 1, BH_BENCH_MAX_MSG);
	}
	if (!o->num_sizes)
		die(2, "no sizes in -s");
}

static void parse_cases(struct opts *o, char *list)
{
	char *tok, *save = NULL;
	unsigned int k;

	o->cases = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < NUM_CASES && strcmp(tok, case_names[k]); k++)
			;
		if (k == NUM_CASES)
			die(2, "unknown case '%s' (floor, raw, poll, adaptive, doorbell, irq)", tok);
		o->cases |= 1u << k;
	}
}

static void parse(struct opts *o, int argc, char **argv)
{
	char sizes[] = "8,64,512,4096,65536";
	int c;

	*o = (struct opts){ .cell_id = 1, .count = 2000, .irq_count = 500, .hist_size = 64,
			    .cpu = 0, .floor_cpu = 1, .cases = (1u << NUM_CASES) - 1 };
	parse_sizes(o, sizes);
	while ((c = getopt(argc, argv, "d:c:n:i:s:m:C:S:H:p:P:F:L:h")) != -1) {
		switch (c) {
		case 'd': o->dev = optarg; break;
		case 'c': o->cell_id = num("cell ID", optarg, 1, 255); break;
		case 'n': o->count = num("count", optarg, 1, 1000000); break;
		case 'i': o->irq_count = num("count", optarg, 1, 1000000); break;
		case 's': parse_sizes(o, optarg); break;
		case 'm': parse_cases(o, optarg); o->cases_given = 1; break;
		case 'C': o->csv = optarg; break;
		case 'S': o->samples = optarg; break;
		case 'H': o->hist_size = num("size", optarg, 1, BH_BENCH_MAX_MSG); break;
		case 'p': o->png = optarg; break;
		case 'P': o->cpu = (int)num("CPU", optarg, 0, 1023); break;
		case 'F': o->floor_cpu = (int)num("CPU", optarg, 0, 1023); break;
		case 'L':
			if (sscanf(optarg, "%u,%u", &o->link_from, &o->link_to) != 2)
				die(2, "-L wants FROM,TO: two peer IDs, not '%s'", optarg);
			o->link = 1;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc)
		die(2, "unexpected argument '%s'", argv[optind]);
	if (o->png && !o->samples)
		die(2, "-p needs -S FILE for the samples to draw");
	if (o->cpu == o->floor_cpu)
		die(2, "-P and -F name the same CPU: the floor needs two");
}

/* Linux may schedule us there: not in a cell, online, not excluded by taskset. */
static int cpu_is_ours(int cpu)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;	/* let pin() say what is wrong */
	return CPU_ISSET(cpu, &set);
}

/*
 * The floor needs a second root CPU. A machine with one (Bochs' two CPUs,
 * one of them the inmate's) still measures the cell cases: left out with
 * a note unless -m asked for it.
 */
static void check_floor_cpu(struct opts *o)
{
	if (!(o->cases & (1u << CASE_FLOOR)) || cpu_is_ours(o->floor_cpu))
		return;
	if (o->cases_given)
		die(2, "the floor's CPU %d is not Linux's (in a cell or offline): -F names another",
		    o->floor_cpu);
	fprintf(stderr, "bulkhead-bench: no floor: CPU %d is not Linux's (-F names another)\n",
		o->floor_cpu);
	o->cases &= ~(1u << CASE_FLOOR);
}

static void open_channel(struct bench *b)
{
	/* One zero-copy buffer: the ping line of the raw case. */
	struct cellmsg_config cfg = { .wait_mode = CELLMSG_WAIT_POLL, .buf_count = 1,
				      .buf_size = BH_BENCH_RAW_LINE };
	int err;

	if (cellmsg_uio_open(&b->dev, b->o.dev))
		die(2, "%s", b->dev.error);
	if (b->dev.own_id != IVSHMEM_ROOT_PEER_ID)
		die(2, "%s has ID %u: run this on the root cell's side", b->dev.path,
		    b->dev.own_id);
	cellmsg_uio_backend(&b->dev, IVSHMEM_INMATE_PEER_ID, IVSHMEM_VECTOR_CHANNEL, &b->be);
	cfg.entropy = (uint32_t)mono_ns();
	err = cellmsg_open(&b->ch, b->dev.shm, b->dev.shm_size, 0, &cfg, &b->be);
	if (err)
		die(2, "cellmsg_open on %s: %s", b->dev.path, strerror(-err));
	err = cellmsg_wait_connected(&b->ch, TIMEOUT_NS);
	if (err)
		die(3, "cellmsg-echo did not answer on %s: %s", b->dev.path, strerror(-err));
}

static void check_sizes(struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->o.num_sizes; i++)
		if (b->o.sizes[i] > cellmsg_max_msg(&b->ch))
			die(2, "size %u is above the channel's largest message (%u)",
			    b->o.sizes[i], cellmsg_max_msg(&b->ch));
}

static int has(const struct bench *b, enum case_kind k)
{
	return (b->o.cases >> k) & 1;
}

static void run_size(struct bench *b, unsigned int size)
{
	struct result *base = NULL, *r;

	if (has(b, CASE_FLOOR))
		print_result(base = run_floor(b), NULL);
	if (has(b, CASE_RAW)) {
		r = run_raw(b);
		r->ratio = base ? r->p50 / base->p50 : 0;
		print_result(r, base);
	}
	for (enum case_kind k = CASE_POLL; k <= CASE_ADAPTIVE; k++) {
		if (!has(b, k))
			continue;
		r = run_channel(b, k, size, b->o.count);
		r->ratio = base ? r->p50 / base->p50 : 0;
		print_result(r, base);
	}
	base = NULL;
	if (has(b, CASE_DOORBELL) && has(b, CASE_IRQ))
		print_result(base = run_doorbell(b), NULL);
	if (has(b, CASE_IRQ)) {
		r = run_channel(b, CASE_IRQ, size, b->o.irq_count);
		r->ratio = base ? r->p50 / base->p50 : 0;
		print_result(r, base);
	}
}

int main(int argc, char **argv)
{
	static struct bench b;
	unsigned int i, max_count;
	char name[64];

	parse(&b.o, argc, argv);
	b.sysfs = getenv("BULKHEAD_SYSFS") ?: BH_SYSFS_ROOT;
	if (b.o.link)
		return bench_link(b.o.dev, b.sysfs, b.o.link_from, b.o.link_to);
	max_count = b.o.count > b.o.irq_count ? b.o.count : b.o.irq_count;
	b.ns = calloc(max_count, sizeof(double));
	b.out = calloc(1, BH_BENCH_MAX_MSG);
	b.in = calloc(1, BH_BENCH_MAX_MSG);
	if (!b.ns || !b.out || !b.in)
		die(2, "out of memory");
	if (b.o.samples && !(b.samples = fopen(b.o.samples, "w")))
		die(2, "cannot write %s: %s", b.o.samples, strerror(errno));
	if (b.samples)
		fprintf(b.samples, "case,bytes,rtt_ns\n");

	check_floor_cpu(&b.o);
	pin(b.o.cpu);
	b.tsc_per_ns = calibrate_tsc();
	open_channel(&b);
	check_sizes(&b);
	printf("bulkhead-bench: root CPU %d <-> the echo in cell %u (\"%s\") on %s, %zu KiB shared, "
	       "TSC %.0f MHz\n", b.o.cpu, b.o.cell_id, cell_name(&b, name, sizeof(name)), b.dev.path,
	       b.dev.shm_size >> 10, b.tsc_per_ns * 1e3);
	print_header();
	for (i = 0; i < b.o.num_sizes; i++)
		run_size(&b, b.o.sizes[i]);

	set_mode(&b, CELLMSG_WAIT_ADAPTIVE, BH_BENCH_MODE_ADAPTIVE);
	cellmsg_close(&b.ch);
	cellmsg_uio_close(&b.dev);
	if (b.samples)
		fclose(b.samples);
	if (b.o.csv)
		write_csv(&b);
	if (b.o.png)
		draw_png(&b);
	return 0;
}
