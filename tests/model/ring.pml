/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Promela model of the libcellmsg ring (libcellmsg/PROTOCOL.md sections 2
 * and 4; libcellmsg/core/cellmsg.c: tx_try, tx_reserve, tx_write, rx_peek,
 * rx_advance, wait_loop in BLOCK mode).
 *
 * One producer, one consumer, a ring of RING one-slot records {seq, val}.
 * The producer clears the next slot's seq (to the seq it is about to
 * publish), writes the payload, then publishes seq; sequence numbers run
 * 0..RING-1 and wrap (protocol version 3). It caches the
 * consumer's head and re-reads it only when the cache shows too little
 * room (a record plus the cleared slot after it). The consumer polls the
 * seq of the slot at its head, checks the payload, and publishes head
 * lazily as PROTOCOL.md section 2 allows (after LAZY records, when caught
 * up, before reporting nothing).
 *
 * Notification suppression: each side that cannot progress runs
 * wait_loop: want = 1, full fence, try again, sleep on its doorbell only if
 * still nothing, want = 0 after waking. The other side, after its own
 * store (seq, resp. head), fences and rings only if it sees want set.
 * Spin's interleaving is sequentially consistent, which is what the fences
 * buy. Each shared access is a statement of its own.
 *
 * Polling peers (PROTOCOL.md section 4, version 2): the consumer announces
 * in cmode whether it may sleep (bit 0; the rest counts the changes). The
 * producer's kick (__cellmsg_kick) loads cmode and fences and looks at
 * want_data only when bit 0 is set; without the fence its load of cmode
 * may pass its store of seq (x86 store buffer), so the model does the two
 * in either order. The first time the producer sees cmode change it says
 * so in ack_c (mode_seen), after its seq store; the consumer sleeps only
 * while ack_c equals its cmode, and looks at ack_c before its want store.
 * The consumer starts polling, changes its mode up to MAXCHG times at the
 * points where it finds nothing, polls at most SPINS times in all (then it
 * must announce sleeping), and on each change to sleeping rings the
 * producer (announce_sleeps()), whose wait loop acknowledges too. The
 * producer's own mode is fixed at "may sleep" (the consumer's publication
 * always fences): the space direction runs the same code.
 *
 * -DNOACK lets the consumer sleep without the producer's acknowledgement of
 * its mode: spin must find the wake-up lost to a producer that still
 * believes it polls.
 *
 * -DNOCLEAR leaves the next slot's seq as the previous lap wrote it: spin
 * must find a stale record taken for a new one (the payload assertion).
 *
 * -DNOFENCE drops the fence in wait_loop: the store to want may then become
 * visible only after the re-check's loads (store buffer), modelled by doing
 * it after the re-check. (The `true ->` guards keep the re-check's own
 * `else` out of the choice: an `else` nested as the first statement of an
 * option would only fire when no other option can.) Spin must find a lost wake-up there (both sides
 * asleep, or one asleep after the other finished: an invalid end state).
 *
 * With one direction only, the caught-up rule already publishes all a
 * consumer read before it can find nothing; the flush before a wait
 * matters for a side that waits to *send* while holding back head, which
 * tests/unit/test_cellmsg.c (test_lazy_head) covers.
 *
 * Checked: assertions (every payload arrives once, in order, uncorrupted)
 * and invalid end states (no process may stay blocked on a doorbell).
 */

#ifndef RING
#define RING	4
#endif
#ifndef N
#define N	8
#endif
/* Sequence numbers cycle with the ring's period, so a record left from the
 * previous lap carries exactly the sequence the consumer expects: only the
 * producer's clearing of the next slot keeps it from being taken. */
#define SEQ_NEXT(s)	(((s) + 1) % RING)
#define NEED	2	/* one record + the cleared slot after it */
#ifndef LAZY
#define LAZY	2	/* records the consumer may hold back from head */
#endif

typedef rec {
	byte seq;
	byte val;
};

rec ring[RING];		/* producer's half: records */
byte head;		/* consumer's half: cons.head (free-running) */
bit want_data;		/* consumer's half: wake.want_data */
bit want_space;		/* producer's half: wake.want_space */
bit bell_cons;		/* doorbell rung for the consumer */
bit bell_prod;		/* doorbell rung for the producer */
byte cmode = 0;		/* consumer's half: wake.sleep_mode (starts polling) */
byte ack_c = 0;		/* producer's half: wake.mode_seen (the handshake's) */

#ifndef MAXCHG
#define MAXCHG	3	/* mode changes of the consumer */
#endif
#ifndef SPINS
#define SPINS	3	/* polling retries of the consumer, in all */
#endif

/* Sleep until our doorbell rang; consume it (eventfd/ivshmem read). */
inline wait_bell(bell)
{
	atomic { bell == 1 -> bell = 0 }
}

/*
 * wait_loop's sleep path: raise want, fence, try once more. Without the
 * fence the want store may be seen by the peer only after our re-check.
 */
#ifdef NOFENCE
#define STORE_WANT_FENCE_TRY(want, try) \
	if \
	:: true -> want = 1; try \
	:: true -> try; want = 1 \
	fi
#else
#define STORE_WANT_FENCE_TRY(want, try) \
	want = 1; /* FULL_FENCE */ try
