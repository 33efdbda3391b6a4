// SPDX-License-Identifier: GPL-2.0-only
/* Rate-limited violation reports (see report.h). */
#include <report.h>

static void report_print_repeats(const struct report_limit *limit, unsigned int cpu_id)
{
	printk("CPU %u: the last report (%s 0x%lx) repeated %lu times\n", cpu_id,
	       limit->what, limit->key, limit->repeats);
}

/* 2, 4, 8, ...: a flood of n lines becomes log2(n) of them. */
static int report_count_line_due(uint64_t repeats)
{
	return repeats >= 2 && !(repeats & (repeats - 1));
}

int report_due(struct report_limit *limit, unsigned int cpu_id,
	       const char *what, uint64_t key)
{
	if (limit->what == what && limit->key == key) {
		limit->repeats++;
		if (report_count_line_due(limit->repeats))
			report_print_repeats(limit, cpu_id);
		return 0;
	}
	if (limit->repeats && !report_count_line_due(limit->repeats))
		report_print_repeats(limit, cpu_id);	/* the final count */
	limit->what = what;
	limit->key = key;
	limit->repeats = 0;
	return 1;
}
