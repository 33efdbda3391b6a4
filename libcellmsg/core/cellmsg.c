// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libcellmsg core: the ring protocol of PROTOCOL.md over one shared region.
 *
 * Freestanding: no libc beyond what the compiler may call (memcpy, memset),
 * no allocation, no global state. Everything read from the peer's half is
 * loaded once into a local and validated before it steers an access.
 */
#include <bulkhead/errno.h>
#include <cellmsg/cellmsg.h>

#include "internal.h"

#define DEFAULT_SPIN_NS		20000u

static inline uint32_t align_rec(uint32_t n)
{
	return (n + CELLMSG_REC_ALIGN - 1) & ~(CELLMSG_REC_ALIGN - 1);
}

#define seq_next(seq)	__cellmsg_seq_next(seq)


void __cellmsg_notify(struct cellmsg_chan *ch)
{
	ch->doorbells_sent++;
	ch->be.notify(ch->be.ctx);
}

#define notify_peer(ch)	__cellmsg_notify(ch)

/*
 * We saw the peer's sleep_mode change (or connect to it): say so, so that
 * it may sleep. From here on every kick of ours loads the new word and
 * fences if it says "sleeps" (PROTOCOL.md section 4).
 */
void __cellmsg_mode_seen(struct cellmsg_chan *ch, uint32_t mode)
{
	ch->peer_mode = mode;
	ch->peer_quiet = mode & CELLMSG_MODE_SLEEPS ? (uint64_t)1 << 32 : mode;
	/* Pairs with the peer's acquire load of mode_seen in sleep_acked(). */
	STORE_REL(&ch->own->wake.mode_seen, mode);
}

/* Looks whether the peer's sleep_mode changed; acknowledges it if so. */
static void peer_mode_look(struct cellmsg_chan *ch)
{
	uint32_t mode;

	if (!ch->connected)
		return;
	mode = LOAD(&ch->peer->wake.sleep_mode);
	if (mode != ch->peer_mode)
		__cellmsg_mode_seen(ch, mode);
}

/*
 * Whether we may sleep now. While connected, the peer skips its fence
 * (and its look at our want flags) when it last saw us announce polling;
 * so we sleep only once it acknowledged our current sleep_mode. Before
 * that (and while not connected: every handshake step rings) it is safe.
 */
static int sleep_acked(const struct cellmsg_chan *ch)
{
	/* Pairs with the peer's release store in __cellmsg_mode_seen(). */
	return !ch->connected || LOAD_ACQ(&ch->peer->wake.mode_seen) == ch->own_mode;
}

/*
 * tx_credit from our position and the peer's head as we last read it: the
 * fast paths' room check (__cellmsg_tx_room()) is then one compare, and
 * each record they write takes its length off. Exact here, a lower bound
 * after that (a record that ends the ring leaves it 0 rather than a ring).
 */
static void tx_credit_update(struct cellmsg_chan *ch)
{
	uint32_t to_end = ch->tx_size - (ch->tx_pos & (ch->tx_size - 1));
	uint32_t free = ch->tx_size - (ch->tx_pos - ch->tx_head);

	/* One header more: the cleared slot after a record must be free too. */
	free = free > CELLMSG_REC_ALIGN ? free - CELLMSG_REC_ALIGN : 0;
	ch->tx_credit = to_end < free ? to_end : free;
}

/* Ends the open claim of cellmsg_send_begin(), if any; nothing sent. */
static void claim_end(struct cellmsg_chan *ch)
{
	ch->tx_claim = 0;
	ch->tx_fits = ch->tx_max + 1;
}

/* What __cellmsg_ready() compares fast_ident 0 with: never equal. */
static const uint64_t never_ready = ~(uint64_t)0;

/* Sets fast_ident (0: the fast paths go to the slow ones) and its word. */
static void fast_set(struct cellmsg_chan *ch, uint64_t ident)
{
	ch->fast_ident = ident;
	ch->fast_ident_at = ident ? (const volatile void *)&ch->peer->ident.epoch :
				    (const volatile void *)&never_ready;
}

/*
 * The peer incarnation ch->peer_epoch broke the protocol. The detecting
 * call reports -EPROTO; later calls see an unconnected channel until that
 * incarnation goes (peer_gone()), and then synchronise afresh.
 */
static int broken(struct cellmsg_chan *ch)
{
	ch->error = -EPROTO;
	ch->connected = 0;
	fast_set(ch, 0);
	return -EPROTO;
}

/*
 * The fast paths (cellmsg/fast.h) run only while connected with nothing
 * to report; fast_ident says so, and names the peer incarnation.
 */
static void fast_update(struct cellmsg_chan *ch)
{
	/*
	 * A claim of cellmsg_send_begin() was made for the connection that
	 * just ended: its commit reports that instead of sending to whoever
	 * comes next.
	 */
	if (!ch->connected && ch->tx_claim) {
		claim_end(ch);
		ch->tx_claim_lost = 1;
	}
	fast_set(ch, ch->connected && !ch->pending ?
		 (uint64_t)CELLMSG_STATE_READY << 32 | ch->peer_epoch : 0);
}

/* ---- layout ------------------------------------------------------------ */

static uint32_t largest_pow2_below(uint64_t n)
{
	uint32_t p = CELLMSG_MIN_RING;

	if (n < CELLMSG_MIN_RING)
		return 0;
	while ((uint64_t)p * 2 <= n && p < (1u << 31))
		p *= 2;
	return p;
}

static int layout_own(struct cellmsg_chan *ch, const struct cellmsg_config *cfg,
		      struct cellmsg_ident *id)
{
	uint64_t bufs = (uint64_t)cfg->buf_count * cfg->buf_size;
	uint64_t room;

	if (cfg->buf_count > CELLMSG_MAX_BUFS ||
	    (cfg->buf_count && (!cfg->buf_size || cfg->buf_size % CELLMSG_CACHELINE)))
		return -EINVAL;
	if (bufs + CELLMSG_HALF_HDR_SIZE > ch->half_size)
		return -EINVAL;
	room = ch->half_size - CELLMSG_HALF_HDR_SIZE - bufs;

	id->ring_size = cfg->ring_size ? cfg->ring_size : largest_pow2_below(room);
	/* The default never exceeds the largest ring a peer accepts. */
	if (!cfg->ring_size && id->ring_size > CELLMSG_MAX_RING)
		id->ring_size = CELLMSG_MAX_RING;
	if (!is_pow2(id->ring_size) || id->ring_size < CELLMSG_MIN_RING ||
	    id->ring_size > room || id->ring_size > CELLMSG_MAX_RING)
		return -EINVAL;
	id->ring_offset = CELLMSG_HALF_HDR_SIZE;
	id->buf_offset = id->ring_offset + id->ring_size;
	id->buf_size = cfg->buf_count ? cfg->buf_size : 0;
	id->buf_count = cfg->buf_count;
	return 0;
}

