// SPDX-License-Identifier: GPL-2.0-only
/* Console output of inmates: formatted here, written by the hypervisor. */
#include "inmate.h"

static void put(char c)
{
	hypercall2(BH_HC_DEBUG_CONSOLE_PUTC, (unsigned char)c, 0);
}

static void put_num(uint64_t v, unsigned int base, int neg, int width, char pad)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		digits[n++] = '-';
	while (width-- > n)
		put(pad);
	while (n)
		put(digits[--n]);
}

void vprintk(const char *fmt, va_list ap)
{
	int longs, width;
	const char *s;
	int64_t sv;
	char pad;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt);
			continue;
		}
		fmt++;
		pad = ' ';
		if (*fmt == '0')
			pad = *fmt++;
		for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (longs = 0; *fmt == 'l'; fmt++)
			longs++;
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				put(*s);
			break;
		case 'c':
			put((char)va_arg(ap, int));
			break;
		case 'd':
			sv = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, sv < 0, width, pad);
			break;
		case 'u':
			put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int),
				10, 0, width, pad);
			break;
		case 'x':
			put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int),
				16, 0, width, pad);
			break;
		default:
			put('%');
			put(*fmt);
			break;
		}
	}
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

/* String instructions: fast on every x86 since Ivy Bridge, and under TCG. */
void *memset(void *s, int c, size_t n)
{
	void *p = s;

	asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dp = d;

	asm volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
	return d;
}
