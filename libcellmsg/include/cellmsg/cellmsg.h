/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg: message passing and zero-copy buffers over one shared region.
 *
 * The same API on both sides of a channel: root-cell Linux (uio backend),
 * an inmate (inmate backend), or two host processes (host backend). The
 * core is freestanding: no libc, no allocation; the caller owns the
 * struct cellmsg_chan. Every function returns 0 or a positive count on
 * success and a negative errno value on failure; errno is never set.
 * Errors with a meaning of their own:
 *   -EAGAIN      nothing to receive / no room, and the call does not wait
 *   -ETIMEDOUT   a waiting call ran out of time
 *   -ENOTCONN    the peer is not (yet) there
 *   -ECONNRESET  the peer restarted or left; reported once, then the channel
 *                synchronises with the new peer; no stale message survives
 *   -EPROTO      the peer's half of the region is corrupt (or the peer wrote
 *                ours); reported once, then the channel waits, as for
 *                -ENOTCONN, for a new incarnation of the peer
 *   -EMSGSIZE    the message can never fit the ring (max: cellmsg_max_msg())
 *   -ENOBUFS     the receive buffer is smaller than the next message (it
 *                stays queued)
 *   -EBUSY       a message claimed with cellmsg_send_begin() is not
 *                committed yet
 * Timeouts are in nanoseconds: 0 = do not wait, CELLMSG_FOREVER = no limit.
 * libcellmsg/API.md documents every function, libcellmsg/PROTOCOL.md the
 * wire protocol.
 */
#ifndef CELLMSG_CELLMSG_H
#define CELLMSG_CELLMSG_H

#include <stddef.h>
#include <stdint.h>

#include <bulkhead/cellmsg_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CELLMSG_FOREVER		(-1LL)

/* How a waiting call waits. */
enum cellmsg_wait_mode {
	CELLMSG_WAIT_ADAPTIVE = 0,	/* spin for spin_ns, then sleep (default) */
	CELLMSG_WAIT_POLL,		/* spin only; the peer never rings us */
	CELLMSG_WAIT_BLOCK,		/* sleep on the doorbell at once */
};

/* What a backend does for the core: doorbells, sleeping, time. */
struct cellmsg_backend {
	/* Ring the peer's doorbell. */
	int (*notify)(void *ctx);
	/*
	 * Sleep until a doorbell arrives or @timeout_ns passes (<0: forever).
	 * Returns 0 (woken; may be spurious), -ETIMEDOUT, -EINTR, or
	 * -ENODEV when there is nothing to wait on any more (the device is
	 * gone); the channel call then returns -EINTR or -ENODEV. Other
	 * errors count as a wake-up.
	 */
	int (*wait)(void *ctx, int64_t timeout_ns);
	/* A monotonic clock in nanoseconds. */
	uint64_t (*now_ns)(void *ctx);
	/*
	 * Optional, for event loops (cellmsg/loop.h): the file descriptor that
	 * becomes readable when a doorbell arrives (-1 if there is none), and
	 * how to consume the doorbells it shows without blocking.
	 */
	int (*event_fd)(void *ctx);
	int (*event_ack)(void *ctx);
	void *ctx;
};

/* Channel geometry and behaviour; zero means default everywhere. */
struct cellmsg_config {
	uint32_t ring_size;	/* outbound ring bytes, power of two, at most
				   32 MiB; default: the largest that fits the
				   half after its header and the buffers */
	uint32_t buf_count;	/* zero-copy buffers, <= 64 (default 0) */
	uint32_t buf_size;	/* bytes per buffer, multiple of 64 */
	enum cellmsg_wait_mode wait_mode;
	uint64_t spin_ns;	/* adaptive: spin this long first (default 20 us) */
	uint32_t entropy;	/* mixed into a fresh epoch (time, TSC, pid) */
	uint32_t initial_pos;	/* first ring position (tests start near
				   UINT32_MAX to cover index wrap-around) */
};

