/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: where the driver shows its state in sysfs (the layout is
 * described in bulkhead/ioctl.h). The driver registers BH_SYSFS_NAME as a
 * root device; tools, benchmarks and tests read BH_SYSFS_ROOT.
 */
#ifndef BULKHEAD_SYSFS_H
#define BULKHEAD_SYSFS_H

#define BH_SYSFS_NAME		"bulkhead"
#define BH_SYSFS_ROOT		"/sys/devices/" BH_SYSFS_NAME

/*
 * cells/<id>/statistics/cpu<N>/: one file per exit reason, the prefix and
 * the reason's name (BH_EXIT_LIST in bulkhead/hypercall.h), and one for
 * all exits.
 */
#define BH_SYSFS_EXITS_PREFIX	"vmexits_"
#define BH_SYSFS_EXITS_TOTAL	"total"
/*
 * ... and the TSC cycles the hypervisor spent handling that CPU's exits
 * (from its exit handler's first instruction to its last: not the world
 * switch itself, which the CPU or the emulator pays).
 */
#define BH_SYSFS_EXIT_CYCLES	"exit_cycles"

#endif /* BULKHEAD_SYSFS_H */
