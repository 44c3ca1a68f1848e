/* Serial console input: the raw ring, the input focus and its key sequence (see
 * console_input.h). */
#include "hv/console.h"
#include "hv/console_input.h"
#include "hv/host_cpu.h"
#include "hv/log.h"
#include "hv/monitor.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"

/* Bytes the interrupt handler took from the UART: produced in interrupt context and
 * consumed in normal context, both on the console CPU (whose normal context runs with
 * interrupts off except while it waits), so the indices need no more than ordering. */
#define RAW_SIZE 256
static uint8_t raw[RAW_SIZE];
static uint32_t raw_head, raw_tail;
static uint64_t raw_dropped;

static int focus = CONSOLE_FOCUS_HV;
static struct focus_keys keys;
static uint64_t tick_at;
static bool monitor_entered; /* monitor_enter() since the focus last came to the hypervisor */

void console_input_raw(uint8_t c)
{
	uint32_t head = raw_head;
	if (head - __atomic_load_n(&raw_tail, __ATOMIC_ACQUIRE) >= RAW_SIZE) {
		raw_dropped++;
		return;
	}
	raw[head % RAW_SIZE] = c;
	__atomic_store_n(&raw_head, head + 1, __ATOMIC_RELEASE);
}

static bool tick_due(void)
{
	uint64_t t = __atomic_load_n(&tick_at, __ATOMIC_RELAXED);
	return t && host_rdtsc() >= t;
}

void console_input_signal(bool timer)
{
	bool bytes = __atomic_load_n(&raw_head, __ATOMIC_ACQUIRE) != raw_tail;
	if (!bytes && !(timer && tick_due()))
		return;
	struct vcpu *v = hv_cpus[HV_CONSOLE_CPU].vcpu;
	/* Its guest runs (or is being set up): its slow path polls before the next entry. When it
	 * has ended (or there is none), the idle loop polls after every interrupt anyway. */
	if (v && __atomic_load_n(&v->end.kind, __ATOMIC_RELAXED) == GUEST_RUNNING)
		__atomic_or_fetch(&v->requests, VCPU_REQ_CONSOLE, __ATOMIC_RELEASE);
}

void console_input_tick_at(uint64_t tsc)
{
	__atomic_store_n(&tick_at, tsc, __ATOMIC_RELAXED);
}

uint64_t console_input_tick_deadline(void)
{
	return __atomic_load_n(&tick_at, __ATOMIC_RELAXED);
}

int console_input_focus(void)
{
	return focus;
}

bool focus_keys_feed(struct focus_keys *k, uint8_t c, uint8_t out[CONSOLE_SWITCH_PRESSES], unsigned *n)
{
	*n = 0;
	if (c == CONSOLE_SWITCH_KEY) {
		if (++k->presses < CONSOLE_SWITCH_PRESSES)
			return false; /* held back: the sequence may go on */
		k->presses = 0;
		return true;
	}
	/* Not the sequence after all: what was held back goes through, then this key. */
	while (k->presses) {
		out[(*n)++] = CONSOLE_SWITCH_KEY;
		k->presses--;
	}
	out[(*n)++] = c;
	return false;
}

int focus_next(int cur, unsigned ncpus, bool (*eligible)(unsigned cpu))
{
	for (int c = cur + 1; c < (int)ncpus; c++)
		if (eligible((unsigned)c))
			return c;
	return CONSOLE_FOCUS_HV;
}

static struct vcpu *guest_of(unsigned cpu)
{
	return cpu < hv_ncpus ? hv_cpus[cpu].vcpu : NULL;
}

/* A guest that runs and reads its UART can have the focus. */
static bool reads_uart(unsigned cpu)
{
	struct vcpu *v = guest_of(cpu);
	return v && __atomic_load_n(&v->end.kind, __ATOMIC_RELAXED) == GUEST_RUNNING &&
	       __atomic_load_n(&v->uart.reads, __ATOMIC_RELAXED);
}

static uint64_t tick_period(void)
{
	return platform_tsc_khz() * CONSOLE_TICK_MS;
}

/* The monitor's greeting and prompt, then its periodic tick. */
static void enter_monitor(void)
{
	monitor_entered = true;
	monitor_enter();
	console_input_tick_at(host_rdtsc() + tick_period());
}

static void say_focus(void)
{
	/* The monitor leaves its prompt without a newline: the line starts on a line of its own. */
	const char *nl = monitor_entered ? "\n" : "";
	monitor_entered = false;
	console_input_tick_at(0); /* the monitor ticks only while it has the focus */
	if (focus == CONSOLE_FOCUS_HV) {
		hv_printf("%shv: input -> hypervisor monitor (Ctrl-A x3 to switch)\n", nl);
		enter_monitor();
	} else
		hv_printf("%shv: input -> %s on cpu %d (Ctrl-A x3 to switch)\n", nl,
			  guest_of((unsigned)focus)->cfg->name, focus);
}

static uint64_t kick_mask; /* guests (by CPU) given bytes in this poll */

static void to_focus(const uint8_t *b, unsigned n)
{
	if (focus != CONSOLE_FOCUS_HV && !reads_uart((unsigned)focus)) {
		hv_printf("hv: guest on cpu %d has ended: input goes to the hypervisor\n", focus);
		focus = CONSOLE_FOCUS_HV;
		say_focus();
	}
	if (focus == CONSOLE_FOCUS_HV) {
		if (!monitor_entered) /* the first input of the run */
			enter_monitor();
		for (unsigned i = 0; i < n; i++)
			monitor_input(b[i]);
		return;
	}
	struct vcpu *v = guest_of((unsigned)focus);
	for (unsigned i = 0; i < n; i++)
		vuart_rx_push(&v->uart, b[i]); /* a full queue counts the byte as overflow */
	kick_mask |= 1ull << focus;
}

/* Their CPUs learn of the bytes (VCPU_REQ_RX) and, if elsewhere, take an interrupt for it. */
static void kick_guests(void)
{
	for (unsigned cpu = 0; kick_mask; cpu++) {
		if (!(kick_mask & (1ull << cpu)))
			continue;
		kick_mask &= ~(1ull << cpu);
		struct vcpu *v = guest_of(cpu);
		__atomic_or_fetch(&v->requests, VCPU_REQ_RX, __ATOMIC_RELEASE);
		if (cpu != HV_CONSOLE_CPU)
			platform_kick(hv_cpus[cpu].apic_id);
	}
}

void console_input_poll(void)
{
	uint32_t tail = raw_tail;
	while (tail != __atomic_load_n(&raw_head, __ATOMIC_ACQUIRE)) {
		uint8_t c = raw[tail % RAW_SIZE];
		__atomic_store_n(&raw_tail, ++tail, __ATOMIC_RELEASE);
		uint8_t out[CONSOLE_SWITCH_PRESSES];
		unsigned n;
		if (focus_keys_feed(&keys, c, out, &n)) {
			focus = focus_next(focus, hv_ncpus, reads_uart);
			say_focus();
		} else if (n) { /* n = 0: a Ctrl-A held back */
			to_focus(out, n);
		}
	}
	kick_guests();
	if (tick_due()) {
		uint64_t now = host_rdtsc();
		console_input_tick_at(now + tick_period());
		monitor_tick(now);
	}
}
