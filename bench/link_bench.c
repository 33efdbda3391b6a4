// SPDX-License-Identifier: GPL-2.0-only
/*
 * bulkhead-bench -L FROM,TO: inmate<->inmate round trips on an ivshmem
 * link, measured inside the cells by link-echo (peer FROM with peer TO),
 * without root Linux in the path. Root Linux only starts each case with
 * a command in the link's common section, waits for it to finish and
 * reads the figures link-echo leaves there (include/bulkhead/bench_proto.h,
 * BH_LINK_*), and counts the cells' VM exits around it (all inmate
 * cells: the link's inmates are the ones running) and the time the
 * hypervisor spent handling them (BH_SYSFS_EXIT_CYCLES): what an exit
 * costs beyond that is the world switch, the CPU's or the emulator's.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <bulkhead/bench_proto.h>
#include <bulkhead/ivshmem.h>
#include <bulkhead/sysfs.h>
#include <cellmsg/uio.h>

#include "link_bench.h"

#define CASE_TIMEOUT_S	120

/*
 * The exits a case is about: MMIO for the round trips (doorbells, EOIs
 * in xAPIC mode), CPUID for the null exit. The two floor cases come
 * first: the doorbell's p50 reads against them.
 */
static const struct {
	uint32_t kind;
	const char *name;
	const char *exits;
} link_cases[] = {
	{ BH_LINK_KIND_NULL_EXIT, "null exit", "cpuid" },
	{ BH_LINK_KIND_MMIO_READ, "mmio read", "mmio" },
	{ BH_LINK_KIND_RAW, "raw 64 B", "mmio" },
	{ BH_LINK_KIND_POLL, "poll 8 B", "mmio" },
	{ BH_LINK_KIND_DOORBELL, "doorbell", "mmio" },
	{ BH_LINK_KIND_IRQ, "irq 8 B", "mmio" },
};

static unsigned long sysfs_hex(int uio, const char *attr)
{
	char path[128];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/uio/uio%d/maps/map%d/%s", uio,
		 IVSHMEM_UIO_MAP_COMMON, attr);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lx", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v;
}

/* The link's common section: command and result blocks. */
static volatile uint8_t *map_common(const struct cellmsg_uio *dev)
{
	unsigned long size = sysfs_hex(dev->index, "size"), off = sysfs_hex(dev->index, "offset");
	void *p;

	if (!size || off + BH_LINK_RESULT(IVSHMEM_MAX_PEERS) > size)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		 (off_t)IVSHMEM_UIO_MAP_COMMON * sysconf(_SC_PAGESIZE));
	return p == MAP_FAILED ? NULL : (volatile uint8_t *)p + off;
}

static volatile uint32_t *cmd_word(volatile uint8_t *common, unsigned int peer, unsigned int w)
{
	return (volatile uint32_t *)(common + BH_LINK_CMD_BLOCK(peer)) + w;
}

/* Statistics file @name summed over every inmate cell's CPUs (cells other than 0). */
static unsigned long long inmate_sum(const char *sysfs, const char *name)
{
	char pattern[256];
	unsigned long long sum = 0, v;
	unsigned int cell;
	glob_t g;
	size_t i;
	FILE *f;

	snprintf(pattern, sizeof(pattern), "%s/cells/*/statistics/cpu*/%s", sysfs, name);
	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		if (sscanf(g.gl_pathv[i] + strlen(sysfs), "/cells/%u/", &cell) != 1 || !cell)
			continue;
		f = fopen(g.gl_pathv[i], "r");
		if (f && fscanf(f, "%llu", &v) == 1)
			sum += v;
		if (f)
			fclose(f);
	}
	globfree(&g);
	return sum;
}

struct inmate_counts {
	unsigned long long reason, total, cycles;
};

/* @reason: the exits the case counts (a BH_EXIT_LIST name). */
static void inmate_counts(const char *sysfs, const char *reason, struct inmate_counts *c)
{
	char name[64];

	snprintf(name, sizeof(name), BH_SYSFS_EXITS_PREFIX "%s", reason);
	c->reason = inmate_sum(sysfs, name);
	c->total = inmate_sum(sysfs, BH_SYSFS_EXITS_PREFIX BH_SYSFS_EXITS_TOTAL);
	c->cycles = inmate_sum(sysfs, BH_SYSFS_EXIT_CYCLES);
}

