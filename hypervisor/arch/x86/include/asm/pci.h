/* SPDX-License-Identifier: GPL-2.0-only */
/* PCI config mechanism #1 on x86: ports 0xcf8-0xcff (arch/x86/pci.c). */
#ifndef BH_ASM_PCI_H
#define BH_ASM_PCI_H

#include <common/pci.h>
#include <hv.h>

struct per_cpu;

/*
 * An intercepted port access of @size bytes by @cpu's cell: 1 when @port
 * is a config port and the access was carried out (a read's result in
 * *@value), 0 when the port is not one of them.
 */
int pci_conf1_access(struct per_cpu *cpu, uint16_t port, unsigned int size,
		     int in, uint32_t *value);

#endif
