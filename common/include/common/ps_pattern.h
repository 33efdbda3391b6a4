/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The checkable stream of the pub/sub tests, shared by the producers and
 * subscribers on both sides (tests/system/guest/cellmsg-ps.c in root
 * Linux, inmates/demos/x86/link-echo.c): message n is n (4 bytes, little
 * endian) and 0..199 bytes that follow from n, so a subscriber checks
 * every message alone, torn or misplaced ones included. The end of a
 * stream is the 4-byte PS_END_MARK.
 */
#ifndef COMMON_PS_PATTERN_H
#define COMMON_PS_PATTERN_H

#include <stdint.h>

#define PS_END_MARK		0xffffffffu
#define PS_PATTERN_MAX		204u

static inline uint32_t ps_pattern_len(uint32_t n)
{
	return 4 + (n * 2654435761u >> 9) % 200;
}

/* Message @n into @p (PS_PATTERN_MAX bytes); returns its length. */
static inline uint32_t ps_pattern(uint8_t *p, uint32_t n)
{
	uint32_t len = ps_pattern_len(n), i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(n >> (8 * i));
	for (i = 4; i < len; i++)
		p[i] = (uint8_t)(n * 29 + i * 7 + 1);
	return len;
}

/* Is @p (@len bytes) a whole message of the stream? Its number into @n. */
static inline int ps_pattern_ok(const uint8_t *p, int len, uint32_t *n)
{
	uint32_t i;

	if (len < 4)
		return 0;
	*n = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	if (*n == PS_END_MARK)
		return len == 4;
	if ((uint32_t)len != ps_pattern_len(*n))
		return 0;
	for (i = 4; i < (uint32_t)len; i++)
		if (p[i] != (uint8_t)(*n * 29 + i * 7 + 1))
			return 0;
	return 1;
}

/*
 * What a subscriber saw of the stream: the first and last message, how
 * many, and how many were wrong (not whole, or not the one after the
 * last; after a loss, not later than the last).
 */
struct ps_tracker {
	uint32_t first, last, got, wrong;
	int lost_some;		/* a loss was reported since the last message */
};

/*
 * One receive result (@len from cellmsg_sub_recv(): a length, or
 * -EOVERFLOW as @overflow). Returns 1 at the end mark, else 0.
 */
static inline int ps_track(struct ps_tracker *t, const uint8_t *p, int len, int overflow)
{
	uint32_t n;

	if (len == overflow) {
		t->lost_some = 1;
		return 0;
	}
	if (!ps_pattern_ok(p, len, &n)) {
		t->wrong++;
		return 0;
	}
	if (n == PS_END_MARK)
		return 1;
	if (t->got && (t->lost_some ? n <= t->last : n != t->last + 1))
		t->wrong++;
	if (!t->got)
		t->first = n;
	t->lost_some = 0;
	t->last = n;
	t->got++;
	return 0;
}

#endif /* COMMON_PS_PATTERN_H */
