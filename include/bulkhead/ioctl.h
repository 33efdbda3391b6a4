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

/* A cell named by ID (>= 1), or by name when @id is -1. */
struct bh_cell_ref {
	int32_t id;
	uint32_t reserved;
	char name[32];			/* BH_CELL_NAME_LEN, NUL-terminated */
} BH_PACKED;

struct bh_cell_create_args {
	uint64_t config;		/* user pointer to the cell config blob */
	uint32_t config_size;
	int32_t id;			/* out: the new cell's ID */
	char reason[BH_REASON_LEN];
} BH_PACKED;

/* One image to copy into a cell's memory before it starts. */
struct bh_cell_image {
	uint64_t source;		/* user pointer */
	uint64_t size;
	uint64_t address;		/* guest-physical, in the cell */
} BH_PACKED;

struct bh_cell_load_args {
	struct bh_cell_ref cell;
	uint64_t images;		/* user pointer to struct bh_cell_image[] */
	uint32_t num_images;
	uint32_t reserved;
	char reason[BH_REASON_LEN];
} BH_PACKED;

/* start, shutdown, destroy */
struct bh_cell_op_args {
	struct bh_cell_ref cell;
	char reason[BH_REASON_LEN];
} BH_PACKED;

#define BH_MAX_IMAGES		8

#define BH_IOCTL_MAGIC		0xb4
#define BULKHEAD_ENABLE		_IOWR(BH_IOCTL_MAGIC, 0, struct bh_enable_args)
#define BULKHEAD_DISABLE	_IO(BH_IOCTL_MAGIC, 1)
#define BULKHEAD_CELL_CREATE	_IOWR(BH_IOCTL_MAGIC, 2, struct bh_cell_create_args)
#define BULKHEAD_CELL_LOAD	_IOWR(BH_IOCTL_MAGIC, 3, struct bh_cell_load_args)
#define BULKHEAD_CELL_START	_IOWR(BH_IOCTL_MAGIC, 4, struct bh_cell_op_args)
#define BULKHEAD_CELL_SHUTDOWN	_IOWR(BH_IOCTL_MAGIC, 5, struct bh_cell_op_args)
#define BULKHEAD_CELL_DESTROY	_IOWR(BH_IOCTL_MAGIC, 6, struct bh_cell_op_args)

/*
 * sysfs, read by `bulkhead cell list` / `cell stats`:
 *   /sys/devices/bulkhead/cells/<id>/name, state, cpus_assigned (list
 *   like "2-3"), cpus_failed; statistics/cpu<N>/vmexits_<reason>.
 * States as the files spell them:
 */
#define BH_STATE_RUNNING	"running"
#define BH_STATE_RUNNING_LOCKED	"running/locked"
#define BH_STATE_SHUT_DOWN	"shut down"
#define BH_STATE_FAILED		"failed"
#define BH_STATE_LOADING	"loading"
#define BH_STATE_CREATED	"created"

/* The firmware file the driver loads (from /lib/firmware). */
#define BH_FIRMWARE_NAME	"bulkhead.bin"

#endif /* BULKHEAD_IOCTL_H */
