// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioport-probe: a user process's port I/O through the TSS I/O bitmap
 * (ioperm) still works. A VM exit on Intel VMX leaves the host's TR
 * limit at 0x67, which hides the bitmap: if the hypervisor hands a CPU
 * back to Linux like that, the IN below raises #GP (SIGSEGV, exit 139).
 * Usage: ioport-probe [PORT] (default 0x80, the POST port: harmless).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	unsigned long port = argc > 1 ? strtoul(argv[1], NULL, 0) : 0x80;
	unsigned char value;

	if (port > 0xffff) {
		fprintf(stderr, "ioport-probe: port %s out of range\n", argv[1]);
		return 2;
	}
	if (ioperm(port, 1, 1)) {
		fprintf(stderr, "ioport-probe: ioperm(0x%lx): %s\n", port, strerror(errno));
		return 1;
	}
	value = inb((unsigned short)port);
	printf("ioport-probe: in 0x%lx = 0x%02x\n", port, value);
	return 0;
}
