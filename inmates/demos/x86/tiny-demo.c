// SPDX-License-Identifier: GPL-2.0-only
/* The smallest inmate: says hello with its CPU's TSC and is done. */
#include "../../lib/x86/inmate.h"

int inmate_main(void)
{
	printk("Hello from tiny-demo, TSC %lu\n", rdtsc());
	return 0;
}