/* Checks a geometry read from the peer's half; 0 if it is safe to use. */
static int layout_check_peer(const struct cellmsg_chan *ch,
			     const struct cellmsg_ident *id)
{
	uint64_t ring_end = (uint64_t)id->ring_offset + id->ring_size;
	uint64_t buf_end = (uint64_t)id->buf_offset +
			   (uint64_t)id->buf_count * id->buf_size;

	if (id->magic != CELLMSG_MAGIC || id->version != CELLMSG_VERSION ||
	    id->half_size != ch->half_size || !id->epoch)
		return -EPROTO;
	if (!is_pow2(id->ring_size) || id->ring_size < CELLMSG_MIN_RING ||
	    id->ring_size > CELLMSG_MAX_RING ||
	    id->ring_offset < CELLMSG_HALF_HDR_SIZE ||
	    id->ring_offset % CELLMSG_CACHELINE || ring_end > ch->half_size)
		return -EPROTO;
	if (id->buf_count > CELLMSG_MAX_BUFS)
		return -EPROTO;
	if (id->buf_count) {
		if (!id->buf_size || id->buf_size % CELLMSG_CACHELINE ||
		    id->buf_offset < CELLMSG_HALF_HDR_SIZE ||
		    buf_end > ch->half_size ||
		    (id->buf_offset < ring_end && buf_end > id->ring_offset))
			return -EPROTO;
	}
	return 0;
}

/* ---- wait modes ------------------------------------------------------- */

/*
 * Our sleep_mode word for the peer: whether we may sleep, and a count of
 * the changes, so that the peer's acknowledgement names one announcement.
 */
static void announce_sleeps(struct cellmsg_chan *ch, int sleeps)
{
	if (!!(ch->own_mode & CELLMSG_MODE_SLEEPS) == sleeps)
		return;
	ch->own_mode = ((ch->own_mode + CELLMSG_MODE_STEP) & ~CELLMSG_MODE_SLEEPS) |
		       (sleeps ? CELLMSG_MODE_SLEEPS : 0);
	STORE(&ch->own->wake.sleep_mode, ch->own_mode);
	/* A peer asleep in a waiting call wakes and acknowledges it. */
	if (sleeps && ch->connected)
		notify_peer(ch);
}

/* Returns whether the mode may sleep. */
static int set_mode(struct cellmsg_chan *ch, enum cellmsg_wait_mode mode,
		    uint64_t spin_ns)
{
	ch->wait_mode = mode <= CELLMSG_WAIT_BLOCK ? mode : CELLMSG_WAIT_ADAPTIVE;
	ch->spin_ns = spin_ns ? spin_ns : DEFAULT_SPIN_NS;
	return ch->wait_mode != CELLMSG_WAIT_POLL;
}

void cellmsg_set_wait_mode(struct cellmsg_chan *ch, enum cellmsg_wait_mode mode,
			   uint64_t spin_ns)
{
	announce_sleeps(ch, set_mode(ch, mode, spin_ns));
}

/* ---- open / close -------------------------------------------------------- */

/* Our identity line as we publish it, from what we keep locally. */
static void own_ident(const struct cellmsg_chan *ch, struct cellmsg_ident *id)
{
	__builtin_memset(id, 0, sizeof(*id));
	id->magic = CELLMSG_MAGIC;
	id->version = CELLMSG_VERSION;
	id->half_size = ch->half_size;
	id->ring_offset = (uint32_t)(ch->tx_ring - (uint8_t *)ch->own);
	id->ring_size = ch->tx_size;
	id->buf_offset = (uint32_t)(ch->tx_bufs - (uint8_t *)ch->own);
	id->buf_size = ch->tx_buf_size;
	id->buf_count = ch->tx_buf_count;
	id->epoch = ch->epoch;
	id->state = CELLMSG_STATE_READY;
}

/*
 * Writes our header as at open, for incarnation ch->epoch: identity,
 * cleared producer, consumer and wake-up lines and releases; then READY.
 */
static void own_publish(struct cellmsg_chan *ch)
{
	struct cellmsg_ident id;

	own_ident(ch, &id);
	id.state = CELLMSG_STATE_RESET;
	/* Pairs with the peer's acquire load of state: RESET hides our half. */
	STORE_REL(&ch->own->ident.state, CELLMSG_STATE_RESET);
	__builtin_memset((uint8_t *)ch->own + sizeof(id), 0,
			 CELLMSG_HALF_HDR_SIZE - sizeof(id));
	STORE(&ch->own->wake.sleep_mode, ch->own_mode);
	__builtin_memcpy(&ch->own->ident, &id, sizeof(id));
	/* Pairs with the peer's acquire load of state in peer_snapshot(). */
	STORE_REL(&ch->own->ident.state, CELLMSG_STATE_READY);
	notify_peer(ch);
}

/*
 * Whether our half still holds what we wrote, as far as a new peer
 * incarnation @e will read it. Both cells can write the whole region, so
 * a peer may have scribbled our half before it came back: then our
 * identity differs from our local copy, or our producer or consumer line
 * already names @e, which we have not worked for yet.
 */
static int own_intact(const struct cellmsg_chan *ch, uint32_t e)
{
	const volatile uint32_t *have = (const volatile uint32_t *)&ch->own->ident;
	struct cellmsg_ident want;
	const uint32_t *w = (const uint32_t *)&want;
	uint32_t i;

	own_ident(ch, &want);
	for (i = 0; i < sizeof(want) / sizeof(*w); i++)
		if (have[i] != w[i])
			return 0;
	return LOAD(&ch->own->prod.prod_for) != e &&
	       LOAD(&ch->own->cons.cons_for) != e;
}

static uint32_t fresh_epoch(const struct cellmsg_half *old, uint32_t entropy)
{
	uint32_t old_e = LOAD(&old->ident.epoch), e;

	/* A valid old identity: count on from it, so a restart always differs. */
	if (LOAD(&old->ident.magic) == CELLMSG_MAGIC && old_e)
		e = old_e + 1;
	else
		e = mix32(entropy ^ 0x2545f491u);
	/*
	 * Differ from whatever epoch the half held, valid or not: a peer
	 * that found the old incarnation corrupt waits for the epoch to
	 * change (peer_gone()).
	 */
	if (e == old_e)
		e++;
	return e ? e : 1;
}

int cellmsg_open(struct cellmsg_chan *ch, void *region, size_t size,
		 unsigned int side, const struct cellmsg_config *cfg,
		 const struct cellmsg_backend *be)
{
	uint8_t *base = region;
	size_t half = size / 2;
	int err;

	if (!region || side > 1 || size % (2 * CELLMSG_CACHELINE))
		return -EINVAL;
	err = cellmsg_open_halves(ch, base + side * half, base + (1 - side) * half, half,
				  cfg, be);
	if (!err)
		ch->side = side;
	return err;
}

/* Do [a, +size) and [b, +size) overlap? */
static int areas_overlap(uintptr_t a, uintptr_t b, size_t size)
{
	return a < b ? b - a < size : a - b < size;
}

