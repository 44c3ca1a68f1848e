/*
 * The console's per-CPU buffers and the drain that empties them (hv/console_ring.c).
 *
 * While a CPU runs its guest, everything printed there (its guest's UART lines, the
 * hypervisor's messages about it) is appended to that CPU's ring as whole records, one
 * record per print, and never waits for the UART. A drain, run by whichever CPU holds the
 * console lock, writes the records out:
 * - line-atomic: a record is finished before any other record starts, even when its bytes
 *   go out over several drain visits (the record in progress is kept in the drain state);
 * - fair: after a record from ring i the next one is taken from ring i+1, i+2, ... (round
 *   robin by record), so a CPU whose ring is always full gets one record in turn with
 *   every other CPU that has something to print, and never the line to itself;
 * - bounded per visit: a budget of output bytes (the UART's free FIFO space), each '\n'
 *   counted twice because the UART sends "\r\n".
 * One producer per ring (its own CPU, which prints only from non-interrupt context or with
 * interrupts held), one consumer at a time (the lock holder): head and tail are
 * published with release stores and read with acquire loads.
 */
#ifndef HV_CONSOLE_RING_H
#define HV_CONSOLE_RING_H

#include "hv/types.h"

#define CONSOLE_RING_SIZE 8192u /* bytes per CPU; a power of two */
/* Guest output is admitted only while the ring holds less than this: the other half is
 * kept for the hypervisor's own messages, which are never dropped for guest output. */
#define CONSOLE_GUEST_LIMIT (CONSOLE_RING_SIZE / 2)
/* Room one guest line needs: "[NAME] " (a 31-character name), 200 characters, "\n", the
 * record header (hv/vuart.h VUART_LINE_MAX). */
#define CONSOLE_GUEST_LINE_ROOM 256u
#define CONSOLE_RECORD_MAX 512u  /* one print's text, at most */
#define CONSOLE_REC_HDR 2u       /* each record: its length (16 bits, little-endian), its text */

_Static_assert((CONSOLE_RING_SIZE & (CONSOLE_RING_SIZE - 1)) == 0, "ring size: a power of two");
_Static_assert(CONSOLE_RECORD_MAX + CONSOLE_REC_HDR <= CONSOLE_GUEST_LIMIT, "a record fits");

struct console_ring {
	uint32_t head; /* bytes ever published by the producer (wraps modulo 2^32) */
	uint32_t tail; /* bytes ever consumed by the drain */
	bool buffered; /* the CPU prints into this ring (set while it runs its guest) */
	char buf[CONSOLE_RING_SIZE];
};

/* Bytes the ring holds now (records not yet written out, the one in progress included). */
uint32_t console_ring_used(const struct console_ring *r);
/* Producer: append one record of n bytes if the ring then holds at most limit bytes
 * (CONSOLE_RING_SIZE for the hypervisor's messages, CONSOLE_GUEST_LIMIT for guest output).
 * False, and nothing appended, if it does not fit or n is 0 or above CONSOLE_RECORD_MAX. */
bool console_ring_put(struct console_ring *r, const char *s, size_t n, uint32_t limit);

/* Writes n bytes to the sink; a drain never asks for more than its budget allows. */
typedef void (*console_put_fn)(const char *s, size_t n);

struct console_drain {
	struct console_ring *rings;
	uint32_t nrings;
	int32_t cur;      /* ring whose record is partly written, or -1 */
	uint32_t left;    /* bytes of that record still to write */
	uint32_t next;    /* round robin: the ring looked at first for the next record */
	uint32_t records; /* records published and not yet finished (console_ring_published) */
};

/* Count a record the producer published (for console_drain_pending's cheap test). */
void console_drain_published(struct console_drain *d);
/* Is anything waiting in any ring? A relaxed read, for "is a drain worth a try"; inline,
 * as every slow exit asks. */
static inline bool console_drain_pending(const struct console_drain *d)
{
	return __atomic_load_n(&d->records, __ATOMIC_RELAXED) != 0;
}
/* Write at most `budget` output bytes: the record in progress first, then whole records
 * round robin. Returns the output bytes written. budget SIZE_MAX: everything. */
size_t console_drain_step(struct console_drain *d, size_t budget, console_put_fn put);
/* Finish the record in progress, whatever it costs (before a synchronous print). */
void console_drain_finish(struct console_drain *d, console_put_fn put);
/* Write ring i's oldest record (after finishing the one in progress); false if it had none. */
bool console_drain_one_of(struct console_drain *d, uint32_t i, console_put_fn put);

#endif
