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
#define CELLMSG_VERSION			3u

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

/*
 * Publish/subscribe on an ivshmem link (libcellmsg/PROTOCOL.md section 8).
 * Peer i's pub/sub area is slot i of its own output section (the slot no
 * pairwise channel uses): the lines of its subscriptions, one per
 * producer peer, then its own topic, written only by peer i and read by
 * every other peer. Records in the topic's ring are those of section 2.
 */
#define CELLMSG_PS_MAGIC		0x53504d43u	/* "CMPS" */
#define CELLMSG_PS_VERSION		1u
#define CELLMSG_PS_PEERS		16u	/* subscription lines per area */
#define CELLMSG_PS_RING_OFFSET		0x1000u	/* the topic's ring, in the area */
#define CELLMSG_PS_SPARE_LINE		0xfc0u	/* a line no pub/sub field uses: the
						   owner's to keep (link-echo's raw
						   line) */

/* Topic policies (cellmsg_ps_topic.policy). */
#define CELLMSG_PS_WAIT			0u	/* wait for the slowest subscriber */
#define CELLMSG_PS_DROP			1u	/* never wait: a subscriber that
						   falls a ring behind loses */

/*
 * Subscription line: written by the subscriber, one per producer peer
 * (line p of the subscriber's area: its subscription to p's topic).
 */
struct cellmsg_ps_sub {
	uint32_t magic;			/* CELLMSG_PS_MAGIC once opened */
	uint32_t state;			/* CELLMSG_STATE_*; READY release-stored
					   after sub_for and head */
	uint32_t sub_for;		/* producer epoch head is for */
	uint32_t head;			/* next byte to read in the producer's
					   ring; release-stored after reading */
	uint32_t want_data;		/* ring me when you publish */
	uint32_t reserved[11];
};

/* Topic header: written by the producer. */
struct cellmsg_ps_topic {
	/* identity line: at open, before state = READY */
	uint32_t magic;
	uint32_t version;
	uint32_t ring_offset;		/* from the start of the area */
	uint32_t ring_size;		/* power of two */
	uint32_t policy;		/* CELLMSG_PS_WAIT or CELLMSG_PS_DROP */
	uint32_t reserved0[3];
	uint32_t epoch;			/* incarnation, never 0 */
	uint32_t state;			/* with epoch one aligned 8-byte word */
	uint32_t reserved1[6];
	/*
	 * Producer line. tail: the next record's position (bits 31:0) and
	 * sequence (63:32), one word release-stored after each send, where
	 * a subscriber starts. reclaim: a record starting before it may be
	 * overwritten; stored before any byte of such a record is.
	 */
	uint64_t tail;
	uint32_t reclaim;
	uint32_t reserved2[13];
	/* Wake-up line: set before the producer sleeps for room (WAIT). */
	uint32_t want_space;
	uint32_t reserved3[15];
};

struct cellmsg_ps_area {
	struct cellmsg_ps_sub subs[CELLMSG_PS_PEERS];
	struct cellmsg_ps_topic topic;
};

_Static_assert(sizeof(struct cellmsg_ps_sub) == CELLMSG_CACHELINE, "subscription line");
_Static_assert(__builtin_offsetof(struct cellmsg_ps_topic, epoch) == 0x20 &&
	       __builtin_offsetof(struct cellmsg_ps_topic, state) == 0x24,
	       "topic epoch and state: one aligned 8-byte word");
_Static_assert(__builtin_offsetof(struct cellmsg_ps_topic, tail) == 0x40, "producer line");
_Static_assert(__builtin_offsetof(struct cellmsg_ps_topic, want_space) == 0x80, "topic wake line");
_Static_assert(__builtin_offsetof(struct cellmsg_ps_area, topic) == 0x400, "topic at 0x400");
_Static_assert(sizeof(struct cellmsg_ps_area) <= CELLMSG_PS_SPARE_LINE &&
	       CELLMSG_PS_SPARE_LINE + CELLMSG_CACHELINE <= CELLMSG_PS_RING_OFFSET,
	       "area header, then the spare line, then the ring");

#endif /* BULKHEAD_CELLMSG_WIRE_H */
