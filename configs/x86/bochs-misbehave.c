// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * misbehave.c for the Bochs machine (bochs-i440fx.c): CPU 1, the same
 * memory as on QEMU (the reservation is the same).
 */
#include "bochs-i440fx.h"

#define MISBEHAVE_NAME	"bochs-misbehave"
#define MISBEHAVE_CPU	BOCHS_INMATE_CPU

#include "misbehave.c"
