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

#define BH_BENCH_RAW_LINE		64	/* one cache line per side */
#define BH_BENCH_RAW_END		(~0ull)

#define BH_BENCH_FNV_OFFSET		0xcbf29ce484222325ull
#define BH_BENCH_FNV_PRIME		0x100000001b3ull

#endif /* BULKHEAD_BENCH_PROTO_H */
