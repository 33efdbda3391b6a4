// SPDX-License-Identifier: GPL-2.0-only
/*
 * apic-demo: the local APIC timer fires every 100 ms; each time the
 * inmate prints how late it was against the TSC (the jitter) and the
 * smallest and largest so far, as in the Jailhouse tutorial. It runs until
 * the cell is shut down.
 */
#include "../../lib/x86/inmate.h"

#define TIMER_VECTOR	32
#define PERIOD_NS	100000000ull

static uint64_t apic_hz, expected_ns;
static int64_t jitter_min = INT64_MAX, jitter_max = INT64_MIN;

static uint32_t ns_to_apic_ticks(uint64_t ns)
{
	uint64_t ticks = ns * apic_hz / 1000000000ull;

	return ticks ? (uint32_t)ticks : 1;
}

static void timer_fired(unsigned int vector)
{
	uint64_t now = now_ns();
	int64_t jitter = (int64_t)(now - expected_ns);

	if (jitter < jitter_min)
		jitter_min = jitter;
	if (jitter > jitter_max)
		jitter_max = jitter;
	printk("Timer fired, jitter: %6ld ns, min: %6ld ns, max: %6ld ns\n",
	       jitter, jitter_min, jitter_max);
	expected_ns += PERIOD_NS;
	now = now_ns();
	apic_timer_oneshot(vector, ns_to_apic_ticks(expected_ns > now ?
						     expected_ns - now : 1));
}

int inmate_main(void)
{
	uint64_t tsc_hz;

	/* x2APIC where the CPU has it: the timer and EOI then never exit. */
	printk("Using %s\n", apic_choose_mode());
	tsc_hz = timing_init(PM_TIMER_PORT);

	apic_hz = apic_timer_hz();
	printk("Calibrated TSC frequency: %lu.%03lu kHz\n", tsc_hz / 1000,
	       tsc_hz % 1000);
	printk("Calibrated APIC frequency: %lu kHz\n", apic_hz / 1000);

	irq_init();
	irq_set_handler(TIMER_VECTOR, timer_fired);
	expected_ns = now_ns() + PERIOD_NS;
	apic_timer_oneshot(TIMER_VECTOR, ns_to_apic_ticks(PERIOD_NS));
	irq_enable();
	for (;;)
		asm volatile("hlt");
	return 0;
}
