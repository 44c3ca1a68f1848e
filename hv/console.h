/*
 * How the console (hv/console.c) buffers and drains, for the platform layer and the core.
 * Printing itself is hv/log.h.
 *
 * Before a CPU runs its guest, and after, every print is synchronous: it takes the console
 * lock and waits for the UART (boot, takeover, the end-of-run summary). While a CPU runs
 * its guest (console_buffer_this_cpu(true) .. (false)) prints on it are appended to its
 * ring (hv/console_ring.h) and never wait: the exit path is never held up by the serial
 * line. Rings are drained by console_drain(): a try of the lock, one read of the UART's
 * line status, at most a FIFO's worth of bytes, no waiting; it is called after each
 * append, from the slow exit path (on SVM with GIF = 1), before a halted guest's wait and
 * from the host timer interrupt. A hypervisor message that finds its ring full writes the
 * ring out and then itself, waiting (hypervisor messages are never dropped); guest output
 * that finds the guest's half of the ring full is dropped and counted (hv/vuart.c).
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include "hv/console_ring.h"
#include "hv/types.h"

/* Output bytes the device takes now without waiting (0: none); its no-wait writer, given at
 * most that many output bytes ("\n" counted as 2). */
typedef size_t (*console_room_fn)(void);
typedef void (*console_write_fn)(const char *s, size_t n);
void console_set_nowait(console_room_fn room, console_write_fn write);
/* This CPU's index (0 .. HV_MAX_CPUS-1), or -1 where it cannot be told (before takeover). */
void console_set_cpu_fn(int (*cpu_index)(void));

/* This CPU runs its guest (true): prints go to its ring. false: its ring is written out,
 * waiting, and prints are synchronous again. */
void console_buffer_this_cpu(bool on);
/* Guest output (one or more whole lines): into this CPU's ring if it is buffered and the
 * guest's share has room, else false (dropped). Synchronous, and true, when not buffered. */
bool console_guest_put(const char *s, size_t n);
/* Is there room in this CPU's guest share for one more whole guest line? (The virtual
 * UART's LSR.THRE: a guest that polls it waits, in guest context, for its share of the
 * line instead of losing output.) Tries a drain when there is none. */
bool console_guest_room(void);
/* Anything queued in any CPU's ring? (A relaxed read, inline: whether console_drain is
 * worth the call; every slow exit asks.) */
extern struct console_drain console_drain_state;
static inline bool console_pending(void)
{
	return console_drain_pending(&console_drain_state);
}
/* Opportunistic, never waits: see the header comment. */
void console_drain(void);
/* Write out every ring, waiting (end of run). */
void console_flush_all(void);
/* Text that is not a hypervisor message (the serial monitor's answers): goes out as
 * hv_printf's would, but is not kept in the log ring (hv/log_ring.h). */
void console_text(const char *s, size_t n);
/* This CPU's index as console_set_cpu_fn's function tells it, or -1. */
int console_this_cpu(void);

#endif
