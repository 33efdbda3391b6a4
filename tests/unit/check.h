/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal checks for the host unit tests: each failed CHECK prints where
 * and why and counts; a test program exits 1 if any failed (77 to skip).
 */
#ifndef BULKHEAD_TESTS_CHECK_H
#define BULKHEAD_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;

#define CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			check_failures++;					\
			fprintf(stderr, "%s:%d: check failed: %s: ",		\
				__FILE__, __LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
		}								\
	} while (0)

/* CHECK_EQ for integers, printing both values. */
#define CHECK_EQ(got, want, what)						\
	do {									\
		long long g_ = (long long)(got), w_ = (long long)(want);	\
		CHECK(g_ == w_, "%s: got %lld, want %lld", (what), g_, w_);	\
	} while (0)

#define RUN(test)								\
	do {									\
		int before_ = check_failures;					\
		test();								\
		printf("%s %s\n", check_failures == before_ ? "ok  " : "FAIL",	\
		       #test);							\
	} while (0)

static inline int check_exit(void)
{
	printf("%d check(s) failed\n", check_failures);
	return check_failures ? 1 : 0;
}

#endif