/* Peer states reported by cellmsg_peer_state(). */
enum cellmsg_peer_state {
	CELLMSG_PEER_ABSENT = 0,	/* nothing valid in the peer's half */
	CELLMSG_PEER_CONNECTING,	/* peer ready, handshake not finished */
	CELLMSG_PEER_CONNECTED,
	CELLMSG_PEER_CLOSED,		/* the peer closed its side */
	CELLMSG_PEER_BROKEN,		/* the peer there broke the protocol
					   (-EPROTO); waiting for it to go */
};

/* A zero-copy buffer claimed for sending. */
struct cellmsg_txbuf {
	void *data;
	uint32_t cap;
	uint32_t index;
};

/* A received message viewed in place (see cellmsg_recv_zc()). */
struct cellmsg_rx {
	const void *data;	/* in the peer's half: the peer can still write it */
	uint32_t len;
	uint32_t is_buf;	/* 1: a zero-copy buffer, 0: inline in the ring */
	uint32_t index;		/* buffer index when is_buf */
	uint32_t gen;		/* buffer generation when is_buf */
	uint32_t rec_len;	/* bytes of ring the record takes (internal) */
};

/* One message of cellmsg_send_batch(). */
struct cellmsg_msg {
	const void *data;
	uint32_t len;
};

/* One buffer of cellmsg_recv_batch(): @cap bytes at @data; @len is set. */
struct cellmsg_rxbuf {
	void *data;
	uint32_t cap;
	uint32_t len;		/* out: the message's length */
};

/* The channel. Treat the members as private. */
struct cellmsg_chan {
	struct cellmsg_half *own;		/* our half: we write it */
	const volatile struct cellmsg_half *peer; /* the peer's half */
	uint32_t half_size;
	uint32_t side;
	uint32_t epoch;				/* ours */
	uint32_t peer_epoch;			/* the one we are connected to */
	uint64_t fast_ident;			/* while connected with nothing
						   to report: its epoch and state
						   READY as one word, else 0 */
	const volatile void *fast_ident_at;	/* the peer's epoch and state
						   while fast_ident is set, else
						   a word that is never 0 */
	int connected;
	int error;				/* -EPROTO: peer_epoch broke the
						   protocol; wait for it to go */
	int pending;				/* -ECONNRESET or -EPROTO to
						   report once */
	uint32_t own_mode;			/* our wake.sleep_mode */
	uint32_t peer_mode;			/* the peer's, as we last saw it */
	uint64_t peer_quiet;			/* peer_mode while it says it
						   never sleeps, else a value no
						   32-bit mode equals */

	/* Our outbound ring. */
	uint8_t *tx_ring;
	uint32_t tx_size;
	uint32_t tx_max;			/* largest payload */
	uint32_t tx_fits;			/* payloads below this fit: tx_max + 1,
						   but 0 while a claim of
						   cellmsg_send_begin() is open, so
						   no other send writes over it */
	uint32_t tx_claim;			/* the open claim's length + 1, or 0 */
	uint32_t tx_credit;			/* at most the bytes a record may
						   take at tx_pos without padding,
						   the cleared header after it
						   left free (a lower bound) */
	int tx_claim_lost;			/* a peer reset dropped the claim */
	uint32_t tx_pos;			/* next byte to write */
	uint32_t tx_seq;			/* sequence of the next record */
	uint32_t tx_head;			/* cached peer consumer position */
	uint32_t tx_clear;			/* every header slot from tx_pos up
						   to here holds a seq older than
						   any record to come there (fast.h,
						   __cellmsg_tx_clear_ahead()) */

	/* The peer's ring, geometry validated once per connection. */
	const uint8_t *rx_ring;
	uint32_t rx_size;
	uint32_t rx_max;			/* largest valid payload */
	uint32_t rx_lazy;			/* publish head after this much */
	uint32_t rx_pos;
	uint32_t rx_published;			/* head the peer has seen */
	uint32_t rx_seq;

