// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mem-violator.c for the Bochs machine (bochs-i440fx.c): CPU 1, the same
 * memory as on QEMU (the reservation is the same).
 */
#include "bochs-i440fx.h"

#define MEM_VIOLATOR_NAME	"bochs-mem-violator"
#define MEM_VIOLATOR_CPU	BOCHS_INMATE_CPU

#include "mem-violator.c"
