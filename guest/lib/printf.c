/*
 * A small printf straight to the serial port. 64-bit numbers are formatted
 * without 64-bit division, since guests are not linked against libgcc.
 */
#include "printf.h"
#include "serial.h"
#include "string.h"

/* Divides *v by `base` in place by binary long division; returns the remainder. */
static unsigned divmod(uint64_t *v, unsigned base)
{
	uint64_t q = 0;
	uint32_t rem = 0;
	for (int bit = 63; bit >= 0; bit--) {
		rem = rem << 1 | (uint32_t)(*v >> bit & 1);
		if (rem >= base) {
			rem -= base;
			q |= 1ull << bit;
		}
	}
	*v = q;
	return rem;
}

struct spec {
	bool left;
	char pad;
	int width;
};

static int emit_padded(const char *s, size_t n, const struct spec *sp)
{
	int fill = sp->width > (int)n ? sp->width - (int)n : 0;
	int out = fill + (int)n;
	if (!sp->left)
		while (fill-- > 0)
			serial_putc(sp->pad);
	while (n--)
		serial_putc(*s++);
	if (sp->left)
		while (fill-- > 0)
			serial_putc(' ');
	return out;
}

static int emit_number(uint64_t v, bool neg, unsigned base, bool upper, struct spec sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0;
	int out = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[divmod(&v, base)];
	} while (v);
	if (neg) {
		if (sp.pad == '0') { /* "-0042": the sign goes before the zeros */
			serial_putc('-');
			out++;
			if (sp.width > 0)
				sp.width--;
		} else {
			tmp[sizeof(tmp) - 1 - n++] = '-';
		}
	}
	return out + emit_padded(tmp + sizeof(tmp) - n, n, &sp);
}

int vprintf(const char *fmt, va_list ap)
{
	int out = 0;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			serial_putc(*fmt);
			out++;
			continue;
		}
		struct spec sp = { false, ' ', 0 };
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.pad = '0';
			else
				break;
		}
		if (sp.left)
			sp.pad = ' ';
		while (*fmt >= '0' && *fmt <= '9')
			sp.width = sp.width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = longs >= 2 ? va_arg(ap, long long) : (int64_t)va_arg(ap, int);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			out += emit_number(mag, v < 0, 10, false, sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs >= 2 ? va_arg(ap, unsigned long long)
						: (uint64_t)va_arg(ap, unsigned int);
			out += emit_number(v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', sp);
			break;
		}
		case 'p':
			serial_write("0x");
			sp.pad = '0';
			sp.width = 8;
			out += 2 + emit_number((uintptr_t)va_arg(ap, void *), false, 16, false, sp);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			out += emit_padded(&c, 1, &sp);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			sp.pad = ' ';
			out += emit_padded(s, strlen(s), &sp);
			break;
		}
		case '%':
			serial_putc('%');
			out++;
			break;
		case '\0': /* a lone '%' at the end */
			return out;
		default: /* unknown: show it verbatim rather than guess */
			serial_putc('%');
			serial_putc(*fmt);
			out += 2;
			break;
		}
	}
	return out;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
