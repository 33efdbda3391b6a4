/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: hypercalls. VMMCALL with the code in RAX and arguments in
 * RDI and RSI; the result comes back in RAX: >= 0 success, otherwise a
 * negative Linux errno value.
 */
#ifndef BULKHEAD_HYPERCALL_H
#define BULKHEAD_HYPERCALL_H

#include <bulkhead/types.h>

#define BH_HC_DISABLE			0	/* root: leave, on this CPU */
#define BH_HC_HYPERVISOR_GET_INFO	1	/* arg: BH_INFO_* */
#define BH_HC_CPU_GET_INFO		2	/* arg: CPU, BH_CPU_INFO_* */
#define BH_HC_DEBUG_CONSOLE_PUTC	3	/* arg: character */

/* BH_HC_HYPERVISOR_GET_INFO */
#define BH_INFO_MEM_POOL_SIZE		0	/* pages */
#define BH_INFO_MEM_POOL_USED		1
#define BH_INFO_NUM_CELLS		2

/* BH_HC_CPU_GET_INFO */
#define BH_CPU_INFO_STATE		0
#define BH_CPU_INFO_EXITS_TOTAL		1
#define BH_CPU_INFO_VIOLATIONS		2

#define BH_CPU_RUNNING			0
#define BH_CPU_FAILED			2

#endif /* BULKHEAD_HYPERCALL_H */
