/* SPDX-License-Identifier: GPL-2.0-only */
/* The bulkhead tool's exit codes, for all its parts: 0 done. */
#ifndef BULKHEAD_TOOLS_EXIT_CODES_H
#define BULKHEAD_TOOLS_EXIT_CODES_H

#define EXIT_FAILED		1	/* the operation failed */
#define EXIT_USAGE		2	/* the command line is wrong */

#endif
