/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: error numbers, Linux's values, for freestanding code (the
 * hypervisor, inmates, libcellmsg's core and inmate backend, the config
 * checker). Errors travel negated and unchanged from the hypervisor to the
 * driver to the ioctl caller, and from libcellmsg to its callers. Hosted
 * code uses <errno.h>; the definitions are token for token the same as
 * Linux's, so a file may see both (tests/unit/test_errno.sh compares them).
 * The only place these numbers are written down (tests/unit/test_one_home.sh).
 */
#ifndef BULKHEAD_ERRNO_H
#define BULKHEAD_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define EINTR		4
#define EIO		5
#define ENOEXEC		8
#define EAGAIN		11
#define ENOMEM		12
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define EDEADLK		35
#define ENOSYS		38
#define EPROTO		71
#define EOVERFLOW	75
#define EMSGSIZE	90
#define ECONNRESET	104
#define ENOBUFS		105
#define ENOTCONN	107
#define ETIMEDOUT	110

#endif /* BULKHEAD_ERRNO_H */
