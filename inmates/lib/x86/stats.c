// SPDX-License-Identifier: GPL-2.0-only
/* Latency summaries for the inmates' measurements (inmate.h). */
#include "inmate.h"

/* Shell sort: no recursion, no allocation, fast enough for a few thousand. */
static void sort_u64(uint64_t *v, unsigned int n)
{
	unsigned int gap, i, j;
	uint64_t x;

	for (gap = n / 2; gap; gap /= 2)
		for (i = gap; i < n; i++) {
			x = v[i];
			for (j = i; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
}

void latency_summary(uint64_t *v, unsigned int n, struct latency_summary *s)
{
	s->n = n;
	if (!n) {
		s->min = s->p50 = s->p99 = s->max = 0;
		return;
	}
	sort_u64(v, n);
	s->min = v[0];
	s->p50 = v[n / 2];
	s->p99 = v[(uint64_t)n * 99 / 100];
	s->max = v[n - 1];
}
