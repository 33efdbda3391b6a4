/* SPDX-License-Identifier: GPL-2.0-only */
/* What every hypervisor file needs: types, string helpers, locks, output. */
#ifndef BH_HV_H
#define BH_HV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <bulkhead/errno.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define BH_VERSION	"0.1"

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strnlen(const char *s, size_t max);

/* A ticket-free test-and-set lock: hypervisor paths are short. */
typedef struct {
	volatile int locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			asm volatile("pause");
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Console output (the system config's debug console). */
void console_init(uint16_t uart_port);
/* The log ring (bulkhead/console.h) and its size, for the root cell's mapping. */
const void *console_log(uint64_t *size);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);

#endif
