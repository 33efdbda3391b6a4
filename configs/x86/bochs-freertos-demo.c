// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * freertos-demo.c for the Bochs machine (bochs-i440fx.c): the cell
 * "FreeRTOS" on CPU 1 with Bochs' PM timer port. Runs
 * build/inmates/bochs-freertos-demo.bin, built for that port, kept in
 * xAPIC mode (its CPU goes back to Linux) and ticking at 100 Hz.
 */
#include "bochs-i440fx.h"

#define FREERTOS_DEMO_CPU	BOCHS_INMATE_CPU
#define FREERTOS_DEMO_PM_TIMER	BOCHS_PM_TIMER_PORT

#include "freertos-demo.c"
