// SPDX-License-Identifier: GPL-2.0-only
/* printf-style formatting for freestanding code (see common/format.h). */
#include <stdint.h>

#include <common/format.h>

struct out {
	format_emit_t emit;
	void *ctx;
	int len;
};

static void out_char(struct out *o, char c)
{
	o->emit(o->ctx, c);
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

int format_v(format_emit_t emit, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { .emit = emit, .ctx = ctx };
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
		if (!*fmt)
			break;		/* a lone '%' at the end */
	}
	va_end(args);
	return o.len;
}
