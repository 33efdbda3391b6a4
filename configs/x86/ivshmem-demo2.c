// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for the inmate side of the second ivshmem pair, 00:0f.0:
 * like ivshmem-demo.c (whose layout it takes), on CPU 2 with its own RAM
 * and the root cell's region 3 as shared memory.
 */
#include "q35-ivshmem.h"

#define IVSHMEM_DEMO_NAME	"ivshmem-demo2"
#define IVSHMEM_DEMO_CPU	2
#define IVSHMEM_DEMO_RAM	0x3c200000
#define IVSHMEM_DEMO_SHMEM	0x3e200000	/* the root cell's region 3 */
#define IVSHMEM_DEMO_BDF	Q35_IVSHMEM_BDF_B	/* q35-ivshmem.h */

#include "ivshmem-demo.c"
