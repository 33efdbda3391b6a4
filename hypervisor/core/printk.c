// SPDX-License-Identifier: GPL-2.0-only
/*
 * printk to the hypervisor's 16550 UART. One lock keeps lines whole when
 * several CPUs print; the formatter knows %s %c %d %u %x %p with the l/ll
 * size prefixes, a width and zero padding: all the hypervisor prints.
 */
#include <hv.h>
#include <asm/processor.h>

#define UART_LSR		5
#define UART_LSR_THRE		0x20

static uint16_t console_port;
static spinlock_t console_lock;

void console_init(uint16_t uart_port)
{
	console_port = uart_port;
}

static void uart_putc(char c)
{
	unsigned int spins = 100000;

	if (!console_port)
		return;
	while (!(inb(console_port + UART_LSR) & UART_LSR_THRE) && --spins)
		cpu_relax();
	outb(console_port, (uint8_t)c);
}

struct out {
	char *buf;
	size_t size, len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, uint64_t v, unsigned int base, int neg,
		    int width, char pad)
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
		out_char(o, pad);
	while (n)
		out_char(o, digits[--n]);
}

static uint64_t take_unsigned(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, uint64_t);
	return va_arg(*ap, unsigned int);
}

static int64_t take_signed(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, int64_t);
	return va_arg(*ap, int);
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	va_list args;
	const char *s;
	int64_t sv;
	int longs, width;
	char pad;

	va_copy(args, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
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
			for (s = va_arg(args, const char *); s && *s; s++)
				out_char(&o, *s);
			break;
		case 'c':
			out_char(&o, (char)va_arg(args, int));
			break;
		case 'd':
			sv = take_signed(&args, longs);
			out_num(&o, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10,
				sv < 0, width, pad);
			break;
		case 'u':
			out_num(&o, take_unsigned(&args, longs), 10, 0, width, pad);
			break;
		case 'x':
			out_num(&o, take_unsigned(&args, longs), 16, 0, width, pad);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_num(&o, (uint64_t)va_arg(args, void *), 16, 0, 0, ' ');
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '?');
			break;
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

void vprintk(const char *fmt, va_list ap)
{
	char line[256];
	int n, i;

	n = vsnprintk(line, sizeof(line), fmt, ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	spin_lock(&console_lock);
	for (i = 0; i < n; i++) {
		if (line[i] == '\n')
			uart_putc('\r');
		uart_putc(line[i]);
	}
	spin_unlock(&console_lock);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
