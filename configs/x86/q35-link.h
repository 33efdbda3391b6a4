/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The 3-peer ivshmem link of qemu-q35-link.c (root Linux peer 0, cells
 * link-a peer 1 and link-b peer 2), as the configs spell it. The system
 * config describes the link once (struct bh_ivshmem_link); the peers'
 * memory regions must name exactly its memory, which `bulkhead config
 * check` and the hypervisor verify, so these numbers are a convenience,
 * not a second description of the layout.
 */
#ifndef CONFIGS_Q35_LINK_H
#define CONFIGS_Q35_LINK_H

#include <bulkhead/ivshmem.h>

#define Q35_LINK_BDF		(0x10 << 3)	/* 00:10.0 */
#ifndef Q35_LINK_PEERS			/* the link-config scenario builds 16 and 17 */
#define Q35_LINK_PEERS		3
#endif
#define Q35_LINK_START		0x3e400000	/* in the memmap= reservation */
#define Q35_LINK_COMMON		0x10000		/* 64 KiB read-write for all */
#define Q35_LINK_OUTPUT		0x10000		/* 64 KiB per peer */
#define Q35_LINK_SIZE		IVSHMEM_LINK_SIZE(Q35_LINK_COMMON, Q35_LINK_OUTPUT, \
						  Q35_LINK_PEERS)
#define Q35_LINK_GPA		0x80000000	/* where the inmates see it */

#endif
