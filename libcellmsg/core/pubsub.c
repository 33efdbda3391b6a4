// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libcellmsg publish/subscribe (PROTOCOL.md section 8): one producer's
 * ring read by up to 15 subscribers, each publishing its read position in
 * its own area. Freestanding like cellmsg.c; everything read from another
 * peer's area is loaded once into a local and validated before it steers
 * an access.
 *
 * The one new ordering argument is the producer's reclaim mark, a
 * seqlock over ring positions: the producer stores reclaim before it
 * overwrites any byte of an older record (a release fence between), a
 * subscriber loads reclaim after it copied a record (an acquire fence
 * between). If any byte it copied was already being overwritten, the
 * reclaim store came before that overwrite and so is seen: the copy is
 * thrown away (pub_reclaim() and sub_copy_valid() are the two sides).
 * The sleep protocol is section 4's with the fence always taken (no
 * polling announcement): want flag, full fence, look again; and on the
 * other side store, full fence, read the want flag.
 */
#include <bulkhead/errno.h>
#include <cellmsg/pubsub.h>

#include "internal.h"

#define PS_SPIN_NS		20000u
#define PS_HDR			((uint32_t)sizeof(struct cellmsg_rec_hdr))

/*
 * A topic's sequence numbers skip 0 (PROTOCOL.md section 8 validates a
 * tail's sequence as not 0), unlike a channel ring's since version 3.
 */
static uint32_t ps_seq_next(uint32_t seq)
{
	seq++;
	return seq ? seq : 1;
}

/* Signed distance from @b to @a on the free-running position counters. */
static int32_t pos_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

size_t cellmsg_link_ps_area(const void *section, size_t section_size, unsigned int num_peers,
			    unsigned int id, const void **area)
{
	size_t slot;

	if (!section || num_peers < 2 || num_peers > CELLMSG_LINK_MAX_PEERS || id >= num_peers)
		return 0;
	slot = section_size / num_peers / CELLMSG_CACHELINE * CELLMSG_CACHELINE;
	if (slot < CELLMSG_MIN_REGION || (uintptr_t)section % CELLMSG_CACHELINE)
		return 0;
	/* Slot id of peer id's own section: no pairwise channel's half. */
	*area = (const uint8_t *)section + id * slot;
	return slot;
}

static int area_ok(const void *area, size_t size)
{
	return area && size >= CELLMSG_MIN_REGION && size <= UINT32_MAX &&
	       !((uintptr_t)area % CELLMSG_CACHELINE);
}

/* Largest power of two ring that fits @size after the area's header. */
static uint32_t ring_for(size_t size)
{
	uint64_t room = size - CELLMSG_PS_RING_OFFSET;
	uint32_t r = CELLMSG_MIN_RING;

	while ((uint64_t)r * 2 <= room && r * 2 <= CELLMSG_MAX_RING)
		r *= 2;
	return r;
}

/* A result that a waiting call waits through. */
static int ps_retryable(int ret)
{
	return ret == -EAGAIN || ret == -ENOTCONN;
}

/*
 * Both sides' waiting call: @try until it gives something other than
 * -EAGAIN/-ENOTCONN, spinning @spin_ns, then sleeping on the doorbell
 * with our @want flag set (section 4: want, full fence, look again,
 * sleep), up to @timeout_ns (0: one try; negative: no limit). Sleeps are
 * counted in @sleeps if given.
 */
static int ps_wait(const struct cellmsg_ps_backend *be, uint64_t spin_ns, int64_t timeout_ns,
		   uint32_t *want, int (*try)(void *), void *arg, uint64_t *sleeps)
{
	uint64_t start, now, deadline;
	int ret = try(arg), w;

	if (!ps_retryable(ret) || timeout_ns == 0)
		return ret;
	start = be->now_ns(be->ctx);
	deadline = timeout_ns < 0 ? NO_DEADLINE : start + (uint64_t)timeout_ns;
	for (;;) {
		now = be->now_ns(be->ctx);
		if (now >= deadline)
			return -ETIMEDOUT;
		if (now < start + spin_ns) {
			cpu_relax();
		} else {
			STORE(want, 1);
			FULL_FENCE();
			ret = try(arg);
			if (!ps_retryable(ret)) {
				STORE(want, 0);
				return ret;
			}
			if (sleeps)
				(*sleeps)++;
			w = be->wait(be->ctx, deadline == NO_DEADLINE ? -1 : (int64_t)(deadline - now));
			STORE(want, 0);
			if (w == -EINTR || w == -ENODEV)
				return w;
		}
		ret = try(arg);
		if (!ps_retryable(ret))
			return ret;
	}
}

