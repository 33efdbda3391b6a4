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

/* Where the config checker's findings go: @ctx is what was checked. */
void setup_config_problem(void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
