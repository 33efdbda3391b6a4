/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: the ioctls of /dev/bulkhead (driver <-> tools/bulkhead).
 *
 * Every call returns 0 or fails with errno set by the kernel; the calls
 * that take a config also hand back a one-line reason in @reason, so the
 * tool can say what was wrong, not just "Invalid argument".
 */
#ifndef BULKHEAD_IOCTL_H
#define BULKHEAD_IOCTL_H

#include <bulkhead/types.h>

#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define BH_REASON_LEN		160

struct bh_enable_args {
	uint64_t config;		/* user pointer to the system config blob */
	uint32_t config_size;		/* bytes */
	uint32_t reserved;
	char reason[BH_REASON_LEN];	/* out: why it failed ("" if no detail) */
} BH_PACKED;

#define BH_IOCTL_MAGIC		0xb4
#define BULKHEAD_ENABLE		_IOWR(BH_IOCTL_MAGIC, 0, struct bh_enable_args)
#define BULKHEAD_DISABLE	_IO(BH_IOCTL_MAGIC, 1)

/* The firmware file the driver loads (from /lib/firmware). */
#define BH_FIRMWARE_NAME	"bulkhead.bin"

#endif /* BULKHEAD_IOCTL_H */
