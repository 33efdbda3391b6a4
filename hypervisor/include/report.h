/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Violation reports without floods. A cell that repeats one refused
 * access in a loop (Linux retrying a faulting store, an inmate spinning
 * on a port) would otherwise fill the console with identical lines and
 * starve the other CPUs of it. Each CPU remembers its last report: the
 * first one is printed, repeats are counted, and a count line appears at
 * the 2nd, 4th, 8th, ... repeat and when a different report follows.
 */
#ifndef BH_REPORT_H
#define BH_REPORT_H

#include <hv.h>

struct report_limit {
	const char *what;		/* the kind of report (a literal) */
	uint64_t key;			/* what it was about: address, port */
	uint64_t repeats;
};

/*
 * Is a report of @what about @key on CPU @cpu_id due? 1: print it now;
 * 0: it repeats the last one (counted here).
 */
int report_due(struct report_limit *limit, unsigned int cpu_id,
	       const char *what, uint64_t key);

#endif
