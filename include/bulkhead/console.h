/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Bulkhead ABI: the hypervisor's log, everything it prints on its console
 * (inmates' output included), kept in a ring in its memory whether or not
 * a UART is configured. The image header says where (console_offset,
 * bulkhead/image.h). While the hypervisor runs, the ring's pages are
 * mapped read-only into the root cell, so root Linux reads the log
 * without a hypercall; the driver keeps a copy when the hypervisor stops
 * or fails to start, and serves both through read() on /dev/bulkhead
 * (file position = byte position in the log since enable).
 *
 * Positions count bytes since enable; byte P lives in buf[P % BH_CONSOLE_LOG_BUF].
 * The hypervisor, one writer at a time, stores reserved = old + n, then
 * the n bytes, then committed = old + n (release). A reader loads
 * committed (acquire), copies what it wants below it, then loads reserved
 * again: bytes below reserved - BH_CONSOLE_LOG_BUF may have been overwritten
 * while it copied and are dropped.
 */
#ifndef BULKHEAD_CONSOLE_H
#define BULKHEAD_CONSOLE_H

#include <bulkhead/types.h>

#define BH_CONSOLE_LOG_BUF		(64 * 1024)	/* bytes of log kept */
#define BH_CONSOLE_LOG_MAGIC	0x474f4c48u	/* "HLOG" */

struct bh_console_log {
	uint64_t committed;	/* hypervisor: bytes readable, written last */
	uint64_t reserved;	/* hypervisor: bytes being written, written first */
	uint32_t magic;		/* BH_CONSOLE_LOG_MAGIC once the hypervisor started */
	uint32_t buf_size;	/* BH_CONSOLE_LOG_BUF */
	uint8_t header_page[4096 - 24];	/* the buffer starts page aligned */
	char buf[BH_CONSOLE_LOG_BUF];
} BH_PACKED;

/* Whole pages: mapping it into the root cell shows nothing else. */
_Static_assert(sizeof(struct bh_console_log) % 4096 == 0, "bh_console_log is whole pages");
_Static_assert(__builtin_offsetof(struct bh_console_log, buf) == 4096, "bh_console_log buf");

#endif /* BULKHEAD_CONSOLE_H */
