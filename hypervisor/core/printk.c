// SPDX-License-Identifier: GPL-2.0-only
/*
 * printk to the hypervisor's 16550 UART. One lock keeps lines whole when
 * several CPUs print; the formatter is common/format.c, shared with the
 * inmate runtime.
 */
#include <common/format.h>
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

static void printk_uart_putc(char c)
{
	unsigned int spins = 100000;

	if (!console_port)
		return;
	while (!(inb(console_port + UART_LSR) & UART_LSR_THRE) && --spins)
		cpu_relax();
	outb(console_port, (uint8_t)c);
}

struct line {
	char *buf;
	size_t size, len;
};

static void printk_line_char(void *ctx, char c)
{
	struct line *l = ctx;

	if (l->len + 1 < l->size)
		l->buf[l->len] = c;
	l->len++;
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct line l = { .buf = buf, .size = size };

	format_v(printk_line_char, &l, fmt, ap);
	if (size)
		buf[l.len < size ? l.len : size - 1] = 0;
	return (int)l.len;
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
			printk_uart_putc('\r');
		printk_uart_putc(line[i]);
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