/* TSC ticks per microsecond, against CLOCK_MONOTONIC over 20 ms. */
static double tsc_per_us(void)
{
	struct timespec a, b;
	unsigned long long t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	t1 = __rdtsc();
	return (double)(t1 - t0) / ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
}

/* One case: 0, or the exit status for bulkhead-bench. */
static int run_case(volatile uint8_t *common, const char *sysfs, unsigned int from,
		    unsigned int to, unsigned int c, double tsc_us)
{
	volatile struct bh_link_result *r =
		(volatile struct bh_link_result *)(common + BH_LINK_RESULT(from));
	uint32_t seq = (*cmd_word(common, from, BH_LINK_WORD_DONE) + 1) & 0xffff;
	struct inmate_counts before, after;
	time_t deadline = time(NULL) + CASE_TIMEOUT_S;
	double per, hv_us;

	seq = seq ? seq : 1;
	inmate_counts(sysfs, link_cases[c].exits, &before);
	*cmd_word(common, from, BH_LINK_WORD_CMD) = BH_LINK_CMD(seq, to, link_cases[c].kind);
	while (*cmd_word(common, from, BH_LINK_WORD_DONE) != seq) {
		if (time(NULL) > deadline) {
			fprintf(stderr, "bulkhead-bench: peer %u did not finish %s in %d s: is link-echo running there?\n",
				from, link_cases[c].name, CASE_TIMEOUT_S);
			return 3;
		}
		usleep(10000);
	}
	inmate_counts(sysfs, link_cases[c].exits, &after);
	if (r->seq != seq || r->kind != link_cases[c].kind || r->target != to) {
		fprintf(stderr, "bulkhead-bench: peer %u finished %s without its figures\n", from,
			link_cases[c].name);
		return 1;
	}
	per = r->round_trips ? (double)(after.reason - before.reason) / r->round_trips : 0;
	hv_us = after.total > before.total ?
		(double)(after.cycles - before.cycles) / (after.total - before.total) / tsc_us : 0;
	printf("%-10s %11u %9.2f %9.2f %9.2f %5u %12.2f %11.2f\n", link_cases[c].name,
	       r->round_trips, r->p50_ns / 1e3, r->p99_ns / 1e3, r->max_ns / 1e3, r->lost, per,
	       hv_us);
	return r->lost ? 1 : 0;
}

int bench_link(const char *dev_path, const char *sysfs, unsigned int from, unsigned int to)
{
	struct cellmsg_uio dev;
	volatile uint8_t *common;
	unsigned int c;
	int err, status = 0;
	double tsc_us;

	err = cellmsg_uio_open(&dev, dev_path);
	if (err) {
		fprintf(stderr, "bulkhead-bench: %s\n", dev.error);
		return 2;
	}
	if (!dev.output || from >= dev.num_peers || to >= dev.num_peers || from == to ||
	    from == dev.own_id || to == dev.own_id) {
		fprintf(stderr, "bulkhead-bench: -L %u,%u: %s is %s; FROM and TO must be two other peers of its link\n",
			from, to, dev.path, dev.output ? "a link device" : "no link device");
		return 2;
	}
	common = map_common(&dev);
	if (!common) {
		fprintf(stderr, "bulkhead-bench: %s: no common section for the command blocks\n",
			dev.path);
		return 2;
	}
	printf("bulkhead-bench: link on %s, peer %u <-> peer %u, inmate to inmate (measured in the cells; no root Linux in the path)\n",
	       dev.path, from, to);
	tsc_us = tsc_per_us();
	printf("%-10s %11s %9s %9s %9s %5s %12s %11s\n", "case", "round trips", "p50 us", "p99 us",
	       "max us", "lost", "exits/trip", "hv us/exit");
	for (c = 0; c < sizeof(link_cases) / sizeof(link_cases[0]) && status != 3; c++) {
		err = run_case(common, sysfs, from, to, c, tsc_us);
		status = status ? status : err;
	}
	cellmsg_uio_close(&dev);
	return status;
}
