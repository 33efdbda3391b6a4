/* SPDX-License-Identifier: GPL-2.0-only */
/* Enabling and disabling: the core flow and the hooks each arch provides. */
#ifndef BH_SETUP_H
#define BH_SETUP_H

#include <hv.h>
#include <bulkhead/config.h>
#include <bulkhead/image.h>

struct per_cpu;

extern struct bh_image_header bh_header;
extern const struct bh_system_config *system_config;

/* Core: the entry flow on one CPU; 0 means "activate now". */
int hv_cpu_entry(struct per_cpu *cpu);
/* Core: a root CPU asks to leave; returns when it must not. */
int hv_cpu_disable(struct per_cpu *cpu);

/* Arch hooks. */
int arch_check_features(void);			/* this CPU */
int arch_cpu_init(struct per_cpu *cpu);
void __attribute__((noreturn)) arch_cpu_activate(struct per_cpu *cpu);
void __attribute__((noreturn)) arch_cpu_leave(struct per_cpu *cpu);

/* Hypervisor virtual address to physical. */
uint64_t hv_virt_to_phys(const void *p);

#endif