int cellmsg_open_halves(struct cellmsg_chan *ch, void *own, const void *peer,
			size_t half_size, const struct cellmsg_config *cfg,
			const struct cellmsg_backend *be)
{
	static const struct cellmsg_config defaults;
	struct cellmsg_ident id = { 0 };
	int err;

	if (!ch || !own || !peer || !be || !be->notify || !be->wait || !be->now_ns)
		return -EINVAL;
	if (!cfg)
		cfg = &defaults;
	if (half_size < CELLMSG_MIN_REGION / 2 || half_size > UINT32_MAX ||
	    half_size % CELLMSG_CACHELINE || (uintptr_t)own % CELLMSG_CACHELINE ||
	    (uintptr_t)peer % CELLMSG_CACHELINE ||
	    areas_overlap((uintptr_t)own, (uintptr_t)peer, half_size))
		return -EINVAL;

	__builtin_memset(ch, 0, sizeof(*ch));
	fast_set(ch, 0);
	ch->half_size = (uint32_t)half_size;
	ch->own = own;
	ch->peer = (const volatile struct cellmsg_half *)peer;
	ch->be = *be;
	/* open publishes it with our half (own_publish()). */
	ch->own_mode = set_mode(ch, cfg->wait_mode, cfg->spin_ns) ? CELLMSG_MODE_SLEEPS : 0;

	err = layout_own(ch, cfg, &id);
	if (err)
		return err;

	/* Pairs with the peer's acquire load of state: RESET hides our half. */
	STORE_REL(&ch->own->ident.state, CELLMSG_STATE_RESET);
	ch->epoch = fresh_epoch(ch->own, cfg->entropy);
	__builtin_memset((uint8_t *)ch->own + id.ring_offset, 0, id.ring_size);

	ch->tx_ring = (uint8_t *)ch->own + id.ring_offset;
	ch->tx_size = id.ring_size;
	ch->tx_max = cellmsg_max_msg(ch);
	ch->tx_fits = ch->tx_max + 1;
	ch->tx_pos = cfg->initial_pos & ~(CELLMSG_REC_ALIGN - 1);
	ch->tx_head = ch->tx_pos;
	ch->tx_clear = ch->tx_pos;
	tx_credit_update(ch);
	ch->tx_seq = seq_next(mix32(ch->epoch));
	ch->tx_bufs = (uint8_t *)ch->own + id.buf_offset;
	ch->tx_buf_size = id.buf_size;
	ch->tx_buf_count = id.buf_count;

	own_publish(ch);
	cellmsg_peer_state(ch);
	return 0;
}

void cellmsg_close(struct cellmsg_chan *ch)
{
	/* Pairs with the peer's acquire load of state. */
	STORE_REL(&ch->own->ident.state, CELLMSG_STATE_CLOSED);
	ch->connected = 0;
	fast_set(ch, 0);
	claim_end(ch);
	ch->tx_claim_lost = 0;
	notify_peer(ch);
}

uint32_t cellmsg_max_msg(const struct cellmsg_chan *ch)
{
	/* A record (header + payload) may take half the ring less one header. */
	return ch->tx_size / 2 - 2 * CELLMSG_REC_ALIGN;
}

/* ---- handshake ----------------------------------------------------------- */

/*
 * Reads the peer's identity consistently: state and epoch before and after
 * the copy must agree, as with a sequence lock.
 */
static int peer_snapshot(struct cellmsg_chan *ch, struct cellmsg_ident *id)
{
	const volatile struct cellmsg_ident *pid = &ch->peer->ident;
	uint32_t state, epoch;

	/* Pairs with the peer's release store of state = READY in open. */
	state = LOAD_ACQ(&pid->state);
	if (state != CELLMSG_STATE_READY)
		return state == CELLMSG_STATE_CLOSED ? -ECONNRESET : -ENOTCONN;
	epoch = LOAD(&pid->epoch);
	__builtin_memcpy(id, (const void *)pid, sizeof(*id));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (LOAD(&pid->state) != CELLMSG_STATE_READY || LOAD(&pid->epoch) != epoch ||
	    id->epoch != epoch)
		return -ENOTCONN;	/* changing under us: try again later */
	return layout_check_peer(ch, id);
}

static void adopt_peer_layout(struct cellmsg_chan *ch, const struct cellmsg_ident *id)
{
	const uint8_t *peer = (const uint8_t *)ch->peer;

	ch->rx_ring = peer + id->ring_offset;
	ch->rx_size = id->ring_size;
	ch->rx_max = id->ring_size / 2 - 2 * CELLMSG_REC_ALIGN;
	ch->rx_lazy = id->ring_size / 4;
	ch->rx_bufs = peer + id->buf_offset;
	ch->rx_buf_size = id->buf_size;
	ch->rx_buf_count = id->buf_count;
}

/* Points our outbound ring at peer incarnation @e: unread records are dropped. */
static void producer_reset_for(struct cellmsg_chan *ch, uint32_t e)
{
	uint32_t i;

	/* Whatever a scribbler left at base must not pass for a record. */
	STORE(&((struct cellmsg_rec_hdr *)
		(ch->tx_ring + (ch->tx_pos & (ch->tx_size - 1))))->seq, ch->tx_seq - 1);
	STORE(&ch->own->prod.base, ch->tx_pos);
	STORE(&ch->own->prod.base_seq, ch->tx_seq);
	ch->tx_head = ch->tx_pos;
	ch->tx_clear = ch->tx_pos;
	tx_credit_update(ch);
	/* The new peer holds none of our buffers. */
	for (i = 0; i < ch->tx_buf_count; i++)
		ch->tx_buf_gen[i] = 0;
	/* Pairs with the peer's acquire load of prod_for in consumer_attach(). */
	STORE_REL(&ch->own->prod.prod_for, e);
	notify_peer(ch);
}

/* Starts reading the peer's ring where it set it up for us. */
static int consumer_attach(struct cellmsg_chan *ch, uint32_t e)
{
	const volatile struct cellmsg_half *peer = ch->peer;
	uint32_t base, base_seq, i;

	/* Pairs with the peer's release store of prod_for. */
	if (LOAD_ACQ(&peer->prod.prod_for) != ch->epoch)
		return -ENOTCONN;
	base = LOAD(&peer->prod.base);
	base_seq = LOAD(&peer->prod.base_seq);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (LOAD(&peer->ident.epoch) != e || LOAD(&peer->prod.prod_for) != ch->epoch)
		return -ENOTCONN;
	if (base % CELLMSG_REC_ALIGN)
		return broken(ch);

	ch->rx_pos = base;
	ch->rx_published = base;
	ch->rx_seq = base_seq;
	for (i = 0; i < CELLMSG_MAX_BUFS; i++)
		STORE(&ch->own->released[i], 0);
	STORE(&ch->own->cons.head, base);
	/* From now on we fence for it whenever it says it may sleep. */
	__cellmsg_mode_seen(ch, LOAD(&peer->wake.sleep_mode));
	/* Pairs with the peer's acquire load of cons_for in try_connect(). */
	STORE_REL(&ch->own->cons.cons_for, e);
	notify_peer(ch);
	return 0;
}

static int try_connect(struct cellmsg_chan *ch)
{
	struct cellmsg_ident id;
	uint32_t head;
	int err;

	err = peer_snapshot(ch, &id);
	if (err == -EPROTO) {
		ch->peer_epoch = id.epoch;	/* the incarnation that broke */
		return broken(ch);
	}
	if (err)
		return -ENOTCONN;
	if (id.epoch != ch->peer_epoch) {
		/* A new peer incarnation: forget everything about the old one. */
		ch->peer_epoch = id.epoch;
		if (!own_intact(ch, id.epoch)) {
			/*
			 * The peer wrote our half. Publish it again as a new
			 * incarnation of ours, so the peer synchronises anew
			 * (also when it found our half corrupt and waits for
			 * our epoch to change). Report it once; the
			 * handshake goes on in the next call.
			 */
			do
				ch->epoch++;
			while (!ch->epoch || ch->epoch == LOAD(&ch->own->ident.epoch));
			own_publish(ch);
			return -EPROTO;
		}
		STORE(&ch->own->cons.cons_for, 0);
	}
	adopt_peer_layout(ch, &id);

	if (LOAD(&ch->own->prod.prod_for) != id.epoch)
		producer_reset_for(ch, id.epoch);
	if (LOAD(&ch->own->cons.cons_for) != id.epoch) {
		err = consumer_attach(ch, id.epoch);
		if (err)
			return err;
	}
	/* Pairs with the peer's release store of cons_for in consumer_attach(). */
	if (LOAD_ACQ(&ch->peer->cons.cons_for) != ch->epoch)
		return -ENOTCONN;
	head = LOAD_ACQ(&ch->peer->cons.head);
	if (head != ch->tx_head)
		return broken(ch);	/* it must start at our base */
	ch->connected = 1;
	return 0;
}