/* ---- producer ------------------------------------------------------------ */

static void pub_ring_all(struct cellmsg_pub *p)
{
	unsigned int i;

	for (i = 0; i < p->num_peers; i++)
		if (i != p->own_id && p->be.notify)
			p->be.notify(p->be.ctx, i);
}

int cellmsg_pub_open(struct cellmsg_pub *p, void *area, size_t size, unsigned int own_id,
		     unsigned int num_peers, uint32_t policy, uint32_t entropy,
		     const struct cellmsg_ps_backend *be)
{
	struct cellmsg_ps_area *a = area;
	struct cellmsg_ps_topic *t;
	uint32_t old, epoch;

	if (!area_ok(area, size) || num_peers < 2 || num_peers > CELLMSG_PS_PEERS ||
	    own_id >= num_peers || policy > CELLMSG_PS_DROP || !be || !be->wait || !be->now_ns)
		return -EINVAL;
	__builtin_memset(p, 0, sizeof(*p));
	t = &a->topic;
	p->topic = t;
	p->ring = (uint8_t *)area + CELLMSG_PS_RING_OFFSET;
	p->ring_size = ring_for(size);
	p->max_msg = p->ring_size / 2 - PS_HDR;
	p->own_id = own_id;
	p->num_peers = num_peers;
	p->policy = policy;
	p->be = *be;
	p->spin_ns = PS_SPIN_NS;

	/*
	 * A new incarnation never takes the epoch word the area held, valid
	 * or not (section 7): subscribers that found the old one broken see
	 * the change.
	 */
	old = LOAD(&t->epoch);
	epoch = LOAD(&t->magic) == CELLMSG_PS_MAGIC && old ? old + 1 : mix32(entropy ^ 0x9e3779b9u);
	while (!epoch || epoch == old)
		epoch++;
	p->epoch = epoch;
	p->seq = mix32(epoch) | 1;
	p->pos = 0;

	/*
	 * Not READY before the ring is touched: a subscriber that copies a
	 * record of the old incarnation meanwhile sees this after its copy
	 * (the fences of pub_reclaim() and sub_copy_valid()) and drops it.
	 */
	STORE(&t->state, CELLMSG_STATE_RESET);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__builtin_memset(p->ring, 0, p->ring_size);
	STORE(&t->version, CELLMSG_PS_VERSION);
	STORE(&t->ring_offset, CELLMSG_PS_RING_OFFSET);
	STORE(&t->ring_size, p->ring_size);
	STORE(&t->policy, policy);
	STORE(&t->tail, (uint64_t)p->seq << 32 | p->pos);
	STORE(&t->reclaim, p->pos - p->ring_size);	/* nothing is being overwritten */
	STORE(&t->want_space, 0);
	STORE(&t->epoch, epoch);
	STORE(&t->magic, CELLMSG_PS_MAGIC);
	/* Pairs with the subscriber's acquire load of epoch and state. */
	STORE_REL(&t->state, CELLMSG_STATE_READY);
	pub_ring_all(p);
	return 0;
}

int cellmsg_pub_peer(struct cellmsg_pub *p, unsigned int peer, const void *area)
{
	if (peer >= p->num_peers || peer == p->own_id || (area && !area_ok(area, CELLMSG_MIN_REGION)))
		return -EINVAL;
	p->peer[peer] = area;
	return 0;
}

uint32_t cellmsg_pub_max_msg(const struct cellmsg_pub *p)
{
	return p->max_msg;
}

/* Peer @i's line for our topic if it is subscribed to this incarnation. */
static const volatile struct cellmsg_ps_sub *pub_subscribed(const struct cellmsg_pub *p,
							     unsigned int i)
{
	const volatile struct cellmsg_ps_sub *l;

	if (i == p->own_id || !p->peer[i] || (p->be.peer_up && !p->be.peer_up(p->be.ctx, i)))
		return NULL;
	l = &p->peer[i]->subs[p->own_id];
	/* Pairs with the subscriber's release store of state (after sub_for, head). */
	if (LOAD_ACQ(&l->state) != CELLMSG_STATE_READY || LOAD(&l->magic) != CELLMSG_PS_MAGIC ||
	    LOAD(&l->sub_for) != p->epoch)
		return NULL;
	return l;
}

/*
 * How far subscriber @i is behind us (bytes of our ring it has not read),
 * or -1 if it is not subscribed. A head outside our last ring is a lie or
 * a subscriber overtaken (DROP): it holds nothing up. A true but old head
 * can hold us up, as a slow reader does.
 */
