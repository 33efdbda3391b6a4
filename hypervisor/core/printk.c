// SPDX-License-Identifier: GPL-2.0-only
/*
 * printk to the hypervisor's 16550 UART, if the system config names one,
 * and always to the log ring root Linux reads (bulkhead/console.h). One
 * lock keeps lines whole when several CPUs print; the formatter is
 * common/format.c, shared with the inmate runtime.
 */
#include <bulkhead/console.h>
#include <common/format.h>
#include <hv.h>
#include <asm/processor.h>

#define UART_LSR		5
#define UART_LSR_THRE		0x20

static uint16_t console_port;
static spinlock_t console_lock;

/* Page aligned and whole pages: arch code maps exactly it into the root cell. */
struct bh_console_log hv_log __attribute__((aligned(4096)));

void console_init(uint16_t uart_port)
{
	console_port = uart_port;
	hv_log.buf_size = BH_CONSOLE_LOG_BUF;
	hv_log.magic = BH_CONSOLE_LOG_MAGIC;
}

const void *console_log(uint64_t *size)
{
	*size = sizeof(hv_log);
	return &hv_log;
}

/* @n bytes into the ring, under console_lock (the reader's side: console.h). */
static void log_write(const char *s, unsigned int n)
{
	uint64_t pos = hv_log.committed;
	unsigned int i;

	__atomic_store_n(&hv_log.reserved, pos + n, __ATOMIC_RELAXED);
	/* The reserve is seen before any byte it covers is changed. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < n; i++)
		hv_log.buf[(pos + i) % BH_CONSOLE_LOG_BUF] = s[i];
	/* Pairs with the reader's acquire load of committed. */
	__atomic_store_n(&hv_log.committed, pos + n, __ATOMIC_RELEASE);
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
	log_write(line, (unsigned int)n);
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
