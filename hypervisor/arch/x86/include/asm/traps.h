/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's own descriptor tables (traps.c, traps.S). */
#ifndef BH_ASM_TRAPS_H
#define BH_ASM_TRAPS_H

#include <hv.h>

void traps_init(void);		/* once, before any CPU loads them */
void traps_load(void);		/* on each CPU */

#endif
