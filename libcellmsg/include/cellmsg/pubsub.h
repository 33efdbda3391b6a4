/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg publish/subscribe on an ivshmem link (PROTOCOL.md section 8):
 * one producer peer, up to 15 subscriber peers, each subscriber's read
 * position in its own output section. The producer either waits for the
 * slowest subscriber (CELLMSG_PS_WAIT: nobody loses a message) or never
 * waits (CELLMSG_PS_DROP: a subscriber a whole ring behind loses what was
 * overwritten and is told so). A subscriber that comes late starts at the
 * next message. Both sides run in Linux (uio backend) and in inmates.
 *
 *	struct cellmsg_pub pub;			(on peer 0)
 *	cellmsg_pub_open(&pub, area[0], size, 0, peers, CELLMSG_PS_WAIT, 0, &be);
 *	for (i = 1; i < peers; i++)
 *		cellmsg_pub_peer(&pub, i, area[i]);
 *	cellmsg_pub_send(&pub, msg, len, CELLMSG_FOREVER);
 *
 *	struct cellmsg_sub sub;			(on peer 2)
 *	cellmsg_sub_open(&sub, area[2], area[0], size, 2, 0, &be);
 *	n = cellmsg_sub_recv(&sub, buf, sizeof(buf), CELLMSG_FOREVER);
 *
 * area[i] is peer i's pub/sub area (cellmsg_link_ps_area()): one's own
 * writable, the others' read-only. Freestanding, like the core.
 */
#ifndef CELLMSG_PUBSUB_H
#define CELLMSG_PUBSUB_H

#include <stddef.h>
#include <stdint.h>

#include <bulkhead/ivshmem.h>
#include <cellmsg/cellmsg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the backend does for pub/sub: doorbells to any peer of the link. */
struct cellmsg_ps_backend {
	int (*notify)(void *ctx, unsigned int peer);
	/* As struct cellmsg_backend's wait and now_ns. */
	int (*wait)(void *ctx, int64_t timeout_ns);
	uint64_t (*now_ns)(void *ctx);
	/*
	 * Optional: 0 once @peer is gone (its cell stopped, its app
	 * exited: the link's state table). A producer that waits for its
	 * subscribers stops waiting for a gone one.
	 */
	int (*peer_up)(void *ctx, unsigned int peer);
	void *ctx;
};

/*
 * For a backend's peer_up: @peer is up while its entry of the link's
 * state table (@states, @num_peers entries) says READY; without a table,
 * or for a peer past it, always.
 */
static inline int cellmsg_link_peer_up(const volatile uint32_t *states, uint32_t num_peers,
				       unsigned int peer)
{
	return !states || peer >= num_peers ||
	       states[IVSHMEM_STATE_ENTRY(peer) / 4] == IVSHMEM_STATE_READY;
}

/*
 * Peer @id's pub/sub area in @section (that peer's output section of
 * @section_size bytes on a link of @num_peers): its own slot, which no
 * pairwise channel uses. Returns the area's size, 0 if the IDs are wrong
 * or the slot is below CELLMSG_MIN_REGION.
 */
size_t cellmsg_link_ps_area(const void *section, size_t section_size, unsigned int num_peers,
			    unsigned int id, const void **area);

/* The producer. Treat the members as private. */
struct cellmsg_pub {
	struct cellmsg_ps_topic *topic;		/* in our area */
	uint8_t *ring;
	uint32_t ring_size, max_msg;
	uint32_t pos, seq;			/* the next record's */
	uint32_t epoch, policy;
	unsigned int own_id, num_peers;
	const volatile struct cellmsg_ps_area *peer[CELLMSG_PS_PEERS];
	struct cellmsg_ps_backend be;
	uint64_t spin_ns;
	uint64_t sleeps;			/* times we slept for room */
};