	/* Our zero-copy buffers and the peer's. */
	uint8_t *tx_bufs;
	uint32_t tx_buf_size;
	uint32_t tx_buf_count;
	uint64_t tx_buf_claimed;		/* bit per buffer we hold */
	uint32_t tx_buf_gen[CELLMSG_MAX_BUFS];	/* last generation submitted */
	const uint8_t *rx_bufs;
	uint32_t rx_buf_size;
	uint32_t rx_buf_count;

	enum cellmsg_wait_mode wait_mode;
	uint64_t spin_ns;
	struct cellmsg_backend be;

	/* Counters for benchmarks and tests. */
	uint64_t doorbells_sent;
	uint64_t sleeps;
};

/*
 * Opens our side (@side 0 or 1) of a channel on @region of @size bytes,
 * shared with the peer. Initialises our half (the peer's is only read),
 * announces us to the peer and starts the handshake; it completes in any
 * later call, or wait for it with cellmsg_wait_connected().
 */
int cellmsg_open(struct cellmsg_chan *ch, void *region, size_t size,
		 unsigned int side, const struct cellmsg_config *cfg,
		 const struct cellmsg_backend *be);

/*
 * Opens our side of a channel whose halves are two separate areas of
 * @half_size bytes: @own, which only we write, and @peer, which only the
 * peer writes and we only read (it may be mapped read-only). On an
 * ivshmem link they are slots of the two peers' output sections
 * (cellmsg_link_halves()); cellmsg_open() is this on the two halves of
 * one region. Same errors as cellmsg_open(); the areas must not overlap.
 */
int cellmsg_open_halves(struct cellmsg_chan *ch, void *own, const void *peer,
			size_t half_size, const struct cellmsg_config *cfg,
			const struct cellmsg_backend *be);

/* Peers of an ivshmem link at most (include/bulkhead/ivshmem.h agrees). */
#define CELLMSG_LINK_MAX_PEERS	16u

/*
 * The halves of the channel between peers @own_id and @peer_id of an
 * ivshmem link of @num_peers (2..16) whose output sections are
 * @section_size bytes each: every section is cut into @num_peers slots of
 * equal size (cache-line multiples), slot j of peer i's section being
 * i's half of the channel with j, so each pair of peers has a channel of
 * its own and every peer writes its own section only. Fills *@own_half
 * (in @own_section) and *@peer_half (in @peer_section); returns the slot
 * size, the halves' size for cellmsg_open_halves(), or 0 if the IDs are
 * wrong or a slot would be too small (below CELLMSG_MIN_REGION, 8 KiB:
 * a half's header lines and a 4 KiB ring).
 */
size_t cellmsg_link_halves(void *own_section, const void *peer_section, size_t section_size,
			   unsigned int num_peers, unsigned int own_id, unsigned int peer_id,
			   void **own_half, const void **peer_half);

/* Marks our side closed and rings the peer. The region stays mapped. */
void cellmsg_close(struct cellmsg_chan *ch);

/* Changes how waiting calls wait (see enum cellmsg_wait_mode). */
void cellmsg_set_wait_mode(struct cellmsg_chan *ch,
			   enum cellmsg_wait_mode mode, uint64_t spin_ns);

/* Where the peer stands; also advances the handshake. */
enum cellmsg_peer_state cellmsg_peer_state(struct cellmsg_chan *ch);

/*
 * Waits until connected: 0, -ENOTCONN (timeout 0), -ETIMEDOUT, -EPROTO
 * (once), -ECONNRESET (once), -EINTR (from the backend's wait).
 */
int cellmsg_wait_connected(struct cellmsg_chan *ch, int64_t timeout_ns);

/* Largest message the peer-bound ring can carry. */
uint32_t cellmsg_max_msg(const struct cellmsg_chan *ch);

/*
 * cellmsg_send(), cellmsg_recv(), cellmsg_recv_zc(), cellmsg_recv_done(),
 * cellmsg_send_begin(), cellmsg_send_commit(), cellmsg_buf_claim() and
 * cellmsg_buf_submit() are inline, below: the common case (connected,
 * room, a message there) costs a few dozen instructions and no call; all
 * else goes to the out-of-line __cellmsg_*() that does the whole job.
 */

