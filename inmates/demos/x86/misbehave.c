// SPDX-License-Identifier: GPL-2.0-only
/*
 * misbehave: breaks a rule chosen by a second image, for cell-faults.
 * `bulkhead cell load misbehave misbehave.bin MODE -a 0x80000` puts one
 * character at 0x80000:
 *   m  read memory the cell was not given
 *   i  read an I/O port the cell was not given (COM1's status)
 *   t  triple fault (an empty IDT, then an exception)
 *   l  loop forever with interrupts off (shutdown must still work)
 *   a  move its local APIC (refused with a #GP: with no IDT, a triple fault)
 *   v  program LINT0 to deliver INIT (refused and reported; it goes on)
 */
#include "../../lib/x86/inmate.h"

#define MODE_ADDR	0x80000ul

int inmate_main(void)
{
	char mode = *(volatile char *)MODE_ADDR;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	printk("misbehave: mode '%c'\n", mode);
	switch (mode) {
	case 'm':
		printk("misbehave: read 0x%lx\n", *(volatile uint64_t *)0x3a000000ul);
		break;
	case 'i':
		printk("misbehave: port 0x3fd reads 0x%x\n", inb(0x3fd));
		break;
	case 't':
		asm volatile("lidt %0; int3" : : "m"(no_idt));
		break;
	case 'l':
		asm volatile("cli");
		for (;;)
			cpu_relax();
	case 'a':
		/* IA32_APIC_BASE: same flags, base moved into our own RAM */
		asm volatile("wrmsr" : : "c"(0x1b), "a"(0x900), "d"(0));
		break;
	case 'v':
		apic_write(0x350, 5 << 8);	/* LINT0: INIT, unmasked */
		printk("misbehave: LINT0 reads 0x%x\n", apic_read(0x350));
		return 0;
	default:
		printk("misbehave: unknown mode\n");
		return 1;
	}
	printk("misbehave: still running: the hypervisor did not stop me\n");
	return 1;
}
