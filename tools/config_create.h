/* SPDX-License-Identifier: GPL-2.0-only */
/* bulkhead config create (tools/config_create.c). */
#ifndef BULKHEAD_TOOLS_CONFIG_CREATE_H
#define BULKHEAD_TOOLS_CONFIG_CREATE_H

#include <stdint.h>

#define CONFIG_CREATE_MAX_CELLS	8
#define CONFIG_CREATE_MAX_LINKS	4

/* --link BDF,PEERS,COMMON,OUTPUT: a link root Linux is peer 0 of. */
struct config_create_link {
	uint16_t bdf;
	uint16_t num_peers;
	uint64_t common_size, output_size;
};

struct bh_cell_desc;

struct config_create_opts {
	const char *c_path;		/* NULL: stdout */
	const char *blob_path;		/* NULL: none */
	const char *name;		/* the root cell's */
	uint64_t mem_hv;		/* the hypervisor's part of the reservation */
	uint64_t mem_inmates;		/* what the reservation must hold besides */
	const struct bh_cell_desc *cells[CONFIG_CREATE_MAX_CELLS];	/* checked configs */
	const char *cell_paths[CONFIG_CREATE_MAX_CELLS];
	int num_cells;
	struct config_create_link links[CONFIG_CREATE_MAX_LINKS];
	int num_links;
};

/* Generates the config; prints why not. Returns the exit code. */
int config_create(const struct config_create_opts *o);

#endif
