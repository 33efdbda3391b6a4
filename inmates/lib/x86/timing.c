// SPDX-License-Identifier: GPL-2.0-only
/*
 * TSC and APIC timer frequencies, measured against the ACPI PM timer
 * (3.579545 MHz, 24 bits; port from the system config, 0x608 on q35).
 */
#include "inmate.h"

#define PM_TIMER_HZ	3579545ull
#define PM_TIMER_MASK	0xffffffu
#define CALIBRATE_PM	(PM_TIMER_HZ / 20)	/* 50 ms */

static uint16_t pm_port;
static uint64_t tsc_hz;

static uint32_t pm_now(void)
{
	return inl(pm_port) & PM_TIMER_MASK;
}

/* Waits @ticks PM timer ticks (< 2^24) from @start. */
static void pm_wait(uint32_t start, uint32_t ticks)
{
	while (((pm_now() - start) & PM_TIMER_MASK) < ticks)
		cpu_relax();
}

uint64_t timing_init(uint16_t pm_timer_port)
{
	uint64_t tsc0;
	uint32_t pm0;

	pm_port = pm_timer_port;
	pm0 = pm_now();
	tsc0 = rdtsc();
	pm_wait(pm0, CALIBRATE_PM);
	tsc_hz = (rdtsc() - tsc0) * PM_TIMER_HZ / CALIBRATE_PM;
	return tsc_hz;
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	return tsc / tsc_hz * 1000000000ull + tsc % tsc_hz * 1000000000ull / tsc_hz;
}

uint64_t now_ns(void)
{
	return tsc_to_ns(rdtsc());
}

uint64_t apic_timer_hz(void)
{
	uint32_t pm0, left;

	/* Count down from the top with the timer's interrupt masked. */
	apic_timer_oneshot(0x100ff, 0xffffffffu);
	pm0 = pm_now();
	pm_wait(pm0, CALIBRATE_PM);
	left = apic_timer_current();
	apic_timer_oneshot(0x100ff, 0);		/* stop */
	return (0xffffffffull - left) * PM_TIMER_HZ / CALIBRATE_PM;
}
