/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's own descriptor tables (traps.c, traps.S). */
#ifndef BH_ASM_TRAPS_H
#define BH_ASM_TRAPS_H

#include <hv.h>

void traps_init(void);		/* once, before any CPU loads them */
void traps_load(void);		/* on each CPU */

/* Takes an NMI that an NMI exit left pending (it then just returns). */
static inline void traps_take_nmi(void)
{
	asm volatile("stgi; clgi" ::: "memory");
}

#endif
