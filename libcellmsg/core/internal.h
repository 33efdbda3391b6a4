/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What libcellmsg's two protocol files (cellmsg.c: channels, pubsub.c:
 * publish/subscribe) share: the ordering helpers and small arithmetic.
 * Private to libcellmsg/core.
 */
#ifndef CELLMSG_CORE_INTERNAL_H
#define CELLMSG_CORE_INTERNAL_H

#include <stdint.h>

#include <cellmsg/cellmsg.h>

/*
 * Ordering helpers. Every release store names the acquire load it pairs
 * with at its call site.
 */
#define LOAD(p)			__atomic_load_n((p), __ATOMIC_RELAXED)
#define LOAD_ACQ(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define STORE_REL(p, v)		__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/*
 * A store-load barrier. On x86 a locked read-modify-write of a stack word
 * orders the same way as MFENCE for ordinary memory and costs less on
 * current cores (Linux's smp_mb() made the same choice); the word is
 * rewritten with its own value.
 */
#define FULL_FENCE()	__cellmsg_full_fence()

#define CELLMSG_MAX_RING	(1u << 25)	/* 32 MiB */
#define NO_DEADLINE		UINT64_MAX

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("pause" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static inline int is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* Spreads entropy over the word (fresh epochs). */
static inline uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

#endif /* CELLMSG_CORE_INTERNAL_H */
