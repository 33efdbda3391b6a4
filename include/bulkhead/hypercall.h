/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: hypercalls. VMMCALL with the code in RAX and arguments in
 * RDI and RSI; the result comes back in RAX: >= 0 success, otherwise a
 * negative Linux errno value. Usable from assembly (__ASSEMBLY__): only
 * numbers there.
 */
#ifndef BULKHEAD_HYPERCALL_H
#define BULKHEAD_HYPERCALL_H

#ifndef __ASSEMBLY__
#include <bulkhead/types.h>
#endif

#define BH_HC_DISABLE			0	/* root: leave, on this CPU */
#define BH_HC_HYPERVISOR_GET_INFO	1	/* arg: BH_INFO_* */
#define BH_HC_CPU_GET_INFO		2	/* arg: CPU, BH_CPU_INFO_* */
#define BH_HC_DEBUG_CONSOLE_PUTC	3	/* arg: character */
#define BH_HC_CELL_CREATE		4	/* root: config phys addr, size */
#define BH_HC_CELL_SET_LOADABLE		5	/* root: cell ID */
#define BH_HC_CELL_START		6	/* root: cell ID */
#define BH_HC_CELL_SHUTDOWN		7	/* root: cell ID */
#define BH_HC_CELL_DESTROY		8	/* root: cell ID */
#define BH_HC_CELL_GET_STATE		9	/* root: cell ID */
#define BH_HC_CELL_REPORT		10	/* inmate: BH_REPORT_*, code */
#define BH_HC_IVSHMEM_LIST		11	/* root: cell ID, index */
#define BH_HC_IVSHMEM_GET_INFO		12	/* root: cell ID << 16 | BDF, BH_IVSHMEM_* */

/* BH_HC_CELL_GET_STATE */
#define BH_CELL_RUNNING			0
#define BH_CELL_RUNNING_LOCKED		1
#define BH_CELL_SHUT_DOWN		2
#define BH_CELL_FAILED			3
#define BH_CELL_LOADING			4
#define BH_CELL_CREATED			5

/* BH_HC_CELL_REPORT: an inmate says it is done or failed */
#define BH_REPORT_DONE			0
#define BH_REPORT_FAILED		1

/*
 * `cell shutdown` asks a running inmate CPU with this interrupt vector
 * (delivered when the inmate has interrupts enabled); the inmate answers
 * with BH_HC_CELL_REPORT(BH_REPORT_DONE). A CPU that does not answer
 * within a second (interrupts off for that long) is stopped anyway and
 * the cell is marked failed.
 */
#define BH_SHUTDOWN_VECTOR		0xef

/* BH_HC_HYPERVISOR_GET_INFO */
#define BH_INFO_MEM_POOL_SIZE		0	/* pages */
#define BH_INFO_MEM_POOL_USED		1
#define BH_INFO_NUM_CELLS		2

/*
 * BH_HC_IVSHMEM_LIST: the cell's ivshmem device number @index (from 0):
 * its BDF | its peer ID << 16, or -ENOENT past the last.
 *
 * BH_HC_IVSHMEM_GET_INFO: one counter of that cell's device @bdf, since
 * the cell was created. The first six count this peer's doorbell writes
 * by what became of them; the last two what reached this peer's cell:
 *   X(BH_IVSHMEM_*, name), the sysfs file's name (bulkhead/sysfs.h).
 */
#define BH_IVSHMEM_STAT_LIST(X)								\
	X(BH_IVSHMEM_DOORBELLS_SENT, doorbells_sent)	/* written to DOORBELL */	\
	X(BH_IVSHMEM_DOORBELLS_DELIVERED, doorbells_delivered) /* the peer got them */	\
	X(BH_IVSHMEM_DROPPED_NO_PEER, dropped_no_peer)	/* no such peer ID */		\
	X(BH_IVSHMEM_DROPPED_NOT_RUNNING, dropped_not_running) /* its cell not running or absent */ \
	X(BH_IVSHMEM_DROPPED_NO_VECTOR, dropped_no_vector) /* vector it has not set up */ \
	X(BH_IVSHMEM_DROPPED_MASKED, dropped_masked)	/* vector masked: held pending */ \
	X(BH_IVSHMEM_INTERRUPTS_RECEIVED, interrupts_received) /* delivered to this cell */ \
	X(BH_IVSHMEM_MSIX_REFUSED, msix_refused)	/* this cell's MSI-X entry unusable */
#define BH_IVSHMEM_DOORBELLS_SENT	0
#define BH_IVSHMEM_DOORBELLS_DELIVERED	1
#define BH_IVSHMEM_DROPPED_NO_PEER	2
#define BH_IVSHMEM_DROPPED_NOT_RUNNING	3
#define BH_IVSHMEM_DROPPED_NO_VECTOR	4
#define BH_IVSHMEM_DROPPED_MASKED	5
#define BH_IVSHMEM_INTERRUPTS_RECEIVED	6
#define BH_IVSHMEM_MSIX_REFUSED		7
#define BH_IVSHMEM_STATS		8

/* BH_HC_CPU_GET_INFO */
#define BH_CPU_INFO_STATE		0
#define BH_CPU_INFO_EXITS_TOTAL		1
#define BH_CPU_INFO_VIOLATIONS		2
#define BH_CPU_INFO_EXIT_CYCLES		3	/* TSC cycles in the exit handler */

/* BH_CPU_INFO_EXITS_BASE + BH_EXIT_*: exits of one kind on that CPU */
#define BH_CPU_INFO_EXITS_BASE		16
#define BH_EXIT_CPUID			0
#define BH_EXIT_MSR			1
#define BH_EXIT_PIO			2
#define BH_EXIT_MMIO			3	/* nested page faults */
#define BH_EXIT_HYPERCALL		4
#define BH_EXIT_NMI			5
#define BH_EXIT_INIT			6
#define BH_EXIT_OTHER			7
#define BH_EXIT_REASONS			8
/*
 * Each reason and its name, the one list of them: X(BH_EXIT_*, name).
 * sysfs spells a reason statistics/cpu<N>/vmexits_<name>
 * (BH_SYSFS_EXITS_PREFIX, bulkhead/sysfs.h); the driver makes its files
 * from this list, tools and benchmarks read them by these names.
 */
#define BH_EXIT_LIST(X)					\
	X(BH_EXIT_CPUID, cpuid)				\
	X(BH_EXIT_MSR, msr)				\
	X(BH_EXIT_PIO, pio)				\
	X(BH_EXIT_MMIO, mmio)				\
	X(BH_EXIT_HYPERCALL, hypercall)			\
	X(BH_EXIT_NMI, nmi)				\
	X(BH_EXIT_INIT, init)				\
	X(BH_EXIT_OTHER, other)
#define __BH_EXIT_NAME(reason, name)	[reason] = #name,
/* An initializer: names[BH_EXIT_*] is the reason's name. */
#define BH_EXIT_NAMES			{ BH_EXIT_LIST(__BH_EXIT_NAME) }

#define BH_CPU_RUNNING			0
#define BH_CPU_FAILED			2

#endif /* BULKHEAD_HYPERCALL_H */