/*
 * Sends @count messages (or as many as fit, in order) with one doorbell
 * decision. Returns how many were sent (waiting, as cellmsg_send(), until
 * the first fits), or an error.
 */
int cellmsg_send_batch(struct cellmsg_chan *ch, const struct cellmsg_msg *msgs,
		       unsigned int count, int64_t timeout_ns);

/*
 * Receives up to @count messages, copying each into its buffer (setting
 * its len), with one publication of our position. Returns how many
 * (waiting, as cellmsg_recv(), for the first), or an error.
 */
int cellmsg_recv_batch(struct cellmsg_chan *ch, struct cellmsg_rxbuf *bufs,
		       unsigned int count, int64_t timeout_ns);

/*
 * For event loops that sleep outside the library. Returns 1 when a receive
 * call would not wait (a message, a reset or an error is there). Otherwise
 * asks the peer to ring our doorbell on its next send and returns 0: sleep
 * on the backend's event fd, then receive with timeout 0 until -EAGAIN.
 * cellmsg_rx_disarm() withdraws the request; a receive call that slept
 * withdraws it too on its way out.
 */
int cellmsg_rx_arm(struct cellmsg_chan *ch);
void cellmsg_rx_disarm(struct cellmsg_chan *ch);

/*
 * Zero-copy through the ring (inline, below): cellmsg_send_begin() claims
 * room for a message of up to @len bytes at our position in the ring and
 * points *@data at it (waiting for room as cellmsg_send() does);
 * write the message there and publish it with cellmsg_send_commit(@len),
 * which may be shorter than claimed. Until then no other message can be
 * sent on the channel (-EBUSY). cellmsg_send_commit() returns 0, -EINVAL
 * (no claim open, or @len longer than claimed: the claim stays), or
 * -ECONNRESET when the connection the claim was made for ended.
 * The receiver sees an ordinary message (cellmsg_recv_zc() views it in
 * place). cellmsg_send_cancel() gives up the claim, nothing sent.
 */
void cellmsg_send_cancel(struct cellmsg_chan *ch);

/*
 * Claims a free zero-copy buffer: 0, -EAGAIN when all are in flight (or
 * the channel has none), -EINVAL without @tb.
 */
/* (inline, below) */

/* Gives a claimed buffer back unsent. */
void cellmsg_buf_cancel(struct cellmsg_chan *ch, struct cellmsg_txbuf *tb);

/* The whole job of the calls below; the inline versions try first. */
int __cellmsg_send(struct cellmsg_chan *ch, const void *msg, uint32_t len,
		   int64_t timeout_ns);
int __cellmsg_recv(struct cellmsg_chan *ch, void *buf, uint32_t cap,
		   int64_t timeout_ns);
int __cellmsg_recv_zc(struct cellmsg_chan *ch, struct cellmsg_rx *rx,
		      int64_t timeout_ns);
int __cellmsg_recv_done(struct cellmsg_chan *ch, const struct cellmsg_rx *rx);
int __cellmsg_buf_claim(struct cellmsg_chan *ch, struct cellmsg_txbuf *tb);
int __cellmsg_send_begin(struct cellmsg_chan *ch, uint32_t len, void **data,
			 int64_t timeout_ns);
int __cellmsg_send_commit(struct cellmsg_chan *ch, uint32_t len);
int __cellmsg_buf_submit(struct cellmsg_chan *ch, struct cellmsg_txbuf *tb,
			 uint32_t len, int64_t timeout_ns);
void __cellmsg_notify(struct cellmsg_chan *ch);
void __cellmsg_mode_seen(struct cellmsg_chan *ch, uint32_t mode);
void __cellmsg_tx_clear_more(struct cellmsg_chan *ch);

#include <cellmsg/fast.h>

#ifdef __cplusplus
}
#endif

#endif /* CELLMSG_CELLMSG_H */
