/* Console output: format into a bounded buffer, then hand whole text to the sink under a lock. */
#include <stdarg.h>
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/spinlock.h"

static console_sink_fn console_sink;
static spinlock_t console_lock;

void console_set_sink(console_sink_fn sink)
{
	console_sink = sink;
}

static void emit(bool locked, const char *fmt, va_list ap)
{
	char buf[512];
	int n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1);
	if (!console_sink)
		return;
	if (locked)
		spin_lock(&console_lock);
	console_sink(buf, len);
	if (locked)
		spin_unlock(&console_lock);
}

void hv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(true, fmt, ap);
	va_end(ap);
}

bool console_report_begin(void)
{
	return spin_lock_bounded(&console_lock, 1u << 20);
}

void console_report_end(bool held)
{
	if (held)
		spin_unlock(&console_lock);
}

void hv_printf_nolock(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(false, fmt, ap);
	va_end(ap);
}
