/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* What the Linux backends and the event loop share (internal). */
#ifndef CELLMSG_BACKENDS_POSIX_H
#define CELLMSG_BACKENDS_POSIX_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t cellmsg__now_ns(void);

/*
 * Waits until @fd is readable or @timeout_ns passes (<0: forever):
 * 0 (readable), -ETIMEDOUT, or a negative errno value from ppoll().
 */
int cellmsg__wait_readable(int fd, int64_t timeout_ns);

#endif
