/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * libcellmsg fast paths, inline (cellmsg.h includes this at its end; a
 * program including it first gets cellmsg.h through it). As liburing does, the hot part of each call lives here so that
 * the common case needs no function call and no dispatch: connected, the
 * peer still the same incarnation (one load), room in the ring, a record
 * there. Anything else (not connected, a reset to report, no room or
 * nothing to receive, padding at the end of the ring, a record that fails
 * a check) goes to the out-of-line __cellmsg_*() call, which starts over
 * and does the whole job: a fast path changes nothing before it knows it
 * completes.
 *
 * The checks are PROTOCOL.md's section 6, on values loaded once from the
 * peer's half into locals; the limits they compare against (ring mask,
 * largest payload, buffer count) were validated when we connected and are
 * kept in our own struct.
 */
#ifndef CELLMSG_FAST_H
#define CELLMSG_FAST_H

/* Defined above: cellmsg.h's own include of this file then does nothing. */
#include <cellmsg/cellmsg.h>

/* The peer's epoch and state are read as one word (cellmsg_wire.h). */
typedef uint64_t __attribute__((may_alias)) __cellmsg_u64;
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "fast_ident packs epoch low, state high");

/* The public fast paths are meant to melt into the caller's loop. */
#define __CELLMSG_INLINE	static inline __attribute__((always_inline))

/*
 * A ring's sequence numbers wrap (0 included): what keeps a stale header
 * from matching is the producer's store of each record's seq into the
 * header after it (__cellmsg_tx_record()), never the next one's.
 */
static inline uint32_t __cellmsg_seq_next(uint32_t seq)
{
	return seq + 1;
}

static inline uint32_t __cellmsg_rec_len(uint32_t len)
{
	return (len + sizeof(struct cellmsg_rec_hdr) + CELLMSG_REC_ALIGN - 1) &
	       ~(CELLMSG_REC_ALIGN - 1);
}

