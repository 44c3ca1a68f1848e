/*
 * The hypervisor's console. Every call prints whole text atomically with
 * respect to the other CPUs, so lines from different cores never interleave.
 * The sink is the UART on hv.efi and stdout in host tests. While a CPU runs its
 * guest, hv_printf queues the text in that CPU's buffer and never waits for the
 * UART; it is never dropped (hv/console.h).
 */
#ifndef HV_LOG_H
#define HV_LOG_H

#include "hv/types.h"

typedef void (*console_sink_fn)(const char *s, size_t n);

void console_set_sink(console_sink_fn sink);
void hv_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Print without taking the console lock: for crash reports, where the lock may be held. */
void hv_printf_nolock(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* A multi-line report (a crash) that other CPUs' lines must not cut into: takes the console
 * lock if it comes free within a bounded wait (it may be held by the crashing CPU itself)
 * and returns whether it did; print with hv_printf_nolock, then console_report_end(). */
bool console_report_begin(void);
void console_report_end(bool held);

#endif