static int64_t pub_lag(const struct cellmsg_pub *p, unsigned int i)
{
	const volatile struct cellmsg_ps_sub *l = pub_subscribed(p, i);
	uint32_t used;

	if (!l)
		return -1;
	/* Pairs with the subscriber's release store of head: it is done with those bytes. */
	used = p->pos - LOAD_ACQ(&l->head);
	return used > p->ring_size ? -1 : (int64_t)used;
}

unsigned int cellmsg_pub_subscribers(const struct cellmsg_pub *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->num_peers; i++)
		n += pub_subscribed(p, i) != NULL;
	return n;
}

/* Room for @need bytes at our position, for every subscriber (WAIT)? */
static int pub_room(const struct cellmsg_pub *p, uint32_t need)
{
	unsigned int i;
	int64_t lag;

	if (p->policy == CELLMSG_PS_DROP)
		return 1;
	for (i = 0; i < p->num_peers; i++) {
		if (i == p->own_id)
			continue;
		lag = pub_lag(p, i);
		if (lag >= 0 && (uint64_t)lag + need > p->ring_size)
			return 0;
	}
	return 1;
}

/*
 * The writer's side of the seqlock: records that start before @upto may
 * be overwritten from now on. The release fence keeps every store of the
 * overwrite after this one (pairs with the acquire fence in
 * sub_copy_valid()).
 */
