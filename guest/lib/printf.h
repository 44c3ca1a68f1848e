/* printf on COM1. */
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include <stdarg.h>
#include "guest.h"

/*
 * Conversions: %d %i %u %x %X %c %s %p %%, with flags '-' and '0', a field
 * width, and length modifiers l (32-bit here) and ll (64-bit), e.g. %08x,
 * %llx, %-10s. Returns the number of characters written.
 */
int printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int vprintf(const char *fmt, va_list ap);

#endif
