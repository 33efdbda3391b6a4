// SPDX-License-Identifier: GPL-2.0-only
/*
 * mem-violator: misbehaves on purpose, for the cell-isolation scenario.
 * It says hello, then reads memory its cell was not given (guest-physical
 * 0x3a000000: in the root cell that is the hypervisor's memory; in this
 * cell it is nothing). The hypervisor must stop it there.
 */
#include "../../lib/x86/inmate.h"

#define FORBIDDEN	0x3a000000ul

int inmate_main(void)
{
	volatile uint64_t *p = (volatile uint64_t *)FORBIDDEN;

	printk("mem-violator: reading 0x%lx, which this cell was not given\n", FORBIDDEN);
	printk("mem-violator: read 0x%lx: the hypervisor did not stop me\n", *p);
	return 1;
}