/*
 * Broken: whether the incarnation that broke the protocol is gone (it left
 * READY or has another epoch). Then the channel forgets it and everything
 * set up for it, so whatever comes next gets a full handshake, even one
 * with the same epoch.
 */
static int peer_gone(struct cellmsg_chan *ch)
{
	/* Pairs with the peer's release stores of state. */
	if (LOAD_ACQ(&ch->peer->ident.state) == CELLMSG_STATE_READY &&
	    LOAD(&ch->peer->ident.epoch) == ch->peer_epoch)
		return 0;
	ch->error = 0;
	ch->peer_epoch = 0;
	STORE(&ch->own->prod.prod_for, 0);
	STORE(&ch->own->cons.cons_for, 0);
	return 1;
}

/*
 * 0 when connected; -ENOTCONN, or once per loss of a peer -ECONNRESET or
 * -EPROTO (which then waits, as -ENOTCONN, for a new incarnation).
 */
static int sync_peer_once(struct cellmsg_chan *ch)
{
	int err;

	/* Pairs with the peer's release stores of state. */
	if (ch->connected &&
	    (LOAD_ACQ(&ch->peer->ident.state) != CELLMSG_STATE_READY ||
	     LOAD(&ch->peer->ident.epoch) != ch->peer_epoch)) {
		ch->connected = 0;
		if (!ch->pending)
			ch->pending = -ECONNRESET;
	}
	if (ch->pending) {
		err = ch->pending;
		ch->pending = 0;
		return err;
	}
	if (ch->connected)
		return 0;
	if (ch->error && !peer_gone(ch))
		return -ENOTCONN;
	return try_connect(ch);
}

static int sync_peer(struct cellmsg_chan *ch)
{
	int err = sync_peer_once(ch);

	fast_update(ch);
	return err;
}

enum cellmsg_peer_state cellmsg_peer_state(struct cellmsg_chan *ch)
{
	int err = sync_peer(ch);

	/*
	 * Looking is not receiving: keep the reset or the protocol error for
	 * the next send or receive to report, but follow the peer's new
	 * incarnation already.
	 */
	if (err == -ECONNRESET) {
		err = ch->connected ? 0 : try_connect(ch);
		if (err == -EPROTO)
			ch->pending = -EPROTO;	/* the worse news */
		else
			ch->pending = -ECONNRESET;
	} else if (err == -EPROTO) {
		ch->pending = -EPROTO;
	}
	fast_update(ch);

	if (err == 0)
		return CELLMSG_PEER_CONNECTED;
	if (err == -EPROTO || ch->error)
		return CELLMSG_PEER_BROKEN;
	switch (LOAD_ACQ(&ch->peer->ident.state)) {
	case CELLMSG_STATE_READY:
		return CELLMSG_PEER_CONNECTING;
	case CELLMSG_STATE_CLOSED:
		return CELLMSG_PEER_CLOSED;
	default:
		return CELLMSG_PEER_ABSENT;
	}
}

/* ---- waiting ------------------------------------------------------------- */

/* Tries between two clock reads while spinning. */
#define SPIN_BATCH	64

typedef int (*try_fn)(struct cellmsg_chan *ch, void *arg);
typedef int (*quiet_fn)(const struct cellmsg_chan *ch);

/* Cheap looks between two tries while nothing changed. */
#define QUIET_SPINS	4

/*
 * A waiting receive's quick look: connected to the same peer and still
 * nothing at our position, so a try would fail too. Spinning on this
 * keeps the polling loop to a few instructions (under QEMU TCG each one
 * costs about a cache miss) and leaves the try for when it can succeed.
 */
static int rx_quiet(const struct cellmsg_chan *ch)
{
	return __cellmsg_ready(ch) && __cellmsg_rx_caught_up(ch);
}

/* A waiting send's: same peer, and it has not moved its head. */
static int tx_quiet(const struct cellmsg_chan *ch)
{
	return __cellmsg_ready(ch) && LOAD(&ch->peer->cons.head) == ch->tx_head;
}

static void rx_flush(struct cellmsg_chan *ch);

static inline int retryable(int ret)
{
	return ret == -EAGAIN || ret == -ENOTCONN;
}

/*
 * SPIN_BATCH more tries of @fn, each after up to QUIET_SPINS looks while
 * @quiet (if any) says it would fail; 1, with its result in *@ret, if one
 * settled it.
 */
static int spin_tries(struct cellmsg_chan *ch, try_fn fn, quiet_fn quiet,
		      void *arg, int *ret)
{
	int i, q;

	for (i = 0; i < SPIN_BATCH; i++) {
		for (q = 0; q < QUIET_SPINS; q++) {
			cpu_relax();
			if (!quiet || !quiet(ch))
				break;
		}
		*ret = fn(ch, arg);
		if (!retryable(*ret))
			return 1;
	}
	return 0;
}

/* Whether a wait starts by spinning: polling, or adaptive with a spin time. */
static int spins_first(const struct cellmsg_chan *ch)
{
	return ch->wait_mode == CELLMSG_WAIT_POLL ||
	       (ch->wait_mode == CELLMSG_WAIT_ADAPTIVE && ch->spin_ns);
}

/*
 * Such a receive looks for the message with the inline path alone for
 * its first HOT_LOOKS tries, before wait_loop() and its calls through
 * function pointers: in a ping-pong the answer comes within them, and
 * what it costs to see it is the round trip's.
 *
 * These looks do not pause. A pause is the polite spin for a wait of
 * unknown length (the later spin_tries() pause), but here it sits between
 * the message's arrival and our seeing it: up to 140 cycles a look on
 * current Intel cores, and under QEMU TCG a trip out of the translated
 * code through the emulator's big lock, longer than a whole round trip
 * of a loop that does not pause (`raw` in bulkhead-bench). A look is the
 * whole inline try, not just a load of the slot's seq: a tighter loop
 * saw 8-byte messages no sooner and slowed 64-byte ones (docs/decisions.md).
 */
#define HOT_LOOKS	256

/*
 * Calls @fn until it stops saying "not yet", spinning or sleeping as the
 * wait mode says. Before sleeping it raises @want in our half and looks
 * once more: the peer's fence-then-check after its own store pairs with
 * our fence here, so one of the two always sees the other (no lost wake-up).
 */
