/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The baseline of bench/cellmsg_icount.c: a minimal SPSC ring of 8-byte
 * slots, the least any shared-memory queue can do: one slot store and
 * one index store per send, one slot load and one index store per
 * receive, each side caching the other's index. In a header of its own
 * so that callgrind's line attribution tells its instructions from the
 * benchmark loop's (bench/icount.sh, LIB_SRC).
 */
#ifndef BENCH_SPSC_RING_H
#define BENCH_SPSC_RING_H

#include <errno.h>
#include <stdint.h>

#define SPSC_SLOTS	4096

static struct {
	_Alignas(64) uint32_t tail;		/* producer */
	_Alignas(64) uint32_t head;		/* consumer */
	_Alignas(64) uint64_t slot[SPSC_SLOTS];
} spsc;
static uint32_t spsc_tail, spsc_head_cache;	/* the producer's */
static uint32_t spsc_head, spsc_tail_cache;	/* the consumer's */

static inline int spsc_send(uint64_t v)
{
	if (spsc_tail - spsc_head_cache == SPSC_SLOTS) {
		spsc_head_cache = __atomic_load_n(&spsc.head, __ATOMIC_ACQUIRE);
		if (spsc_tail - spsc_head_cache == SPSC_SLOTS)
			return -EAGAIN;
	}
	spsc.slot[spsc_tail % SPSC_SLOTS] = v;
	__atomic_store_n(&spsc.tail, ++spsc_tail, __ATOMIC_RELEASE);
	return 0;
}

static inline int spsc_recv(uint64_t *v)
{
	if (spsc_head == spsc_tail_cache) {
		spsc_tail_cache = __atomic_load_n(&spsc.tail, __ATOMIC_ACQUIRE);
		if (spsc_head == spsc_tail_cache)
			return -EAGAIN;
	}
	*v = spsc.slot[spsc_head % SPSC_SLOTS];
	__atomic_store_n(&spsc.head, ++spsc_head, __ATOMIC_RELEASE);
	return 0;
}

#endif
