/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Validation of a system config blob (include/bulkhead/config.h).
 *
 * One implementation for everyone who must not trust a config: the
 * hypervisor (freestanding, before it uses anything in it), the bulkhead
 * tool (so users see every mistake before the driver is involved) and the
 * host unit tests. Hence no libc: only <stdint.h>, <stddef.h> and the ABI
 * headers, and problems go out through a caller-supplied sink instead of
 * printf.
 */
#ifndef BULKHEAD_CONFIG_CHECK_H
#define BULKHEAD_CONFIG_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <bulkhead/config.h>

/* Linux errno values, for builds without <errno.h> (the hypervisor). */
#ifndef ENOEXEC
#define ENOEXEC		8
#endif
#ifndef EINVAL
#define EINVAL		22
#endif

/*
 * Where the checker tells about problems. @report is called once per
 * problem with one line of text, without a trailing newline. Its formats
 * use only %s %u %d %x %llx %llu %lx %lu (no widths or flags), so the
 * hypervisor's small printf can serve as well as the C library's.
 */
struct config_sink {
	void (*report)(void *ctx, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	void *ctx;
};

/*
 * Checks a system config blob of @size bytes. Returns 0, -ENOEXEC (not a
 * Bulkhead system config: wrong signature or revision) or -EINVAL
 * (anything else). Reports every problem found, not just the first,
 * through @sink, which may be NULL. Never reads outside
 * [@blob, @blob + @size), whatever the blob's counts say.
 */
int config_check_system(const void *blob, uint64_t size,
			const struct config_sink *sink);

#endif /* BULKHEAD_CONFIG_CHECK_H */
