// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * tiny-demo.c for the Bochs machine (bochs-i440fx.c): CPU 1, the same
 * memory as on QEMU (the reservation is the same).
 */
#include "bochs-i440fx.h"

#define TINY_DEMO_NAME	"bochs-tiny-demo"
#define TINY_DEMO_CPU	BOCHS_INMATE_CPU

#include "tiny-demo.c"
