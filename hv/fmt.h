/* hv_vsnprintf: the formatter behind every message the hypervisor prints. */
#ifndef HV_FMT_H
#define HV_FMT_H

#include <stdarg.h>
#include "hv/types.h"

/*
 * Supports %d %i %u %x %X %c %s %p %% with flags '-' and '0', a width, and the
 * length modifiers hh h l ll z. Always NUL-terminates when size > 0 and
 * returns the length the full output would have had, like C's vsnprintf.
 */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
/*
 * Copies src to dst (size bytes, always NUL-terminated when size > 0) with every
 * byte that is not printable ASCII (0x20-0x7e) written as \xNN, so text from a
 * file or a guest cannot send control sequences to the operator's terminal.
 * Returns the length the full output would have had.
 */
size_t hv_escape(char *dst, size_t size, const char *src);

#endif