/* A store-load barrier (see FULL_FENCE in core/cellmsg.c for the choice). */
static inline void __cellmsg_full_fence(void)
{
#if defined(__x86_64__)
	__asm__ __volatile__("lock; orl $0, (%%rsp)" ::: "memory", "cc");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/*
 * Connected, nothing to report, and the peer still the incarnation we
 * connected to: its epoch and state in one acquire load (pairs with the
 * peer's release store of state; what we read after it is that
 * incarnation's). Otherwise fast_ident is 0 and fast_ident_at points at
 * the library's constant that is never 0: the peer can write any word,
 * so its own is not compared then.
 */
static inline int __cellmsg_ready(const struct cellmsg_chan *ch)
{
	const volatile __cellmsg_u64 *id = (const volatile __cellmsg_u64 *)ch->fast_ident_at;

	return __atomic_load_n(id, __ATOMIC_ACQUIRE) == ch->fast_ident;
}

/*
 * Small copies inline: where the length is only known at run time a call
 * to memcpy costs more than the copy. Overlapping moves from both ends
 * cover 8 to 64 bytes without a loop; shorter ones go byte by byte.
 */
#pragma GCC diagnostic push
/*
 * Inlined into a receive into a small buffer, GCC warns about the wide
 * moves on a path the caller's len <= cap check never takes.
 */
#pragma GCC diagnostic ignored "-Warray-bounds"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
typedef struct { uint64_t w[2]; } __cellmsg_u128;

/* At most __CELLMSG_SMALL bytes, never a call (the batch runs). */
#define __CELLMSG_SMALL	64

static inline void __cellmsg_copy_small(void *dst, const void *src, uint32_t len)
{
	uint8_t *d = (uint8_t *)dst;
	const uint8_t *s = (const uint8_t *)src;

	if (len > 32) {
		__cellmsg_u128 a, b, c, e;

		__builtin_memcpy(&a, s, 16);
		__builtin_memcpy(&b, s + 16, 16);
		__builtin_memcpy(&c, s + len - 32, 16);
		__builtin_memcpy(&e, s + len - 16, 16);
		__builtin_memcpy(d, &a, 16);
		__builtin_memcpy(d + 16, &b, 16);
		__builtin_memcpy(d + len - 32, &c, 16);
		__builtin_memcpy(d + len - 16, &e, 16);
	} else if (len > 16) {
		__cellmsg_u128 a, b;

		__builtin_memcpy(&a, s, 16);
		__builtin_memcpy(&b, s + len - 16, 16);
		__builtin_memcpy(d, &a, 16);
		__builtin_memcpy(d + len - 16, &b, 16);
	} else if (len >= 8) {
		uint64_t a, b;

		__builtin_memcpy(&a, s, 8);
		__builtin_memcpy(&b, s + len - 8, 8);
		__builtin_memcpy(d, &a, 8);
		__builtin_memcpy(d + len - 8, &b, 8);
	} else {
		uint32_t i;

		for (i = 0; i < len; i++)
			d[i] = s[i];
	}
}

static inline void __cellmsg_copy(void *dst, const void *src, uint32_t len)
{
	if (__builtin_constant_p(len) || len > __CELLMSG_SMALL)
		__builtin_memcpy(dst, src, len);
	else
		__cellmsg_copy_small(dst, src, len);
}
#pragma GCC diagnostic pop

/*
 * After a store the peer may wait for (a record's seq, our head): ring it
 * if it sleeps and asked (PROTOCOL.md section 4). A peer that announced it
 * never sleeps gets neither the store-load fence nor the look at its
 * @want; the first time we see its announcement change we say so in our
 * mode_seen, and it sleeps only after that (the handshake of section 4).
 */
static inline void __cellmsg_kick(struct cellmsg_chan *ch,
				  const volatile uint32_t *want)
{
	uint32_t mode = __atomic_load_n(&ch->peer->wake.sleep_mode,
					__ATOMIC_RELAXED);

	/* The mode we saw, and one without SLEEPS: one compare says both. */
	if (__builtin_expect(mode == ch->peer_quiet, 1))
		return;
	if (mode != ch->peer_mode)
		__cellmsg_mode_seen(ch, mode);
	if (!(mode & CELLMSG_MODE_SLEEPS))
		return;
	/* Store then load: see wait_loop() in core/cellmsg.c. */
	__cellmsg_full_fence();
	if (__atomic_load_n(want, __ATOMIC_RELAXED))
		__cellmsg_notify(ch);
}

/*
 * Whether a record of @len payload bytes fits at our position without
 * padding, with room for the cleared header after it; never while a
 * claim of cellmsg_send_begin() is open (tx_fits is 0 then).
 */
static inline int __cellmsg_tx_room(const struct cellmsg_chan *ch, uint32_t len)
{
	return len < ch->tx_fits && __cellmsg_rec_len(len) <= ch->tx_credit;
}

/*
 * Stale bytes after a record must not pass for the next one, so the slot
 * after it must hold a seq that is not the next one's before the record's
 * seq is released. Storing it there with each record put that store on the
 * critical path: when the slot is on a line the consumer read a lap ago,
 * the release waited for the line to come back (on a fast host that cost
 * more than half a cache-line round trip per message). Instead the producer
 * keeps the header slots up to tx_clear, at least a line ahead of tx_pos,
 * cleared with its latest seq (older than any to come there), and clears
 * further after a release, when nobody waits for it; only a record that
 * jumps past tx_clear still stores into the slot after it first.
 */
#define __CELLMSG_CLEAR_AHEAD	1024u	/* bytes from tx_pos's line */

/* Whether the slot at @pos (after a record) is cleared already. */
static inline int __cellmsg_tx_cleared(const struct cellmsg_chan *ch, uint32_t pos)
{
	return (int32_t)(ch->tx_clear - pos) > 0;
}

/*
 * After a release, where records were written without
 * __cellmsg_tx_record() (the batch runs): keeps the slots ahead cleared
 * (PROTOCOL.md section 2).
 */
static inline void __cellmsg_tx_clear_ahead(struct cellmsg_chan *ch)
{
	if (__builtin_expect((int32_t)(ch->tx_clear - ch->tx_pos) <
			     (int32_t)(__CELLMSG_CLEAR_AHEAD / 2), 0))
		__cellmsg_tx_clear_more(ch);
}

/*
 * Writes and publishes one record of @type at our position, where it
 * fits (checked). Its payload is copied from @data, or is in place
 * already when @data is 0 (cellmsg_send_commit()). Everything is loaded
 * before the copy, which the compiler must assume may write anywhere.
 * No doorbell (__cellmsg_tx_done(), once for all the caller wrote).
 *
 * The common case has at least half of __CELLMSG_CLEAR_AHEAD cleared
 * past the record: one compare, then the release. Otherwise the slot
 * after the record is stored first where it is not cleared yet
 * (__cellmsg_tx_cleared()), and after the release, when nobody waits
 * for it, more is cleared ahead; a doorbell comes that much later, which
 * costs a sleeping peer nothing it would notice.
 */
static inline void __cellmsg_tx_record(struct cellmsg_chan *ch, uint32_t type,
				       const void *data, uint32_t len)
{
	uint32_t mask = ch->tx_size - 1, pos = ch->tx_pos, off = pos & mask;
	uint32_t rec = __cellmsg_rec_len(len), s = ch->tx_seq;
	int32_t ahead = (int32_t)(ch->tx_clear - (pos + rec));
	struct cellmsg_rec_hdr *hdr = (struct cellmsg_rec_hdr *)(ch->tx_ring + off);
	struct cellmsg_rec_hdr *next =
		(struct cellmsg_rec_hdr *)(ch->tx_ring + ((off + rec) & mask));

	ch->tx_seq = __cellmsg_seq_next(s);
	ch->tx_pos = pos + rec;
	ch->tx_credit -= rec;	/* both its bounds shrink by rec, or one grows */
	if (data)
		__cellmsg_copy(hdr + 1, data, len);
	__atomic_store_n(&hdr->word, len | type << CELLMSG_REC_TYPE_SHIFT,
			 __ATOMIC_RELAXED);
	if (__builtin_expect(ahead >= (int32_t)(__CELLMSG_CLEAR_AHEAD / 2), 1)) {
		/* Pairs with the consumer's acquire load of seq (__cellmsg_rx_word()). */
		__atomic_store_n(&hdr->seq, s, __ATOMIC_RELEASE);
		return;
	}
	if (ahead <= 0)
		__atomic_store_n(&next->seq, s, __ATOMIC_RELAXED);
	/* As above. */
	__atomic_store_n(&hdr->seq, s, __ATOMIC_RELEASE);
	__cellmsg_tx_clear_more(ch);
}

/* After records are published: the doorbell decision. */
static inline void __cellmsg_tx_done(struct cellmsg_chan *ch)
{
	__cellmsg_kick(ch, &ch->peer->wake.want_data);
}

__CELLMSG_INLINE int cellmsg_send(struct cellmsg_chan *ch, const void *msg,
				  uint32_t len, int64_t timeout_ns)
{
	if (__builtin_expect(msg && __cellmsg_ready(ch) && __cellmsg_tx_room(ch, len), 1)) {
		__cellmsg_tx_record(ch, CELLMSG_REC_MSG, msg, len);
		__cellmsg_tx_done(ch);
		return 0;
	}
	return __cellmsg_send(ch, msg, len, timeout_ns);
}

/*
 * Opens the claim of @len bytes at our position, where they fit (both
 * cellmsg_send_begin() paths): no other send until it ends. A claim a
 * reset dropped and nobody committed is forgotten here: its loss was the
 * old connection's to report.
 */
static inline void __cellmsg_tx_claim(struct cellmsg_chan *ch, uint32_t len, void **data)
{
	ch->tx_claim = len + 1;
	ch->tx_claim_lost = 0;
	ch->tx_fits = 0;
	*data = ch->tx_ring + (ch->tx_pos & (ch->tx_size - 1)) + sizeof(struct cellmsg_rec_hdr);
}

/* Room for @len bytes in place at our position (cellmsg.h says the rest). */
__CELLMSG_INLINE int cellmsg_send_begin(struct cellmsg_chan *ch, uint32_t len,
				       void **data, int64_t timeout_ns)
{
	if (__builtin_expect(data && __cellmsg_ready(ch) && __cellmsg_tx_room(ch, len), 1)) {
		__cellmsg_tx_claim(ch, len, data);
		return 0;
	}
	return __cellmsg_send_begin(ch, len, data, timeout_ns);
}

/*
 * Publishes the claimed message, @len bytes of it. The peer's incarnation
 * is not looked at again: a call that found the connection lost since
 * the claim dropped it (fast_update() in core/cellmsg.c), and a reset not
 * found yet moves our ring's base past this record when it is, so the
 * new incarnation never sees it (as for a cellmsg_send() just before).
 */
__CELLMSG_INLINE int cellmsg_send_commit(struct cellmsg_chan *ch, uint32_t len)
{
	if (__builtin_expect(len < ch->tx_claim, 1)) {
		/* Shorter than claimed: the caller may have written past it. */
		if (__cellmsg_rec_len(len) < sizeof(struct cellmsg_rec_hdr) + ch->tx_claim - 1)
			ch->tx_clear = ch->tx_pos;
		__cellmsg_tx_record(ch, CELLMSG_REC_MSG, 0, len);
		ch->tx_claim = 0;
		ch->tx_fits = ch->tx_max + 1;
		__cellmsg_tx_done(ch);
		return 0;
	}
	return __cellmsg_send_commit(ch, len);
}

/*
 * Whether header word @w of the record at ring offset @off passes the
 * length checks against the largest payload @max and the ring's @size
 * (PROTOCOL.md section 6). Inline messages take __cellmsg_rx_is_msg(),
 * which folds the type into the length's compare.
 */
static inline int __cellmsg_rx_len_ok(uint32_t w, uint32_t off, uint32_t max, uint32_t size)
{
	uint32_t len = w & CELLMSG_REC_LEN_MASK;

	return len <= max && off + __cellmsg_rec_len(len) <= size;
}

/*
 * The header word of the record at @hdr, our position, when one is there
 * (its seq is the next), else 0, which no valid word is (its type is
 * not 0). Its checks are the caller's.
 */
static inline uint32_t __cellmsg_rx_word(const struct cellmsg_chan *ch,
					 const struct cellmsg_rec_hdr *hdr)
{
	/* Pairs with the producer's release store of seq. */
	if (__atomic_load_n(&hdr->seq, __ATOMIC_ACQUIRE) != ch->rx_seq)
		return 0;
	return __atomic_load_n(&hdr->word, __ATOMIC_RELAXED);
}

/*
 * Whether header word @w at ring offset @off is an inline message that
 * passes __cellmsg_rx_len_ok(); its length is @w less the type's bits.
 * One compare checks the type and the length: any other type's word
 * (0 included) less a message's type bits exceeds rx_max, which is
 * below 2^24.
 */
static inline int __cellmsg_rx_is_msg(const struct cellmsg_chan *ch, uint32_t w, uint32_t off)
{
	uint32_t len = w - (CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT);

	return len <= ch->rx_max && off + __cellmsg_rec_len(len) <= ch->rx_size;
}

/* Hands the space we consumed back to the peer (PROTOCOL.md section 2). */
static inline void __cellmsg_rx_publish(struct cellmsg_chan *ch)
{
	uint32_t pos = ch->rx_pos;

	ch->rx_published = pos;
	/* Pairs with the producer's acquire load of head. */
	__atomic_store_n(&ch->own->cons.head, pos, __ATOMIC_RELEASE);
	__cellmsg_kick(ch, &ch->peer->wake.want_space);
}

/* True when the next record is not there yet (a hint, not a promise). */
static inline int __cellmsg_rx_caught_up(const struct cellmsg_chan *ch)
{
	const struct cellmsg_rec_hdr *hdr = (const struct cellmsg_rec_hdr *)
		(ch->rx_ring + (ch->rx_pos & (ch->rx_size - 1)));

	return __atomic_load_n(&hdr->seq, __ATOMIC_RELAXED) != ch->rx_seq;
}

/* Steps past a record of @rec bytes without publishing. */
static inline void __cellmsg_rx_skip(struct cellmsg_chan *ch, uint32_t rec)
{
	ch->rx_pos += rec;
	ch->rx_seq = __cellmsg_seq_next(ch->rx_seq);
}

/*
 * Steps past a record and publishes our position: at once while the peer
 * polls (the store is to our own line and the kick costs it no fence);
 * for a peer that may sleep, where each publication costs a fence, once
 * per rx_lazy bytes while records queue up and when we caught up with
 * the producer (PROTOCOL.md section 2).
 */
static inline void __cellmsg_rx_advance(struct cellmsg_chan *ch, uint32_t rec)
{
	__cellmsg_rx_skip(ch, rec);
	if (!(ch->peer_mode & CELLMSG_MODE_SLEEPS) ||
	    ch->rx_pos - ch->rx_published >= ch->rx_lazy ||
	    __cellmsg_rx_caught_up(ch))
		__cellmsg_rx_publish(ch);
}

/*
 * The inline message at our position copied into @buf and consumed: its
 * length, or -1 for the slow path. Also the try of a waiting receive.
 */
__CELLMSG_INLINE int __cellmsg_recv_fast(struct cellmsg_chan *ch, void *buf,
					 uint32_t cap)
{
	const struct cellmsg_rec_hdr *hdr;
	uint32_t off, word, len;

	if (!buf || !__cellmsg_ready(ch))
		return -1;
	off = ch->rx_pos & (ch->rx_size - 1);
	hdr = (const struct cellmsg_rec_hdr *)(ch->rx_ring + off);
	word = __cellmsg_rx_word(ch, hdr);
	len = word - (CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT);
	if (!__cellmsg_rx_is_msg(ch, word, off) || len > cap)
		return -1;
	__cellmsg_copy(buf, hdr + 1, len);
	__cellmsg_rx_advance(ch, __cellmsg_rec_len(len));
	return (int)len;
}

__CELLMSG_INLINE int cellmsg_recv(struct cellmsg_chan *ch, void *buf,
				  uint32_t cap, int64_t timeout_ns)
{
	int n = __cellmsg_recv_fast(ch, buf, cap);

	if (__builtin_expect(n >= 0, 1))
		return n;
	return __cellmsg_recv(ch, buf, cap, timeout_ns);
}

/* Fills @rx from a BUF record's descriptor if it passes the checks. */
static inline int __cellmsg_rx_buf(const struct cellmsg_chan *ch,
				   const struct cellmsg_rec_hdr *hdr,
				   uint32_t len, struct cellmsg_rx *rx)
{
	struct cellmsg_buf_desc d;

	if (len != sizeof(d))
		return -1;
	__builtin_memcpy(&d, hdr + 1, sizeof(d));
	if (d.index >= ch->rx_buf_count || d.len > ch->rx_buf_size)
		return -1;
	rx->data = ch->rx_bufs + (size_t)d.index * ch->rx_buf_size;
	rx->len = d.len;
	rx->is_buf = 1;
	rx->index = d.index;
	rx->gen = d.gen;
	return 0;
}

/* The record at our position viewed in @rx: 0, or -1 for the slow path. */
__CELLMSG_INLINE int __cellmsg_recv_zc_fast(struct cellmsg_chan *ch,
					    struct cellmsg_rx *rx)
{
	const struct cellmsg_rec_hdr *hdr;
	uint32_t off, word, len;

	if (!rx || !__cellmsg_ready(ch))
		return -1;
	off = ch->rx_pos & (ch->rx_size - 1);
	hdr = (const struct cellmsg_rec_hdr *)(ch->rx_ring + off);
	word = __cellmsg_rx_word(ch, hdr);
	if (__builtin_expect(__cellmsg_rx_is_msg(ch, word, off), 1)) {
		len = word - (CELLMSG_REC_MSG << CELLMSG_REC_TYPE_SHIFT);
		rx->data = hdr + 1;
		rx->len = len;
		rx->is_buf = 0;
		rx->index = 0;
		rx->gen = 0;
		rx->rec_len = __cellmsg_rec_len(len);
		return 0;
	}
	len = word & CELLMSG_REC_LEN_MASK;
	if (word >> CELLMSG_REC_TYPE_SHIFT != CELLMSG_REC_BUF ||
	    !__cellmsg_rx_len_ok(word, off, ch->rx_max, ch->rx_size) ||
	    __cellmsg_rx_buf(ch, hdr, len, rx))
		return -1;
	rx->rec_len = __cellmsg_rec_len(len);
	return 0;
}

__CELLMSG_INLINE int cellmsg_recv_zc(struct cellmsg_chan *ch,
				     struct cellmsg_rx *rx, int64_t timeout_ns)
{
	if (__builtin_expect(!__cellmsg_recv_zc_fast(ch, rx), 1))
		return 0;
	return __cellmsg_recv_zc(ch, rx, timeout_ns);
}

__CELLMSG_INLINE int cellmsg_recv_done(struct cellmsg_chan *ch,
				      const struct cellmsg_rx *rx)
{
	if (__builtin_expect(rx && ch->connected && rx->rec_len, 1)) {
		uint32_t rec = rx->rec_len;

		if (rx->is_buf) {
			/* Pairs with the owner's acquire load in buf_is_free(). */
			__atomic_store_n(&ch->own->released[rx->index & (CELLMSG_MAX_BUFS - 1)],
					 rx->gen, __ATOMIC_RELEASE);
		}
		__cellmsg_rx_advance(ch, rec);
		return 0;
	}
	return __cellmsg_recv_done(ch, rx);
}

/*
 * The lowest buffer we do not hold, if it is free (never submitted to
 * this peer, or released by it): then it is the lowest free one.
 */
__CELLMSG_INLINE int cellmsg_buf_claim(struct cellmsg_chan *ch,
				      struct cellmsg_txbuf *tb)
{
	uint64_t unheld = ~ch->tx_buf_claimed;
	uint32_t i, gen;

	if (__builtin_expect(tb && unheld, 1)) {
		i = (uint32_t)__builtin_ctzll(unheld);
		gen = i < ch->tx_buf_count ? ch->tx_buf_gen[i] : 1;
		/* Pairs with the peer's release store of released[i]. */
		if (i < ch->tx_buf_count &&
		    (!gen || __atomic_load_n(&ch->peer->released[i], __ATOMIC_ACQUIRE) == gen)) {
			ch->tx_buf_claimed |= 1ull << i;
			tb->data = ch->tx_bufs + (size_t)i * ch->tx_buf_size;
			tb->cap = ch->tx_buf_size;
			tb->index = i;
			return 0;
		}
	}
	return __cellmsg_buf_claim(ch, tb);
}

__CELLMSG_INLINE int cellmsg_buf_submit(struct cellmsg_chan *ch,
				       struct cellmsg_txbuf *tb, uint32_t len,
				       int64_t timeout_ns)
{
	struct cellmsg_buf_desc d;
	uint32_t i;

	if (__builtin_expect(tb && tb->index < ch->tx_buf_count &&
			     (ch->tx_buf_claimed >> tb->index & 1) &&
			     len <= ch->tx_buf_size && __cellmsg_ready(ch), 1)) {
		i = tb->index;
		d.index = i;
		d.len = len;
		d.gen = ch->tx_buf_gen[i] + 1;
		d.gen += !d.gen;	/* generations skip 0: "never submitted" */
		if (__cellmsg_tx_room(ch, sizeof(d))) {
			__cellmsg_tx_record(ch, CELLMSG_REC_BUF, &d, sizeof(d));
			ch->tx_buf_gen[i] = d.gen;
			ch->tx_buf_claimed &= ~(1ull << i);
			tb->data = 0;
			__cellmsg_tx_done(ch);
			return 0;
		}
	}
	return __cellmsg_buf_submit(ch, tb, len, timeout_ns);
}

#endif /* CELLMSG_FAST_H */