static int wait_loop(struct cellmsg_chan *ch, try_fn fn, quiet_fn quiet, void *arg,
		     int64_t timeout_ns, uint32_t *want)
{
	uint64_t start, now, deadline, spin_until;
	int ret, w;

	ret = fn(ch, arg);
	if (!retryable(ret))
		return ret;
	/* Whatever we wait for, the peer may be waiting for our space. */
	rx_flush(ch);
	if (timeout_ns == 0)
		return ret;
	/*
	 * A peer that answers within a few tries costs no clock read: where
	 * the clock is a system call (Linux on the HPET, as under QEMU TCG)
	 * one read costs more than a whole polled exchange.
	 */
	if (spins_first(ch)) {
		if (spin_tries(ch, fn, quiet, arg, &ret))
			return ret;
	}

	start = ch->be.now_ns(ch->be.ctx);
	deadline = timeout_ns < 0 ? NO_DEADLINE : start + (uint64_t)timeout_ns;
	if (ch->wait_mode == CELLMSG_WAIT_POLL)
		spin_until = deadline;
	else if (ch->wait_mode == CELLMSG_WAIT_ADAPTIVE)
		spin_until = start + ch->spin_ns;
	else
		spin_until = start;

	for (;;) {
		now = ch->be.now_ns(ch->be.ctx);
		if (now >= deadline)
			return -ETIMEDOUT;
		if (now < spin_until) {
			if (spin_tries(ch, fn, quiet, arg, &ret))
				return ret;
			continue;
		}
		peer_mode_look(ch);
		if (!sleep_acked(ch)) {
			/* The peer may still skip its fence for us: spin on. */
			if (spin_tries(ch, fn, quiet, arg, &ret))
				return ret;
			continue;
		}
		STORE(want, 1);
		FULL_FENCE();
		ret = fn(ch, arg);
		if (!retryable(ret)) {
			STORE(want, 0);
			return ret;
		}
		ch->sleeps++;
		w = ch->be.wait(ch->be.ctx, deadline == NO_DEADLINE ? -1 :
				(int64_t)(deadline - now));
		STORE(want, 0);
		/* Interrupted, or nothing left to wait on (the device went away). */
		if (w == -EINTR || w == -ENODEV)
			return w;
		ret = fn(ch, arg);
		if (!retryable(ret))
			return ret;
	}
}

static int sync_try(struct cellmsg_chan *ch, void *unused)
{
	(void)unused;
	return sync_peer(ch);
}

int cellmsg_wait_connected(struct cellmsg_chan *ch, int64_t timeout_ns)
{
	return wait_loop(ch, sync_try, 0, 0, timeout_ns, &ch->own->wake.want_data);
}

/* ---- sending ------------------------------------------------------------- */

/* Makes sure @need bytes are free in our ring; -EAGAIN if not yet. */
static int tx_reserve(struct cellmsg_chan *ch, uint32_t need)
{
	uint32_t head;

	if (ch->tx_size - (ch->tx_pos - ch->tx_head) >= need)
		return 0;
	/* Pairs with the peer's release store of head after it read records. */
	head = LOAD_ACQ(&ch->peer->cons.head);
	if (head % CELLMSG_REC_ALIGN ||
	    head - ch->tx_head > ch->tx_pos - ch->tx_head)
		return broken(ch);	/* behind what it had, or past what we wrote */
	ch->tx_head = head;
	return ch->tx_size - (ch->tx_pos - head) >= need ? 0 : -EAGAIN;
}

/* Writes one record of @len payload bytes at our position; room was made. */
static void tx_write(struct cellmsg_chan *ch, uint32_t type, const void *data,
		     uint32_t len)
{
	__cellmsg_tx_record(ch, type, data, len);
}

/*
 * Clears the header slots from tx_clear (or the slot after tx_pos, which
 * the last record or the reset cleared) to __CELLMSG_CLEAR_AHEAD bytes past
 * the start of tx_pos's line, within the free span tx_credit says (never
 * past the ring's end), with the latest seq: the records to come there
 * carry later ones. Whole lines take four 16-byte stores (the words are
 * overwritten too: nobody reads them before the seq beside them matches).
 * Where there is no room it clears what there is, and tx_clear never
 * falls behind tx_pos (its compares are modulo 2^32).
 */
void __cellmsg_tx_clear_more(struct cellmsg_chan *ch)
{
	typedef uint32_t slots2 __attribute__((vector_size(16), aligned(8), may_alias));
	uint32_t pos = ch->tx_pos, old = ch->tx_seq - 1;
	uint32_t from = __cellmsg_tx_cleared(ch, pos) ? ch->tx_clear : pos + CELLMSG_REC_ALIGN;
	uint32_t to = (pos & ~(CELLMSG_CACHELINE - 1)) + __CELLMSG_CLEAR_AHEAD;
	const slots2 cleared = { old, 0, old, 0 };
	uint8_t *p, *end;

	if ((int32_t)(to - (pos + ch->tx_credit)) > 0)
		to = pos + ch->tx_credit;
	if ((int32_t)(to - from) <= 0) {
		ch->tx_clear = from;	/* past pos either way */
		return;
	}
	/* [from, to) lies before the ring's end: one stretch of memory. */
	p = ch->tx_ring + (from & (ch->tx_size - 1));
	end = p + (to - from);
	if ((uintptr_t)p % 16) {
		STORE((uint32_t *)p, old);
		p += CELLMSG_REC_ALIGN;
	}
	for (; end - p >= 64; p += 64) {
		((slots2 *)p)[0] = cleared;
		((slots2 *)p)[1] = cleared;
		((slots2 *)p)[2] = cleared;
		((slots2 *)p)[3] = cleared;
	}
	for (; end - p >= 16; p += 16)
		*(slots2 *)p = cleared;
	if (p < end)
		STORE((uint32_t *)p, old);
	ch->tx_clear = to;
}

struct tx_args {
	uint32_t type;
	const void *data;
	uint32_t len;
};

/*
 * Makes a record of @len payload bytes fit at our position: padding to
 * the end of the ring first if it would cross it; 0, -EAGAIN (no room)
 * or -EPROTO (the peer's head).
 */
static int tx_make_room(struct cellmsg_chan *ch, uint32_t len)
{
	uint32_t rec = align_rec(sizeof(struct cellmsg_rec_hdr) + len);
	uint32_t off = ch->tx_pos & (ch->tx_size - 1);
	uint32_t pad = off + rec > ch->tx_size ? ch->tx_size - off : 0;
	/* + one header: the cleared slot after the record must be free too. */
	int err = tx_reserve(ch, pad + rec + CELLMSG_REC_ALIGN);

	if (err)
		return err;
	if (pad)
		tx_write(ch, CELLMSG_REC_PAD, 0, pad - sizeof(struct cellmsg_rec_hdr));
	/* The record fits now: whatever writes it takes it off an exact credit. */
	tx_credit_update(ch);
	return 0;
}

/*
 * Writes one record where there is room, padding the end of the ring if
 * needed; 0, -EAGAIN (no room) or -EPROTO (the peer's head). No kick.
 */
static int tx_put(struct cellmsg_chan *ch, uint32_t type, const void *data,
		  uint32_t len)
{
	int err;

	if (__cellmsg_tx_room(ch, len)) {
		__cellmsg_tx_record(ch, type, data, len);
		return 0;
	}
	if (ch->tx_claim)
		return -EBUSY;	/* the claimed space is the next record's */
	err = tx_make_room(ch, len);
	if (!err)
		tx_write(ch, type, data, len);
	return err;
}

static int tx_try(struct cellmsg_chan *ch, void *arg)
{
	const struct tx_args *a = arg;
	int err;

	err = sync_peer(ch);
	if (!err)
		err = tx_put(ch, a->type, a->data, a->len);
	if (!err)
		__cellmsg_tx_done(ch);
	return err;
}

