// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * System config: qemu-q35.c plus a 3-peer ivshmem link at 00:10.0 (the
 * layout in q35-link.h): root Linux is peer 0, the cells link-a.c and
 * link-b.c are peers 1 and 2. The pairs 00:0e.0 and 00:0f.0 stay.
 */
#define Q35_LINK
#include "qemu-q35.c"
