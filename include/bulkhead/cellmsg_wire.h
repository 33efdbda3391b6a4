/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: libcellmsg's layout of an ivshmem shared region.
 *
 * libcellmsg/PROTOCOL.md explains the rules; this header is the one place
 * the layout is written down. Every field says which side writes it: the
 * region is cut in two halves and each side writes only its own.
 * Freestanding: usable from inmates, Linux user space and tests alike.
 */
#ifndef BULKHEAD_CELLMSG_WIRE_H
#define BULKHEAD_CELLMSG_WIRE_H

#include <stdint.h>

#define CELLMSG_MAGIC			0x47534d43u	/* "CMSG" */
#define CELLMSG_VERSION			2u

#define CELLMSG_CACHELINE		64u
#define CELLMSG_MAX_BUFS		64u
#define CELLMSG_REC_ALIGN		8u
#define CELLMSG_MIN_RING		4096u
#define CELLMSG_MIN_REGION		8192u

/* Side states (cellmsg_ident.state). */
#define CELLMSG_STATE_RESET		0u	/* being (re)initialised */
#define CELLMSG_STATE_READY		1u	/* serving the channel */
#define CELLMSG_STATE_CLOSED		2u	/* left for good */

/* Record types (bits 24-31 of cellmsg_rec_hdr.word). */
#define CELLMSG_REC_MSG			1u	/* inline payload */
#define CELLMSG_REC_BUF			2u	/* struct cellmsg_buf_desc */
#define CELLMSG_REC_PAD			3u	/* skip to the end of the ring */

#define CELLMSG_REC_LEN_MASK		0x00ffffffu
#define CELLMSG_REC_TYPE_SHIFT		24

/* Identity line: written by the owner at open, before state = READY. */
struct cellmsg_ident {
	uint32_t magic;
	uint32_t version;
	uint32_t half_size;		/* bytes in each half */
	uint32_t ring_offset;		/* from the start of the half */
	uint32_t ring_size;		/* power of two */
	uint32_t buf_offset;		/* from the start of the half */
	uint32_t buf_size;		/* bytes per buffer, multiple of 64 */
	uint32_t buf_count;		/* <= CELLMSG_MAX_BUFS */
	uint32_t epoch;			/* incarnation, never 0 */
	uint32_t state;			/* CELLMSG_STATE_*; release-stored; with
					   epoch one aligned 8-byte word, so
					   the peer checks both with one load */
	uint32_t reserved[6];
};

/* Producer line: the owner's outbound ring, for peer incarnation prod_for. */
struct cellmsg_prod {
	uint32_t prod_for;		/* peer epoch base/base_seq are for */
	uint32_t base;			/* ring position the peer starts at */
	uint32_t base_seq;		/* sequence of the record at base */
	uint32_t reserved[13];
};

/* Consumer line: the owner's position in the peer's ring. */
struct cellmsg_cons {
	uint32_t cons_for;		/* peer epoch head is valid for */
	uint32_t head;			/* next byte to read; release-stored */
	uint32_t reserved[14];
};

/*
 * Wake-up line. want_*: set by the owner before it sleeps. sleep_mode:
 * by the owner at open and whenever its wait mode changes between polling
 * and sleeping. mode_seen: by the owner when it has seen the peer's
 * sleep_mode change (and in its handshake for each peer incarnation).
 */
struct cellmsg_wake {
	uint32_t want_data;		/* ring me when you send */
	uint32_t want_space;		/* ring me when you consume */
	uint32_t sleep_mode;		/* bit 0: 1 = I may sleep, 0 = I never
					   do (no fence needed for me); bits
					   1-31 count the changes */
	uint32_t mode_seen;		/* the peer's sleep_mode as I last saw
					   it; release-stored */
	uint32_t reserved[12];
};

#define CELLMSG_MODE_SLEEPS		1u	/* bit 0 of sleep_mode */
#define CELLMSG_MODE_STEP		2u	/* sleep_mode += this per change */

/* The start of each half. */
struct cellmsg_half {
	struct cellmsg_ident ident;
	struct cellmsg_prod prod;
	struct cellmsg_cons cons;
	struct cellmsg_wake wake;
	/* Generation the owner last released, per buffer of the *peer*. */
	uint32_t released[CELLMSG_MAX_BUFS];
};

/* Header of every record in a ring, 8-byte aligned. */
struct cellmsg_rec_hdr {
	uint32_t seq;			/* release-stored last */
	uint32_t word;			/* length | type << 24 */
};

/* Payload of a CELLMSG_REC_BUF record. */
struct cellmsg_buf_desc {
	uint32_t index;
	uint32_t len;
	uint32_t gen;
};

#define CELLMSG_HALF_HDR_SIZE		0x200u	/* rings start here or later */

_Static_assert(sizeof(struct cellmsg_ident) == CELLMSG_CACHELINE, "ident line");
_Static_assert(sizeof(struct cellmsg_prod) == CELLMSG_CACHELINE, "prod line");
_Static_assert(sizeof(struct cellmsg_cons) == CELLMSG_CACHELINE, "cons line");
_Static_assert(sizeof(struct cellmsg_wake) == CELLMSG_CACHELINE, "wake line");
_Static_assert(__builtin_offsetof(struct cellmsg_half, prod) == 0x40, "prod at 0x40");
_Static_assert(__builtin_offsetof(struct cellmsg_half, cons) == 0x80, "cons at 0x80");
_Static_assert(__builtin_offsetof(struct cellmsg_half, wake) == 0xc0, "wake at 0xc0");
_Static_assert(__builtin_offsetof(struct cellmsg_half, released) == 0x100, "released at 0x100");
_Static_assert(sizeof(struct cellmsg_half) <= CELLMSG_HALF_HDR_SIZE, "header fits");
_Static_assert(__builtin_offsetof(struct cellmsg_ident, epoch) == 0x20 &&
	       __builtin_offsetof(struct cellmsg_ident, state) == 0x24,
	       "epoch and state: one aligned 8-byte word");
_Static_assert(__builtin_offsetof(struct cellmsg_wake, sleep_mode) == 0x08 &&
	       __builtin_offsetof(struct cellmsg_wake, mode_seen) == 0x0c, "mode words");
_Static_assert(sizeof(struct cellmsg_rec_hdr) == CELLMSG_REC_ALIGN, "record header");
_Static_assert(sizeof(struct cellmsg_buf_desc) == 12, "buffer descriptor");

#endif /* BULKHEAD_CELLMSG_WIRE_H */
