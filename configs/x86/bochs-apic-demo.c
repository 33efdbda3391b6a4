// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * apic-demo.c for the Bochs machine (bochs-i440fx.c): CPU 1, the same
 * memory as on QEMU (the reservation is the same) and Bochs' PM timer
 * port. Runs build/inmates/bochs-apic-demo.bin, built for that port.
 */
#include "bochs-i440fx.h"

#define APIC_DEMO_NAME	"bochs-apic-demo"
#define APIC_DEMO_CPU	BOCHS_INMATE_CPU
#define APIC_DEMO_PM_TIMER	BOCHS_PM_TIMER_PORT

#include "apic-demo.c"
