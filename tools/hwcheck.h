/* SPDX-License-Identifier: GPL-2.0-only */
/* bulkhead hardware check (tools/hwcheck.c). */
#ifndef BULKHEAD_TOOLS_HWCHECK_H
#define BULKHEAD_TOOLS_HWCHECK_H

struct bh_system_config;

/*
 * Prints what the machine offers and what each missing item means, with
 * @cfg (may be NULL) checked against the memory Linux uses. Returns 0
 * when enable can work (items it could not check are marked ?), else 1.
 */
int hwcheck_run(const struct bh_system_config *cfg);

#endif