/*
 * Opens our topic in our area (@area, @size bytes, 64-byte aligned, at
 * least CELLMSG_MIN_REGION) as peer @own_id of @num_peers, with @policy
 * (CELLMSG_PS_WAIT or CELLMSG_PS_DROP); @entropy is mixed into a fresh
 * epoch. Subscribers that were there follow the new incarnation (they get
 * -ECONNRESET once). 0, or -EINVAL.
 */
int cellmsg_pub_open(struct cellmsg_pub *p, void *area, size_t size, unsigned int own_id,
		     unsigned int num_peers, uint32_t policy, uint32_t entropy,
		     const struct cellmsg_ps_backend *be);
/* Peer @peer may subscribe; @area is its pub/sub area (read-only is enough). */
int cellmsg_pub_peer(struct cellmsg_pub *p, unsigned int peer, const void *area);
/*
 * Publishes @len bytes. Under CELLMSG_PS_WAIT, waits up to @timeout_ns
 * (0: not at all, CELLMSG_FOREVER) for every subscribed peer to have
 * room. 0, -EAGAIN (no room, @timeout_ns 0), -ETIMEDOUT, -EMSGSIZE (above
 * cellmsg_pub_max_msg()), -EINTR or -ENODEV from the backend's wait.
 */
int cellmsg_pub_send(struct cellmsg_pub *p, const void *msg, uint32_t len, int64_t timeout_ns);
uint32_t cellmsg_pub_max_msg(const struct cellmsg_pub *p);
/* Peers subscribed to this incarnation of the topic now. */
unsigned int cellmsg_pub_subscribers(const struct cellmsg_pub *p);
/* Marks the topic closed and rings the peers. */
void cellmsg_pub_close(struct cellmsg_pub *p);

/* A subscriber. Treat the members as private. */
struct cellmsg_sub {
	struct cellmsg_ps_sub *line;		/* in our area */
	const volatile struct cellmsg_ps_topic *topic;
	const volatile uint8_t *area;		/* the producer's */
	size_t area_size;
	unsigned int producer;
	/* the incarnation we follow, geometry validated once */
	uint32_t epoch;
	const volatile uint8_t *ring;
	uint32_t ring_size, max_msg, policy;
	uint32_t head, seq;			/* the next record's */
	int joined;				/* following epoch */
	int delivered;				/* since joining */
	uint32_t broken_epoch;			/* broke the protocol: ignore */
	uint64_t lost;				/* messages lost, in all */
	struct cellmsg_ps_backend be;
	uint64_t spin_ns;
};

/*
 * Subscribes to peer @producer's topic: our area @own_area, theirs
 * @producer_area (read-only is enough), both @size bytes. Starts with the
 * next message published after the subscription is seen (a producer that
 * is not there yet is followed once it is). 0, or -EINVAL.
 */
int cellmsg_sub_open(struct cellmsg_sub *s, void *own_area, const void *producer_area,
		     size_t size, unsigned int producer, uint32_t reserved,
		     const struct cellmsg_ps_backend *be);
/*
 * The next message into @buf (@cap bytes), waiting up to @timeout_ns:
 * its length, or -EAGAIN (nothing, @timeout_ns 0), -ETIMEDOUT,
 * -ENOTCONN (no producer, @timeout_ns 0), -EMSGSIZE (@cap too small; the
 * message stays), and once each: -ECONNRESET (the producer restarted or
 * closed; we follow its next incarnation), -EOVERFLOW (messages were
 * overwritten before we read them: cellmsg_sub_lost() counts them; the
 * next call goes on with the next message), -EPROTO (the producer's area
 * broke the protocol; ignored until it reopens).
 */
int cellmsg_sub_recv(struct cellmsg_sub *s, void *buf, uint32_t cap, int64_t timeout_ns);
uint64_t cellmsg_sub_lost(const struct cellmsg_sub *s);
/* Ends the subscription (the producer stops waiting for us). */
void cellmsg_sub_close(struct cellmsg_sub *s);

#ifdef __cplusplus
}
#endif

#endif /* CELLMSG_PUBSUB_H */
