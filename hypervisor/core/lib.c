// SPDX-License-Identifier: GPL-2.0-only
/* String functions of the hypervisor's own; memset/memcpy: common/x86_string.c. */
#include <hv.h>

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *pa = a, *pb = b;

	for (; n; n--, pa++, pb++)
		if (*pa != *pb)
			return *pa - *pb;
	return 0;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}