#endif

/* ---- producer ------------------------------------------------------------ */

/*
 * __cellmsg_kick's mode part: acknowledge a change of cmode (after the
 * seq store, which the caller did), then fence and look at want_data only
 * for a consumer that may sleep.
 */
inline kick(m)
{
	if
	:: m != seen -> seen = m; ack_c = m
	:: else -> skip
	fi;
	if
	:: m & 1 ->
		/* FULL_FENCE; LOAD(want_data) */
		if
		:: want_data -> bell_cons = 1
		:: else -> skip
		fi
	:: else -> skip
	fi
}

/* tx_try: reserve, write one record, kick. */
inline tx_try()
{
	/* tx_reserve */
	if
	:: RING - (pos - chead) >= NEED -> ok = 1
	:: else ->
		chead = head;	/* LOAD_ACQ(peer->cons.head) */
		assert(chead <= pos);
		if
		:: RING - (pos - chead) >= NEED -> ok = 1
		:: else -> ok = 0
		fi
	fi;
	if
	:: ok ->
		/* __cellmsg_tx_record: this record's seq is never the next one's */
#ifndef NOCLEAR
		ring[(pos + 1) % RING].seq = tx_seq;
#endif
		ring[pos % RING].val = i;
		/* STORE_REL(seq); LOAD(cmode), in either order (no fence yet) */
		if
		:: true -> ring[pos % RING].seq = tx_seq; m = cmode
		:: true -> m = cmode; ring[pos % RING].seq = tx_seq
		fi;
		tx_seq = SEQ_NEXT(tx_seq);
		pos++;
		kick(m)
	:: else -> skip
	fi
}

active proctype producer()
{
	byte pos = 0, chead = 0, tx_seq = 1, i = 0, m, seen = 0;
	bit ok;

	do
	:: i < N ->
		/* wait_loop(tx_try, want_space), BLOCK mode */
		tx_try();
		do
		:: ok -> break
		:: else ->
			STORE_WANT_FENCE_TRY(want_space, tx_try());
			if
			:: ok -> want_space = 0; break
			:: else -> skip
			fi;
			/* peer_mode_look() before sleeping, and after */
			if
			:: cmode != seen -> seen = cmode; ack_c = seen
			:: else -> skip
			fi;
			wait_bell(bell_prod);
			want_space = 0;
			tx_try()
		od;
		i++
	:: else -> break
	od
}

/* ---- consumer ------------------------------------------------------------ */

/* rx_publish: STORE_REL(cons.head), FULL_FENCE, LOAD(want_space). */
inline rx_publish()
{
	head = rpos;
	if
	:: want_space -> bell_prod = 1
	:: else -> skip
	fi
}

/*
 * rx_try_copy: peek the slot at head, copy, rx_advance. head is published
 * lazily: after LAZY records, when caught up with the producer, and before
 * reporting "nothing" (rx_flush), which also covers every wait.
 */
inline rx_try()
{
	if
	:: ring[rpos % RING].seq == rx_seq ->	/* LOAD_ACQ(seq) */
		v = ring[rpos % RING].val;
		assert(v == got);	/* in order, none lost, none twice */
		got++;
		/* rx_advance */
		rpos++;
		rx_seq = SEQ_NEXT(rx_seq);
		if
		:: rpos - head >= LAZY -> rx_publish()
		:: else ->
			if
			:: ring[rpos % RING].seq != rx_seq -> rx_publish()	/* caught up */
			:: else -> skip
			fi
		fi;
		ok = 1
	:: else ->
		if
		:: rpos != head -> rx_publish()	/* rx_flush */
		:: else -> skip
		fi;
		ok = 0
	fi
}

/* cellmsg_set_wait_mode(): a new cmode word; ring when it may sleep now. */
inline announce(sleeps)
{
	cmode = ((cmode + 2) & 254) | sleeps;
	changes++;
	if
	:: sleeps -> bell_prod = 1
	:: else -> skip
	fi
}

#ifdef NOACK
#define ACKED	true
#else
#define ACKED	(ack_c == cmode)
#endif

active proctype consumer()
{
	byte rpos = 0, rx_seq = 1, got = 0, v, changes = 0, spins = 0;
	bit ok;

	do
	:: got < N ->
		/* wait_loop(rx_try_copy, want_data) in the mode cmode says */
		rx_try();
		do
		:: ok -> break
		:: else ->
			/* Nothing there: the app may change the wait mode. */
			if
			:: changes < MAXCHG -> announce(1 - (cmode & 1))
			:: true -> skip
			fi;
			if
			:: !(cmode & 1) && spins < SPINS -> spins++
			:: !(cmode & 1) && spins >= SPINS -> announce(1)
			:: (cmode & 1) && !ACKED -> skip	/* spin on */
			:: (cmode & 1) && ACKED ->
				STORE_WANT_FENCE_TRY(want_data, rx_try());
				if
				:: ok -> want_data = 0; break
				:: else -> skip
				fi;
				wait_bell(bell_cons);
				want_data = 0
			fi;
			rx_try()
		od
	:: else -> break
	od;
	/* Nothing beyond the N messages is there. */
	assert(ring[rpos % RING].seq != rx_seq)
}
