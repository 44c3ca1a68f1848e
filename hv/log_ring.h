/*
 * The hypervisor's recent messages: every hv_printf (hv/log.h) is also appended here, so
 * the serial monitor's `log` can show them again after they have scrolled away. A byte
 * ring of LOG_RING_SIZE that keeps the newest bytes. Guest output and the monitor's own
 * answers are not kept. Appending never waits for long: a writer that cannot take the lock
 * within a bounded spin (a CPU crashed while holding it) drops its text and counts it.
 */
#ifndef HV_LOG_RING_H
#define HV_LOG_RING_H

#include "hv/types.h"

#define LOG_RING_SIZE 8192u

void log_ring_put(const char *s, size_t n);
/* The newest min(size, held) bytes, oldest first, into dst (not NUL-terminated): how many.
 * *cut: older text was overwritten or left out, so dst may start in the middle of a line. */
size_t log_ring_read(char *dst, size_t size, bool *cut);
/* Messages dropped because the lock could not be taken. */
uint64_t log_ring_lost(void);
/* Empty the ring (host tests). */
void log_ring_reset(void);

#endif