static int tx_send(struct cellmsg_chan *ch, uint32_t type, const void *data,
		   uint32_t len, int64_t timeout_ns)
{
	struct tx_args a = { .type = type, .data = data, .len = len };

	if (len > cellmsg_max_msg(ch))
		return -EMSGSIZE;
	return wait_loop(ch, tx_try, tx_quiet, &a, timeout_ns, &ch->own->wake.want_space);
}

int __cellmsg_send(struct cellmsg_chan *ch, const void *msg, uint32_t len,
		   int64_t timeout_ns)
{
	if (!msg && len)
		return -EINVAL;
	return tx_send(ch, CELLMSG_REC_MSG, msg, len, timeout_ns);
}

/* ---- zero-copy through the ring -------------------------------------------- */

struct claim_args {
	uint32_t len;
	void **data;
};

/* Padding to the end of the ring if needed, then the claim at our position. */
static int tx_claim_try(struct cellmsg_chan *ch, void *arg)
{
	const struct claim_args *a = arg;
	int err;

	err = sync_peer(ch);
	if (!err)
		err = tx_make_room(ch, a->len);
	if (err)
		return err;
	__cellmsg_tx_claim(ch, a->len, a->data);
	return 0;
}

int __cellmsg_send_begin(struct cellmsg_chan *ch, uint32_t len, void **data,
			 int64_t timeout_ns)
{
	struct claim_args a = { .len = len, .data = data };

	if (!data)
		return -EINVAL;
	if (ch->tx_claim)
		return -EBUSY;
	if (len > ch->tx_max)
		return -EMSGSIZE;
	return wait_loop(ch, tx_claim_try, tx_quiet, &a, timeout_ns, &ch->own->wake.want_space);
}

int __cellmsg_send_commit(struct cellmsg_chan *ch, uint32_t len)
{
	int err;

	(void)len;
	if (!ch->tx_claim) {
		err = ch->tx_claim_lost ? -ECONNRESET : -EINVAL;
		ch->tx_claim_lost = 0;
		return err;
	}
	return -EINVAL;		/* longer than claimed (the inline call took the rest) */
}

void cellmsg_send_cancel(struct cellmsg_chan *ch)
{
	/* What the caller wrote into the claim is no longer cleared. */
	if (ch->tx_claim)
		ch->tx_clear = ch->tx_pos;
	claim_end(ch);
	ch->tx_claim_lost = 0;
}

/* ---- receiving ----------------------------------------------------------- */

/*
 * Hands the space of what we consumed back to the peer. Towards a peer
 * that may sleep, publishing once per message would cost a store-load
 * barrier per message, so while its records queue up rx_advance()
 * publishes once per quarter ring (towards a polling peer, which costs no
 * barrier, after every record); it publishes at once when it caught up
 * with the peer, and every call that is about to wait or to return
 * "nothing" publishes the rest (rx_flush()), so a peer that waits for
 * space never waits on bytes we already read.
 */
#define rx_publish(ch)	__cellmsg_rx_publish(ch)

static void rx_flush(struct cellmsg_chan *ch)
{
	if (ch->connected && ch->rx_pos != ch->rx_published)
		rx_publish(ch);
}

#define rx_advance(ch, n)	__cellmsg_rx_advance(ch, n)

/* Views the record at our position, skipping padding; -EAGAIN if none. */
static int rx_peek(struct cellmsg_chan *ch, struct cellmsg_rx *rx)
{
	const struct cellmsg_rec_hdr *hdr;
	uint32_t off, word, type, len, rec;

	for (;;) {
		off = ch->rx_pos & (ch->rx_size - 1);
		hdr = (const struct cellmsg_rec_hdr *)(ch->rx_ring + off);
		/* Pairs with the producer's release store of seq in __cellmsg_tx_record(). */
		if (LOAD_ACQ(&hdr->seq) != ch->rx_seq) {
			rx_flush(ch);
			return -EAGAIN;
		}
		word = LOAD(&hdr->word);
		type = word >> CELLMSG_REC_TYPE_SHIFT;
		len = word & CELLMSG_REC_LEN_MASK;
		if (type == CELLMSG_REC_PAD) {
			if (off + sizeof(*hdr) + len != ch->rx_size)
				return broken(ch);
			rx_advance(ch, ch->rx_size - off);
			continue;
		}
		rec = align_rec(sizeof(*hdr) + len);
		if (len > ch->rx_size / 2 - 2 * CELLMSG_REC_ALIGN ||
		    off + rec > ch->rx_size)
			return broken(ch);
		rx->rec_len = rec;
		if (type == CELLMSG_REC_BUF)
			return __cellmsg_rx_buf(ch, hdr, len, rx) ? broken(ch) : 0;
		if (type != CELLMSG_REC_MSG)
			return broken(ch);
		rx->data = hdr + 1;
		rx->len = len;
		rx->is_buf = 0;
		rx->index = 0;
		rx->gen = 0;
		return 0;
	}
}

static int rx_try_view(struct cellmsg_chan *ch, void *arg)
{
	int err;

	if (!__cellmsg_recv_zc_fast(ch, arg))
		return 0;
	err = sync_peer(ch);
	return err ? err : rx_peek(ch, arg);
}

int __cellmsg_recv_zc(struct cellmsg_chan *ch, struct cellmsg_rx *rx,
		      int64_t timeout_ns)
{
	if (!rx)
		return -EINVAL;
	return wait_loop(ch, rx_try_view, rx_quiet, rx, timeout_ns, &ch->own->wake.want_data);
}

int __cellmsg_recv_done(struct cellmsg_chan *ch, const struct cellmsg_rx *rx)
{
	if (!rx || !ch->connected || !rx->rec_len)
		return -EINVAL;
	if (rx->is_buf) {
		/* Pairs with the owner's acquire load in buf_is_free(). */
		STORE_REL(&ch->own->released[rx->index], rx->gen);
	}
	rx_advance(ch, rx->rec_len);
	return 0;
}

struct rx_copy_args {
	void *buf;
	uint32_t cap;
};

static int rx_try_copy(struct cellmsg_chan *ch, void *arg)
{
	struct rx_copy_args *a = arg;
	struct cellmsg_rx rx;
	int err;

	err = __cellmsg_recv_fast(ch, a->buf, a->cap);
	if (err >= 0)
		return err;
	err = rx_try_view(ch, &rx);
	if (err)
		return err;
	if (rx.len > a->cap)
		return -ENOBUFS;
	if (rx.len)
		__builtin_memcpy(a->buf, rx.data, rx.len);
	err = __cellmsg_recv_done(ch, &rx);
	return err ? err : (int)rx.len;
}

int __cellmsg_recv(struct cellmsg_chan *ch, void *buf, uint32_t cap,
		   int64_t timeout_ns)
{
	struct rx_copy_args a = { .buf = buf, .cap = cap };

	if (!buf && cap)
		return -EINVAL;
	if (cap > INT32_MAX)
		a.cap = INT32_MAX;
	if (timeout_ns && buf && spins_first(ch)) {
		int i, n;

		rx_flush(ch);	/* as wait_loop() does before it waits */
		for (i = 0; i < HOT_LOOKS; i++) {
			n = __cellmsg_recv_fast(ch, buf, a.cap);
			if (n >= 0)
				return n;
		}
	}
	return wait_loop(ch, rx_try_copy, rx_quiet, &a, timeout_ns, &ch->own->wake.want_data);
}