static void pub_reclaim(struct cellmsg_pub *p, uint32_t upto)
{
	STORE(&p->topic->reclaim, upto);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/*
 * A PAD takes the sequence of the message after it: sequences count
 * messages, so a subscriber overtaken knows how many it lost.
 */
static void pub_put(struct cellmsg_pub *p, uint32_t type, const void *msg, uint32_t len,
		    uint32_t rec)
{
	struct cellmsg_rec_hdr *h = (struct cellmsg_rec_hdr *)(p->ring + (p->pos & (p->ring_size - 1)));

	if (len && type == CELLMSG_REC_MSG)
		__cellmsg_copy(h + 1, msg, len);
	STORE(&h->word, len | type << CELLMSG_REC_TYPE_SHIFT);
	/* Pairs with the subscriber's acquire load of seq. */
	STORE_REL(&h->seq, p->seq);
	if (type == CELLMSG_REC_MSG)
		p->seq = ps_seq_next(p->seq);
	p->pos += rec;
}

/* After a publication: ring every subscriber that sleeps (section 4). */
static void pub_kick(struct cellmsg_pub *p)
{
	const volatile struct cellmsg_ps_sub *l;
	unsigned int i;

	FULL_FENCE();
	for (i = 0; i < p->num_peers; i++) {
		l = pub_subscribed(p, i);
		if (l && LOAD(&l->want_data) && p->be.notify)
			p->be.notify(p->be.ctx, i);
	}
}

/* Bytes a record of @len takes at our position, a PAD before it included. */
static uint32_t pub_need(const struct cellmsg_pub *p, uint32_t len)
{
	uint32_t rec = __cellmsg_rec_len(len), off = p->pos & (p->ring_size - 1);

	return off + rec > p->ring_size ? p->ring_size - off + rec : rec;
}

static int pub_try(struct cellmsg_pub *p, const void *msg, uint32_t len)
{
	uint32_t rec = __cellmsg_rec_len(len), need = pub_need(p, len), pad = need - rec;

	if (!pub_room(p, need))
		return -EAGAIN;
	pub_reclaim(p, p->pos + pad + rec - p->ring_size);
	if (pad)
		pub_put(p, CELLMSG_REC_PAD, NULL, pad - PS_HDR, pad);
	pub_put(p, CELLMSG_REC_MSG, msg, len, rec);
	/* Where a subscriber that comes now starts: one word, position and sequence. */
	STORE_REL(&p->topic->tail, (uint64_t)p->seq << 32 | p->pos);
	pub_kick(p);
	return 0;
}

struct pub_args {
	struct cellmsg_pub *p;
	const void *msg;
	uint32_t len;
};

static int pub_try_args(void *arg)
{
	struct pub_args *a = arg;

	return pub_try(a->p, a->msg, a->len);
}

int cellmsg_pub_send(struct cellmsg_pub *p, const void *msg, uint32_t len, int64_t timeout_ns)
{
	struct pub_args a = { p, msg, len };

	if (len > p->max_msg)
		return -EMSGSIZE;
	/* want_space pairs with the fence a subscriber takes after publishing head */
	return ps_wait(&p->be, p->spin_ns, timeout_ns, &p->topic->want_space, pub_try_args, &a,
		       &p->sleeps);
}

void cellmsg_pub_close(struct cellmsg_pub *p)
{
	STORE_REL(&p->topic->state, CELLMSG_STATE_CLOSED);
	FULL_FENCE();
	pub_ring_all(p);
}

/* ---- subscriber ---------------------------------------------------------- */

int cellmsg_sub_open(struct cellmsg_sub *s, void *own_area, const void *producer_area,
		     size_t size, unsigned int producer, uint32_t reserved,
		     const struct cellmsg_ps_backend *be)
{
	struct cellmsg_ps_area *a = own_area;

	(void)reserved;
	if (!area_ok(own_area, size) || !area_ok(producer_area, size) || own_area == producer_area ||
	    producer >= CELLMSG_PS_PEERS || !be || !be->wait || !be->now_ns)
		return -EINVAL;
	__builtin_memset(s, 0, sizeof(*s));
	s->line = &a->subs[producer];
	s->area = producer_area;
	s->area_size = size;
	s->topic = &((const volatile struct cellmsg_ps_area *)producer_area)->topic;
	s->producer = producer;
	s->be = *be;
	s->spin_ns = PS_SPIN_NS;
	STORE_REL(&s->line->state, CELLMSG_STATE_RESET);
	STORE(&s->line->sub_for, 0);
	STORE(&s->line->want_data, 0);
	STORE(&s->line->magic, CELLMSG_PS_MAGIC);
	return 0;
}

uint64_t cellmsg_sub_lost(const struct cellmsg_sub *s)
{
	return s->lost;
}

/* The topic's identity as our copy of it: 0, or -EPROTO. */
static int sub_check_topic(struct cellmsg_sub *s)
{
	const volatile struct cellmsg_ps_topic *t = s->topic;
	uint32_t magic = LOAD(&t->magic), version = LOAD(&t->version);
	uint32_t off = LOAD(&t->ring_offset), size = LOAD(&t->ring_size);
	uint32_t policy = LOAD(&t->policy);

	if (magic != CELLMSG_PS_MAGIC || version != CELLMSG_PS_VERSION ||
	    off < sizeof(struct cellmsg_ps_area) || off % CELLMSG_CACHELINE ||
	    !is_pow2(size) || size < CELLMSG_MIN_RING || size > CELLMSG_MAX_RING ||
	    off > s->area_size || size > s->area_size - off || policy > CELLMSG_PS_DROP)
		return -EPROTO;
	s->ring = s->area + off;
	s->ring_size = size;
	s->max_msg = size / 2 - PS_HDR;
	s->policy = policy;
	return 0;
}

/* Joins the incarnation @epoch at its tail: 0, or -EPROTO. */
static int sub_join(struct cellmsg_sub *s, uint32_t epoch)
{
	/* Pairs with the producer's release store of tail. */
	uint64_t tail = LOAD_ACQ(&s->topic->tail);
	uint32_t pos = (uint32_t)tail, seq = (uint32_t)(tail >> 32);

	if (pos % CELLMSG_REC_ALIGN || !seq)
		return -EPROTO;
	s->epoch = epoch;
	s->head = pos;
	s->seq = seq;
	s->joined = 1;
	s->delivered = 0;
	STORE(&s->line->sub_for, epoch);
	STORE(&s->line->head, pos);
	/* Pairs with the producer's acquire load of state in pub_lag(). */
	STORE_REL(&s->line->state, CELLMSG_STATE_READY);
	return 0;
}

static void sub_leave(struct cellmsg_sub *s)
{
	if (s->joined)
		STORE_REL(&s->line->state, CELLMSG_STATE_RESET);
	s->joined = 0;
}

/*
 * Follows the producer: 0 while joined to its current incarnation, or
 * what to return: -ENOTCONN (none there, or a broken one), -ECONNRESET
 * once when the one we followed went, -EPROTO once for a broken one.
 */
static int sub_follow(struct cellmsg_sub *s)
{
	const volatile struct cellmsg_ps_topic *t = s->topic;
	/* epoch and state in one load; pairs with the producer's release store of state */
	uint64_t word = __atomic_load_n((const volatile uint64_t *)&t->epoch, __ATOMIC_ACQUIRE);
	uint32_t epoch = (uint32_t)word, state = (uint32_t)(word >> 32);
	int was = s->joined;

	if (s->joined && state == CELLMSG_STATE_READY && epoch == s->epoch)
		return 0;
	sub_leave(s);
	if (state != CELLMSG_STATE_READY || !epoch || epoch == s->broken_epoch)
		return was ? -ECONNRESET : -ENOTCONN;
	if (sub_check_topic(s) || sub_join(s, epoch)) {
		s->broken_epoch = epoch;
		return -EPROTO;
	}
	return was ? -ECONNRESET : 0;
}

/*
 * The reader's side of the seqlock (see pub_reclaim()): was the record
 * at @pos still whole while we copied it?
 */
static int sub_copy_valid(const struct cellmsg_sub *s, uint32_t pos)
{
	uint64_t word;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	word = LOAD((const volatile uint64_t *)&s->topic->epoch);
	return pos_diff(pos, LOAD(&s->topic->reclaim)) >= 0 &&
	       word == ((uint64_t)CELLMSG_STATE_READY << 32 | s->epoch);
}

/* We were overtaken: on at the producer's tail, the loss counted. */
static int sub_overrun(struct cellmsg_sub *s)
{
	uint32_t expected = s->seq;
	int delivered = s->delivered, ret = sub_follow(s);

	if (ret)			/* the producer went or restarted: that is the news */
		return ret;
	if (sub_join(s, s->epoch)) {
		s->broken_epoch = s->epoch;
		sub_leave(s);
		return -EPROTO;
	}
	if (!delivered)
		return -EAGAIN;		/* overtaken while joining: nothing lost to us */
	s->lost += s->seq - expected;
	return -EOVERFLOW;
}

/* After consuming: our head, and a producer waiting for room rung. */
static void sub_publish(struct cellmsg_sub *s)
{
	/* Pairs with the producer's acquire load of head in pub_lag(). */
	STORE_REL(&s->line->head, s->head);
	if (s->policy != CELLMSG_PS_WAIT)
		return;
	FULL_FENCE();
	if (LOAD(&s->topic->want_space) && s->be.notify)
		s->be.notify(s->be.ctx, s->producer);
}

static int sub_try(struct cellmsg_sub *s, void *buf, uint32_t cap)
{
	const volatile struct cellmsg_rec_hdr *h;
	uint32_t off, word, len, type, rec, pos;
	int ret;

	for (;;) {
		ret = sub_follow(s);
		if (ret)
			return ret;
		pos = s->head;
		off = pos & (s->ring_size - 1);
		h = (const volatile struct cellmsg_rec_hdr *)(s->ring + off);
		/* Pairs with the producer's release store of seq. */
		if (LOAD_ACQ(&h->seq) != s->seq) {
			if (!sub_copy_valid(s, pos))
				return sub_overrun(s);
			return -EAGAIN;
		}
		word = LOAD(&h->word);
		len = word & CELLMSG_REC_LEN_MASK;
		type = word >> CELLMSG_REC_TYPE_SHIFT;
		rec = __cellmsg_rec_len(len);
		if (len > s->ring_size || off + rec > s->ring_size ||
		    (type == CELLMSG_REC_PAD ? off + rec != s->ring_size :
		     type != CELLMSG_REC_MSG || len > s->max_msg)) {
			if (!sub_copy_valid(s, pos))
				return sub_overrun(s);
			s->broken_epoch = s->epoch;
			sub_leave(s);
			return -EPROTO;
		}
		if (type == CELLMSG_REC_MSG && len > cap)
			return -EMSGSIZE;
		if (type == CELLMSG_REC_MSG)
			__cellmsg_copy(buf, (const void *)(h + 1), len);
		if (!sub_copy_valid(s, pos))
			return sub_overrun(s);
		s->head = pos + rec;
		if (type == CELLMSG_REC_MSG) {
			s->seq = ps_seq_next(s->seq);
			s->delivered = 1;
			sub_publish(s);
			return (int)len;
		}
	}
}

struct sub_args {
	struct cellmsg_sub *s;
	void *buf;
	uint32_t cap;
};

static int sub_try_args(void *arg)
{
	struct sub_args *a = arg;

	return sub_try(a->s, a->buf, a->cap);
}

int cellmsg_sub_recv(struct cellmsg_sub *s, void *buf, uint32_t cap, int64_t timeout_ns)
{
	struct sub_args a = { s, buf, cap };

	/* want_data pairs with the fence the producer takes after publishing */
	return ps_wait(&s->be, s->spin_ns, timeout_ns, &s->line->want_data, sub_try_args, &a, NULL);
}

void cellmsg_sub_close(struct cellmsg_sub *s)
{
	STORE_REL(&s->line->state, CELLMSG_STATE_CLOSED);
	s->joined = 0;
	FULL_FENCE();
	if (s->be.notify)
		s->be.notify(s->be.ctx, s->producer);
}
