/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's log for the bulkhead tool (tools/console.c): read() on
 * /dev/bulkhead, the file position being the byte position in the log
 * (include/bulkhead/console.h, driver/console.c).
 */
#ifndef BULKHEAD_TOOLS_CONSOLE_H
#define BULKHEAD_TOOLS_CONSOLE_H

/* bulkhead console [-f]: the exit code. */
int console_cmd(const char *dev, int argc, char **argv);

/* Where the log ends now, to show what an operation adds to it; -1: no log. */
long long console_mark(const char *dev);

/*
 * After a failed operation: the hypervisor's lines since @mark (the last
 * CONSOLE_REPORT_LINES of them) on stderr, under a heading; nothing if
 * there are none.
 */
void console_report(const char *dev, long long mark);

#endif
