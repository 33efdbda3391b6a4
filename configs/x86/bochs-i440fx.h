/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Facts of the Bochs machine (configs/x86/bochs-i440fx.c) that its inmate
 * cell configs and the inmates built for it (build/inmates/bochs-*.bin,
 * compiled with -DPM_TIMER_PORT=BOCHS_PM_TIMER_PORT) share.
 */
#ifndef BOCHS_I440FX_H
#define BOCHS_I440FX_H

/* Bochs' BIOS puts the PIIX4 ACPI registers at 0xb000 (q35: 0x600). */
#define BOCHS_PM_TIMER_PORT	0xb008
/* The tests boot two CPUs: root Linux keeps CPU 0, cells get CPU 1. */
#define BOCHS_INMATE_CPU	1

#endif