/* ---- batches ------------------------------------------------------------- */

struct tx_batch_args {
	const struct cellmsg_msg *msgs;
	unsigned int count;
};

/*
 * Whether @m goes into a batch run with @credit bytes left before it: a
 * small message (below tx_fits, as the ring is at least CELLMSG_MIN_RING).
 */
_Static_assert(CELLMSG_MIN_RING / 2 - 2 * CELLMSG_REC_ALIGN >= __CELLMSG_SMALL,
	       "a small message must always fit a ring");

static inline int tx_run_fits(const struct cellmsg_msg *m, uint32_t credit)
{
	return m->data && m->len <= __CELLMSG_SMALL && __cellmsg_rec_len(m->len) <= credit;
}

/* Its payload and header word at @hdr (the seq is the caller's); its length. */
static inline uint32_t tx_run_put(struct cellmsg_rec_hdr *hdr, const struct cellmsg_msg *m)
{
	uint32_t len = m->len;

	__cellmsg_copy_small(hdr + 1, m->data, len);
	STORE(&hdr->word, len | CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT);
	return __cellmsg_rec_len(len);
}

/*
 * The common run of a batch: small messages from @msgs on that fit at our
 * position without padding, written with the ring's state in registers
 * and stored back once (nothing in the loop is a call, so it all stays
 * in registers). Its first record's seq is left for the caller to
 * store last (tx_batch_try()); every other record gets its seq at once,
 * which nobody reads before the held one (the consumer reads in order).
 * The credit never reaches past the ring's end, so the run is one stretch
 * of memory. Only the slot after the last record may need clearing (if
 * below tx_clear it is already): each one before it is the next record's,
 * written here. How many it wrote; none while a claim is open.
 */
static __attribute__((noinline)) unsigned int
tx_batch_run(struct cellmsg_chan *ch, const struct cellmsg_msg *msgs, unsigned int count)
{
	const struct cellmsg_msg *m = msgs, *end = msgs + count;
	uint32_t seq = ch->tx_seq, pos;
	uint8_t *start = ch->tx_ring + (ch->tx_pos & (ch->tx_size - 1)), *p = start;
	uint8_t *limit = start + ch->tx_credit;

	if (!ch->tx_fits || !tx_run_fits(m, limit - p))
		return 0;
	p += tx_run_put((struct cellmsg_rec_hdr *)p, m);
	for (m++; m < end && tx_run_fits(m, limit - p); m++) {
		struct cellmsg_rec_hdr *hdr = (struct cellmsg_rec_hdr *)p;

		p += tx_run_put(hdr, m);
		seq = __cellmsg_seq_next(seq);
		STORE(&hdr->seq, seq);
	}
	seq = __cellmsg_seq_next(seq);
	pos = ch->tx_pos + (uint32_t)(p - start);
	/* The last record's seq, never the next (__cellmsg_tx_record()). */
	if (!__cellmsg_tx_cleared(ch, pos))
		STORE(&((struct cellmsg_rec_hdr *)p)->seq, seq - 1);
	ch->tx_pos = pos;
	ch->tx_seq = seq;
	ch->tx_credit = (uint32_t)(limit - p);
	return (unsigned int)(m - msgs);
}

/*
 * As many of the batch as fit, in order, then one publication and one
 * kick for all of them. The first record written gets its seq last: the
 * consumer, which reads in order, waits on it and then finds all the
 * records after it complete (PROTOCOL.md section 2), instead of chasing
 * the producer line by line. The peer sees one doorbell decision (and
 * pays at most one fence) per batch. Where tx_batch_run() stops, the
 * message goes the whole way (padding at the end of the ring, room made)
 * and the run goes on after it. A message that is invalid or too large
 * ends the batch before it; if it is the first, its error is the result.
 */
static int tx_batch_try(struct cellmsg_chan *ch, void *arg)
{
	const struct tx_batch_args *a = arg;
	struct cellmsg_rec_hdr *first = 0;
	uint32_t first_seq = 0, pos, seq;
	unsigned int i, n;
	int err = __cellmsg_ready(ch) ? 0 : sync_peer(ch);

	if (err)
		return err;
	for (i = 0; i < a->count; i++) {
		const struct cellmsg_msg *m;

		pos = ch->tx_pos;
		seq = ch->tx_seq;
		n = tx_batch_run(ch, a->msgs + i, a->count - i);
		if (n && !first) {
			first = (struct cellmsg_rec_hdr *)(ch->tx_ring + (pos & (ch->tx_size - 1)));
			first_seq = seq;
		} else if (n) {
			/* Pairs with the consumer's acquire load of seq. */
			STORE_REL(&((struct cellmsg_rec_hdr *)(ch->tx_ring +
				(pos & (ch->tx_size - 1))))->seq, seq);
		}
		i += n;
		if (i == a->count)
			break;
		m = &a->msgs[i];
		err = !m->data && m->len ? -EINVAL :
		      m->len > ch->tx_max ? -EMSGSIZE :
		      tx_put(ch, CELLMSG_REC_MSG, m->data, m->len);
		if (err == -EPROTO)
			return err;	/* nothing more goes to that peer */
		if (err)
			break;
	}
	if (!i)
		return err;
	/* Pairs with the consumer's acquire load of seq. */
	if (first)
		STORE_REL(&first->seq, first_seq);
	__cellmsg_tx_done(ch);
	__cellmsg_tx_clear_ahead(ch);
	return (int)i;
}

int cellmsg_send_batch(struct cellmsg_chan *ch, const struct cellmsg_msg *msgs,
		       unsigned int count, int64_t timeout_ns)
{
	struct tx_batch_args a = { .msgs = msgs, .count = count };

	if (!msgs || !count || count > INT32_MAX)
		return -EINVAL;
	return wait_loop(ch, tx_batch_try, tx_quiet, &a, timeout_ns, &ch->own->wake.want_space);
}

struct rx_batch_args {
	struct cellmsg_rxbuf *bufs;
	unsigned int count;
};

/*
 * The common run of a batch receive: small inline messages at our
 * position that pass __cellmsg_rx_is_msg()'s checks and fit their
 * buffers, copied out with the ring's state in registers (no call in the
 * loop) and stepped over (not published). Its checks are that
 * function's with the small limit for rx_max (a small message is below
 * it, as the ring is at least CELLMSG_MIN_RING) and the ring's end as
 * the bytes left before it. How many; what stops it is rx_peek()'s to
 * judge.
 */
static __attribute__((noinline)) unsigned int
rx_batch_run(struct cellmsg_chan *ch, struct cellmsg_rxbuf *bufs, unsigned int count)
{
	uint32_t off = ch->rx_pos & (ch->rx_size - 1), seq = ch->rx_seq, word, len, rec;
	const uint8_t *start = ch->rx_ring + off, *p = start;
	const uint8_t *limit = ch->rx_ring + ch->rx_size;
	struct cellmsg_rxbuf *b = bufs, *end = bufs + count;

	for (; b < end; b++) {
		const struct cellmsg_rec_hdr *hdr = (const struct cellmsg_rec_hdr *)p;

		/* Pairs with the producer's release store of seq. */
		if (LOAD_ACQ(&hdr->seq) != seq)
			break;
		word = LOAD(&hdr->word);
		len = word & CELLMSG_REC_LEN_MASK;
		rec = __cellmsg_rec_len(len);
		/* A message's word less its type is its length; any other type's is larger. */
		if (word - (CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT) > __CELLMSG_SMALL ||
		    rec > (uintptr_t)(limit - p) || len > b->cap || !b->data)
			break;
		__cellmsg_copy_small(b->data, hdr + 1, len);
		b->len = len;
		p += rec;
		seq = __cellmsg_seq_next(seq);
	}
	ch->rx_pos += (uint32_t)(p - start);
	ch->rx_seq = seq;
	return (unsigned int)(b - bufs);
}

