/* Console output (hv/log.h, hv/console.h): synchronous prints, per-CPU rings and their drain. */
#include <stdarg.h>
#include "hv/console.h"
#include "hv/console_ring.h"
#include "hv/fmt.h"
#include "hv/log.h"
#include "hv/log_ring.h"
#include "hv/percpu.h"
#include "hv/spinlock.h"

static console_sink_fn console_sink; /* waits for the device */
static console_room_fn device_room;  /* what the device takes now without waiting */
static console_write_fn device_nowait;
static int (*cpu_index_fn)(void);
/* Held by whoever writes to the device: synchronous prints, drains, crash reports. */
static spinlock_t console_lock;
static volatile int32_t lock_owner = -1; /* CPU index of the holder, -1 if none or unknown */
static struct console_ring rings[HV_MAX_CPUS];
struct console_drain console_drain_state = { rings, HV_MAX_CPUS, -1, 0, 0, 0 };

void console_set_sink(console_sink_fn sink)
{
	console_sink = sink;
}

void console_set_nowait(console_room_fn room, console_write_fn write)
{
	device_room = room;
	device_nowait = write;
}

void console_set_cpu_fn(int (*cpu_index)(void))
{
	cpu_index_fn = cpu_index;
}

static int here(void)
{
	int c = cpu_index_fn ? cpu_index_fn() : -1;
	return c >= 0 && c < HV_MAX_CPUS ? c : -1;
}

static void put_wait(const char *s, size_t n)
{
	if (console_sink)
		console_sink(s, n);
}

static void lock(void)
{
	spin_lock(&console_lock);
	lock_owner = here();
}

static void unlock(void)
{
	lock_owner = -1;
	spin_unlock(&console_lock);
}

/* Waiting: the record a drain left half-written first (lines never interleave), then s. */
static void print_sync(const char *s, size_t n)
{
	lock();
	console_drain_finish(&console_drain_state, put_wait);
	put_wait(s, n);
	unlock();
}

/* Waiting: everything in ring c, one record per lock hold so other CPUs' drains go on. */
static void flush_ring(int c)
{
	for (bool more = true; more;) {
		lock();
		more = console_drain_one_of(&console_drain_state, (uint32_t)c, put_wait);
		unlock();
	}
}

static bool buffered(int c)
{
	return c >= 0 && __atomic_load_n(&rings[c].buffered, __ATOMIC_RELAXED);
}

void console_drain(void)
{
	if (!device_room || !console_drain_pending(&console_drain_state))
		return;
	if (!spin_lock_bounded(&console_lock, 1))
		return; /* another CPU is writing: it drains too */
	lock_owner = here();
	size_t room = device_room();
	if (room)
		console_drain_step(&console_drain_state, room, device_nowait);
	unlock();
}

static bool ring_put(int c, const char *s, size_t n, uint32_t limit)
{
	if (!console_ring_put(&rings[c], s, n, limit))
		return false;
	console_drain_published(&console_drain_state);
	console_drain();
	return true;
}

bool console_guest_put(const char *s, size_t n)
{
	int c = here();
	if (!buffered(c)) {
		print_sync(s, n);
		return true;
	}
	return ring_put(c, s, n, CONSOLE_GUEST_LIMIT);
}

static bool guest_room(int c)
{
	return console_ring_used(&rings[c]) + CONSOLE_GUEST_LINE_ROOM <= CONSOLE_GUEST_LIMIT;
}

bool console_guest_room(void)
{
	int c = here();
	if (!buffered(c) || guest_room(c))
		return true;
	console_drain(); /* the guest is polling: a FIFO's worth, if the UART has room */
	return guest_room(c);
}

void console_buffer_this_cpu(bool on)
{
	int c = here();
	if (c < 0)
		return;
	if (!on)
		flush_ring(c);
	__atomic_store_n(&rings[c].buffered, on, __ATOMIC_RELAXED);
}

void console_flush_all(void)
{
	lock();
	console_drain_step(&console_drain_state, SIZE_MAX, put_wait);
	unlock();
}

/* Text as a hypervisor message goes out: into this CPU's ring while it runs its guest, else
 * synchronous. len <= CONSOLE_RECORD_MAX - 1. */
static void put_text(const char *buf, size_t len)
{
	int c = here();
	if (buffered(c)) {
		if (ring_put(c, buf, len, CONSOLE_RING_SIZE))
			return;
		/* Ring full: a hypervisor message is never dropped. Write out what is queued
		 * before it (its order kept), then the message itself, waiting. */
		flush_ring(c);
	}
	print_sync(buf, len);
}

static void emit(const char *fmt, va_list ap)
{
	char buf[CONSOLE_RECORD_MAX];
	int n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1);
	if (!len)
		return;
	log_ring_put(buf, len); /* the monitor's `log` (hv/log_ring.h) */
	put_text(buf, len);
}

void console_text(const char *s, size_t n)
{
	while (n) {
		size_t len = MIN(n, (size_t)CONSOLE_RECORD_MAX - 1);
		put_text(s, len);
		s += len;
		n -= len;
	}
}

int console_this_cpu(void)
{
	return here();
}

void hv_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(fmt, ap);
	va_end(ap);
}

bool console_report_begin(void)
{
	int c = here();
	bool held;
	if (c >= 0 && __atomic_load_n(&lock_owner, __ATOMIC_RELAXED) == c)
		held = true; /* this CPU faulted while it held the lock: the report takes it over */
	else
		held = spin_lock_bounded(&console_lock, 1u << 20);
	if (held) {
		lock_owner = c;
		console_drain_finish(&console_drain_state, put_wait); /* a half-written line first */
	}
	return held;
}

void console_report_end(bool held)
{
	if (held)
		unlock();
}

void hv_printf_nolock(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_wait(buf, n < 0 ? 0 : MIN((size_t)n, sizeof(buf) - 1));
}
