// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ivshmem-demo.c for the Bochs machine (bochs-i440fx.c): the inmate side
 * of pair 00:0e.0 on CPU 1, with the same memory as on QEMU and Bochs'
 * PM timer port. Runs build/inmates/bochs-cellmsg-echo.bin.
 */
#include "bochs-i440fx.h"

#define IVSHMEM_DEMO_NAME	"bochs-ivshmem-demo"
#define IVSHMEM_DEMO_CPU	BOCHS_INMATE_CPU
#define IVSHMEM_DEMO_RAM	0x3c000000
#define IVSHMEM_DEMO_SHMEM	0x3e000000	/* the root cell's region 2 */
#define IVSHMEM_DEMO_BDF	(0x0e << 3)	/* 00:0e.0 */
#define IVSHMEM_DEMO_PM_TIMER	BOCHS_PM_TIMER_PORT

#include "ivshmem-demo.c"
