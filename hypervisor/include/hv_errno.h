/* SPDX-License-Identifier: GPL-2.0-only */
/* Linux errno values: the hypervisor returns them negated, unchanged. */
#ifndef BH_ERRNO_H
#define BH_ERRNO_H

#define EPERM		1
#define ENOENT		2
#define EIO		5
#define ENOEXEC		8
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define EINVAL		22
#define ENOMEM		12
#define ENOSPC		28
#define ENOSYS		38
#define EPROTO		71

#endif
