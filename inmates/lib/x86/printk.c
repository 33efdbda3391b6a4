// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console output of inmates: formatted by common/format.c (as the
 * hypervisor's own), written by the hypervisor a byte per hypercall.
 */
#include <common/format.h>

#include "inmate.h"

static void put_char(void *ctx, char c)
{
	(void)ctx;
	hypercall2(BH_HC_DEBUG_CONSOLE_PUTC, (unsigned char)c, 0);
}

void vprintk(const char *fmt, va_list ap)
{
	format_v(put_char, NULL, fmt, ap);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void inmate_exit(int failed)
{
	hypercall2(BH_HC_CELL_REPORT, failed ? BH_REPORT_FAILED : BH_REPORT_DONE, 0);
	for (;;)
		asm volatile("cli; hlt");
}
