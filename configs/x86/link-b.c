// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Cell config for peer 2 of qemu-q35-link.c's link 00:10.0: like
 * link-a.c, on CPU 2 with its own RAM.
 */
#define LINK_CELL_NAME		"link-b"
#define LINK_CELL_CPU		2
#define LINK_CELL_RAM		0x3c600000
#define LINK_CELL_PEER		2

#include "link-a.c"
