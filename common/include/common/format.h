/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * printf-style formatting for freestanding code: the hypervisor's console
 * and the inmate runtime share it (common/format.c). Knows %s %c %d %u %x
 * %p %%, the l/ll size prefixes, a field width and zero padding; anything
 * else prints '?'.
 */
#ifndef BH_COMMON_FORMAT_H
#define BH_COMMON_FORMAT_H

#include <stdarg.h>

/* Where the characters go, one at a time. */
typedef void (*format_emit_t)(void *ctx, char c);

/* Formats @fmt with @ap through @emit; returns the characters emitted. */
int format_v(format_emit_t emit, void *ctx, const char *fmt, va_list ap);

#endif
