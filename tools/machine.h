/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What Linux shows of the machine's memory, for `hardware check` and
 * `config create` (tools/machine.c).
 */
#ifndef BULKHEAD_TOOLS_MACHINE_H
#define BULKHEAD_TOOLS_MACHINE_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct mem_range {
	uint64_t start, end;	/* end exclusive */
};

/*
 * /proc and /sys files, under $BULKHEAD_MACHINE_ROOT when it is set: a
 * test describes a machine with a tree of such files.
 */
FILE *machine_fopen(const char *path);
DIR *machine_opendir(const char *path);
/* Up to @max bytes of @path into @buf: how many (0: none or unreadable). */
size_t machine_read(const char *path, void *buf, size_t max);

/* The memmap=SIZE$START reservations on /proc/cmdline, in order: how many. */
int machine_reservations(struct mem_range *r, int max);

/* Top-level "System RAM" of /proc/iomem: how many; -1 if unreadable or hidden (not root). */
int machine_system_ram(struct mem_range *r, int max);

#endif
