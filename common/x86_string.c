// SPDX-License-Identifier: GPL-2.0-only
/*
 * memset and memcpy for freestanding x86 code (the compiler emits calls to
 * them too). String instructions: fast on every x86 since Ivy Bridge, and
 * under QEMU TCG, where a byte loop costs an instruction per byte.
 */
#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

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
