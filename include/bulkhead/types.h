/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Fixed-width types for the Bulkhead ABI headers: the kernel has them in
 * <linux/types.h>, everyone else (tools, configs, the freestanding
 * hypervisor and inmates) in the compiler's <stdint.h>.
 */
#ifndef BULKHEAD_TYPES_H
#define BULKHEAD_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define BH_PACKED	__attribute__((packed))

#endif /* BULKHEAD_TYPES_H */