/*
 * Copies out the messages there, up to the batch's size, stepping past
 * each without publishing; then publishes our position once. A message
 * larger than its buffer ends the batch (and stays queued); an -EPROTO
 * after some messages is kept for the next call to report.
 */
static int rx_batch_try(struct cellmsg_chan *ch, void *arg)
{
	const struct rx_batch_args *a = arg;
	struct cellmsg_rx rx;
	unsigned int i;
	int err = __cellmsg_ready(ch) ? 0 : sync_peer(ch);

	if (err)
		return err;
	for (i = 0; i < a->count; i++) {
		struct cellmsg_rxbuf *b;

		i += rx_batch_run(ch, a->bufs + i, a->count - i);
		if (i == a->count)
			break;
		b = &a->bufs[i];
		err = rx_peek(ch, &rx);
		if (!err && (rx.len > b->cap || (!b->data && rx.len)))
			err = -ENOBUFS;
		if (err)
			break;
		if (rx.len)
			__cellmsg_copy(b->data, rx.data, rx.len);
		b->len = rx.len;
		if (rx.is_buf) {
			/* Pairs with the owner's acquire load in buf_is_free(). */
			STORE_REL(&ch->own->released[rx.index], rx.gen);
		}
		__cellmsg_rx_skip(ch, rx.rec_len);
	}
	if (!i)
		return err;
	if (err == -EPROTO) {
		ch->pending = -EPROTO;
		fast_update(ch);
	}
	if (ch->connected && ch->rx_pos != ch->rx_published)
		rx_publish(ch);
	return (int)i;
}

int cellmsg_recv_batch(struct cellmsg_chan *ch, struct cellmsg_rxbuf *bufs,
		       unsigned int count, int64_t timeout_ns)
{
	struct rx_batch_args a = { .bufs = bufs, .count = count };

	if (!bufs || !count || count > INT32_MAX)
		return -EINVAL;
	return wait_loop(ch, rx_batch_try, rx_quiet, &a, timeout_ns, &ch->own->wake.want_data);
}

/* ---- event loops ------------------------------------------------------- */

/*
 * rx_try_view() without using up a pending -ECONNRESET: the receive call
 * that follows the wake-up must still report it.
 */
static int rx_ready(struct cellmsg_chan *ch)
{
	struct cellmsg_rx rx;
	int ret = rx_try_view(ch, &rx);

	if (ret == -ECONNRESET || ret == -EPROTO) {
		ch->pending = ret;
		fast_update(ch);
	}
	return !retryable(ret);
}

int cellmsg_rx_arm(struct cellmsg_chan *ch)
{
	if (rx_ready(ch))
		return 1;
	/*
	 * Sleeping outside the library needs the peer's fences too, also on
	 * a channel opened to poll: announce it, and do not sleep before the
	 * peer has seen it.
	 */
	announce_sleeps(ch, 1);
	peer_mode_look(ch);
	if (!sleep_acked(ch))
		return 1;
	/* The same store-fence-look as wait_loop(), for a sleep elsewhere. */
	STORE(&ch->own->wake.want_data, 1);
	FULL_FENCE();
	if (rx_ready(ch)) {
		STORE(&ch->own->wake.want_data, 0);
		return 1;
	}
	return 0;
}

void cellmsg_rx_disarm(struct cellmsg_chan *ch)
{
	STORE(&ch->own->wake.want_data, 0);
}

/* ---- zero-copy buffers --------------------------------------------------- */

static int buf_is_free(struct cellmsg_chan *ch, uint32_t i)
{
	if (ch->tx_buf_claimed & (1ull << i))
		return 0;
	/* Pairs with the peer's release store in cellmsg_recv_done(). */
	return !ch->tx_buf_gen[i] ||
	       LOAD_ACQ(&ch->peer->released[i]) == ch->tx_buf_gen[i];
}

int __cellmsg_buf_claim(struct cellmsg_chan *ch, struct cellmsg_txbuf *tb)
{
	uint32_t i;

	if (!tb)
		return -EINVAL;
	for (i = 0; i < ch->tx_buf_count; i++) {
		if (!buf_is_free(ch, i))
			continue;
		ch->tx_buf_claimed |= 1ull << i;
		tb->data = ch->tx_bufs + (size_t)i * ch->tx_buf_size;
		tb->cap = ch->tx_buf_size;
		tb->index = i;
		return 0;
	}
	return -EAGAIN;
}

static int buf_owned(const struct cellmsg_chan *ch, const struct cellmsg_txbuf *tb)
{
	return tb && tb->index < ch->tx_buf_count &&
	       (ch->tx_buf_claimed & (1ull << tb->index));
}

int __cellmsg_buf_submit(struct cellmsg_chan *ch, struct cellmsg_txbuf *tb,
			 uint32_t len, int64_t timeout_ns)
{
	struct cellmsg_buf_desc d;
	uint32_t gen;
	int err;

	if (!buf_owned(ch, tb) || len > ch->tx_buf_size)
		return -EINVAL;
	gen = ch->tx_buf_gen[tb->index] + 1;
	d.index = tb->index;
	d.len = len;
	d.gen = gen ? gen : 1;
	err = tx_send(ch, CELLMSG_REC_BUF, &d, sizeof(d), timeout_ns);
	if (err)
		return err;
	ch->tx_buf_gen[tb->index] = d.gen;
	ch->tx_buf_claimed &= ~(1ull << tb->index);
	tb->data = 0;
	return 0;
}

void cellmsg_buf_cancel(struct cellmsg_chan *ch, struct cellmsg_txbuf *tb)
{
	if (buf_owned(ch, tb)) {
		ch->tx_buf_claimed &= ~(1ull << tb->index);
		tb->data = 0;
	}
}

size_t cellmsg_link_halves(void *own_section, const void *peer_section, size_t section_size,
			   unsigned int num_peers, unsigned int own_id, unsigned int peer_id,
			   void **own_half, const void **peer_half)
{
	size_t slot;

	if (!own_section || !peer_section || num_peers < 2 || num_peers > CELLMSG_LINK_MAX_PEERS ||
	    own_id >= num_peers || peer_id >= num_peers || own_id == peer_id)
		return 0;
	slot = section_size / num_peers / CELLMSG_CACHELINE * CELLMSG_CACHELINE;
	/* A half needs its header lines and a ring of at least 4 KiB. */
	if (slot < CELLMSG_MIN_REGION || (uintptr_t)own_section % CELLMSG_CACHELINE ||
	    (uintptr_t)peer_section % CELLMSG_CACHELINE)
		return 0;
	/* Peer i's section, slot j: i's half of the channel with j. */
	*own_half = (uint8_t *)own_section + peer_id * slot;
	*peer_half = (const uint8_t *)peer_section + own_id * slot;
	return slot;
}
