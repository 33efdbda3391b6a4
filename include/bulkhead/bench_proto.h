/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What cellmsg-echo (inmates/demos/x86) and the root-cell programs that
 * talk to it (bench/bulkhead_bench.c, tests/system/guest/cellmsg-xfer.c)
 * agree on, over a libcellmsg channel on the cell's first ivshmem device:
 *
 * - Every message of at most BH_BENCH_MAX_MSG bytes is sent back unchanged.
 * - A message of exactly BH_BENCH_MODE_LEN bytes, BH_BENCH_MODE_MAGIC and
 *   a mode letter, switches the echo's wait mode and is echoed too:
 *   BH_BENCH_MODE_POLL, _BLOCK, _ADAPTIVE; BH_BENCH_MODE_RAW starts the
 *   raw ping-pong: the app passes one zero-copy buffer of
 *   BH_BENCH_RAW_LINE bytes (its ping line), the echo passes one back
 *   (its pong line) and copies each new 64-bit ping value into it until
 *   the app writes BH_BENCH_RAW_END.
 * - An empty message ends a stream; the echo prints the stream's FNV-1a
 *   checksum (BH_BENCH_FNV_OFFSET, BH_BENCH_FNV_PRIME).
 * - MSI-X vector IVSHMEM_VECTOR_ECHO rung at the echo comes straight back
 *   (the bare doorbell, without libcellmsg).
 */
#ifndef BULKHEAD_BENCH_PROTO_H
#define BULKHEAD_BENCH_PROTO_H

#include <stdint.h>

/* The echo's receive buffer, in the cell's 1 MiB of RAM. */
#define BH_BENCH_MAX_MSG		(128 * 1024)

#define BH_BENCH_MODE_MAGIC		"BH-MODE"
#define BH_BENCH_MODE_LEN		8	/* the magic and one letter */
#define BH_BENCH_MODE_POLL		'p'
#define BH_BENCH_MODE_BLOCK		'b'
#define BH_BENCH_MODE_ADAPTIVE		'a'
#define BH_BENCH_MODE_RAW		'r'
_Static_assert(sizeof(BH_BENCH_MODE_MAGIC) == BH_BENCH_MODE_LEN,
	       "the magic and the letter make a mode message");

/*
 * The mode letter of message @msg (@len bytes) if it is a mode message
 * (BH_BENCH_MODE_LEN bytes, the magic, one of the letters above), else 0.
 */
static inline char bh_bench_mode_of(const uint8_t *msg, uint32_t len)
{
	uint8_t m = len == BH_BENCH_MODE_LEN ? msg[BH_BENCH_MODE_LEN - 1] : 0;
	uint32_t i;

	if (m != BH_BENCH_MODE_POLL && m != BH_BENCH_MODE_BLOCK &&
	    m != BH_BENCH_MODE_ADAPTIVE && m != BH_BENCH_MODE_RAW)
		return 0;
	for (i = 0; i < BH_BENCH_MODE_LEN - 1; i++)
		if (msg[i] != (uint8_t)BH_BENCH_MODE_MAGIC[i])
			return 0;
	return (char)m;
}

#define BH_BENCH_RAW_LINE		64	/* one cache line per side */
#define BH_BENCH_RAW_END		(~0ull)

#define BH_BENCH_FNV_OFFSET		0xcbf29ce484222325ull
#define BH_BENCH_FNV_PRIME		0x100000001b3ull

/* The stream checksum (FNV-1a) carried on over @len bytes at @p. */
static inline uint64_t bh_bench_fnv(uint64_t h, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * BH_BENCH_FNV_PRIME;
	return h;
}

/*
 * link-echo (inmates/demos/x86/link-echo.c) on an ivshmem link and the
 * programs that drive it (bulkhead-bench -L, the link- scenarios), in the
 * link's common section. Peer P's command block, 16 bytes at
 * BH_LINK_CMD_BLOCK(P): word BH_LINK_WORD_CMD a command anyone writes
 * (BH_LINK_CMD(): a new seq starts it), BH_LINK_WORD_DONE the seq of the
 * last command P finished (written by P), BH_LINK_WORD_BOUNCE 1 + the
 * peer whose bare doorbells P answers from its interrupt handler, and
 * BH_LINK_WORD_MIRROR 1 + the peer whose raw line P copies (both written
 * by the peer that measures). After a benchmark P writes its figures at
 * BH_LINK_RESULT(P), then BH_LINK_WORD_DONE.
 */
#define BH_LINK_CMD(seq, target, kind)	\
	((uint32_t)(seq) << 16 | (uint32_t)(target) << 8 | (uint32_t)(kind))
#define BH_LINK_CMD_SEQ(cmd)		((cmd) >> 16)
#define BH_LINK_CMD_TARGET(cmd)		(((cmd) >> 8) & 0xff)
#define BH_LINK_CMD_KIND(cmd)		((cmd) & 0xff)
#define BH_LINK_CMD_BLOCK(peer)		(16u * (peer))
#define BH_LINK_WORD_CMD		0
#define BH_LINK_WORD_DONE		1
#define BH_LINK_WORD_BOUNCE		2
#define BH_LINK_WORD_MIRROR		3
/* Round trips with the target peer, measured by P: */
#define BH_LINK_KIND_POLL		1	/* 8-byte libcellmsg messages, polled */
#define BH_LINK_KIND_DOORBELL		2	/* the bare doorbell, both ways */
#define BH_LINK_KIND_IRQ		3	/* libcellmsg, P sleeping in hlt */
#define BH_LINK_KIND_RAW		4	/* a raw cache line: the floor */
/* Other roles: */
#define BH_LINK_KIND_PUBLISH		5	/* target: subscribers to wait for */
#define BH_LINK_KIND_SUBSCRIBE		6	/* target: the producer */
#define BH_LINK_KIND_STREAM		7	/* checked stream to target, echoed */
/*
 * The emulator's (or the CPU's) cost of one exit, measured by P alone in
 * the same run as the round trips above (target unused): what a round
 * trip of N exits cannot go below.
 */
#define BH_LINK_KIND_NULL_EXIT		8	/* CPUID leaf 0: always exits */
#define BH_LINK_KIND_MMIO_READ		9	/* a BAR0 register read, emulated */

/* P's figures of its last benchmark. */
struct bh_link_result {
	uint32_t seq, kind, target;
	uint32_t round_trips, lost;
	uint32_t p50_ns, p99_ns, max_ns;
};

#define BH_LINK_RESULT(peer)		(0x100u + 32u * (peer))
_Static_assert(sizeof(struct bh_link_result) == 32, "a result per 32 bytes");
_Static_assert(BH_LINK_CMD_BLOCK(16) <= BH_LINK_RESULT(0), "command blocks before results");

#endif /* BULKHEAD_BENCH_PROTO_H */
