/* SPDX-License-Identifier: GPL-2.0-only */
/* bulkhead-bench's inmate<->inmate mode (link_bench.c). */
#ifndef BENCH_LINK_BENCH_H
#define BENCH_LINK_BENCH_H

/*
 * Runs link-echo's round-trip cases between peers @from and @to of the
 * link device @dev_path (NULL: the first ivshmem device) and prints a
 * row each; @sysfs is the hypervisor's sysfs directory. Returns
 * bulkhead-bench's exit status.
 */
int bench_link(const char *dev_path, const char *sysfs, unsigned int from, unsigned int to);

#endif
