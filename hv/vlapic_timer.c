/*
 * The virtual local APIC's timer (Intel SDM vol. 3A 11.5.4; AMD APM vol. 2 16.4.1):
 * one-shot, periodic and TSC-deadline modes, the divide configuration and the current
 * count, all computed from the guest's TSC ("now"), so the guest's TSC and its APIC timer
 * always agree, also across a halt. The input clock runs at bus_khz.
 */
#include "hv/vlapic_regs.h"

enum vlapic_timer_mode vlapic_timer_mode(const struct vlapic *a)
{
	return (enum vlapic_timer_mode)((a->lvt[LVT_TIMER] & LVT_TIMER_MODE_MASK) >> LVT_TIMER_MODE_SHIFT);
}

/* Divide configuration (SDM 11.5.4, figure 11-10): bits 3,1:0 = 000 /2, 001 /4, 010 /8,
 * 011 /16, 100 /32, 101 /64, 110 /128, 111 /1. The log2 of the divisor. */
static unsigned divide_shift(uint32_t dcr)
{
	unsigned v = (dcr & 3) | ((dcr >> 1) & 4);
	return (v + 1) & 7;
}

/* Input-clock ticks in dtsc guest TSC cycles (rounded down) and guest TSC cycles for
 * ticks input-clock ticks (rounded up). The split keeps every product below 2^64 for any
 * frequency under 4 THz and intervals of any length. */
static uint64_t tsc_to_bus(const struct vlapic *a, uint64_t dtsc)
{
	if (a->bus_khz == a->tsc_khz)
		return dtsc;
	return dtsc / a->tsc_khz * a->bus_khz + dtsc % a->tsc_khz * a->bus_khz / a->tsc_khz;
}

static uint64_t bus_to_tsc(const struct vlapic *a, uint64_t ticks)
{
	if (a->bus_khz == a->tsc_khz)
		return ticks;
	return ticks / a->bus_khz * a->tsc_khz +
	       (ticks % a->bus_khz * a->tsc_khz + a->bus_khz - 1) / a->bus_khz;
}

/* Guest TSC cycles for count timer counts at the current divide. */
static uint64_t counts_to_tsc(const struct vlapic *a, uint64_t count)
{
	return bus_to_tsc(a, count << divide_shift(a->timer_dcr));
}

/* Timer counts elapsed since timer_start. */
static uint64_t counts_since_start(const struct vlapic *a, uint64_t now)
{
	if (now <= a->timer_start)
		return 0;
	return tsc_to_bus(a, now - a->timer_start) >> divide_shift(a->timer_dcr);
}

uint32_t vlapic_timer_ccr(const struct vlapic *a, uint64_t now)
{
	/* SDM 11.5.4.1: the current count reads 0 in TSC-deadline mode; it is 0 once a
	 * one-shot count ran out. Callers poll first, so a periodic count that reached 0 has
	 * been reloaded already. */
	if (vlapic_timer_mode(a) == TIMER_TSC_DEADLINE || !a->timer_armed)
		return 0;
	uint64_t n = counts_since_start(a, now);
	return n < a->timer_count0 ? a->timer_count0 - (uint32_t)n : 0;
}

/* When the loaded count reaches 0 (guest TSC). */
static uint64_t count_end(const struct vlapic *a)
{
	return a->timer_start + counts_to_tsc(a, a->timer_count0);
}

void vlapic_timer_poll(struct vlapic *a, uint64_t now)
{
	if (vlapic_timer_mode(a) == TIMER_TSC_DEADLINE) {
		/* SDM 11.5.4.1: at the deadline the timer interrupts and the MSR resets to 0. */
		if (a->tsc_deadline && now >= a->tsc_deadline) {
			a->tsc_deadline = 0;
			vlapic_lvt_fire(a, LVT_TIMER);
		}
		return;
	}
	if (!a->timer_armed)
		return;
	uint64_t end = count_end(a);
	if (now < end)
		return;
	/* A masked timer still counts; the mask only keeps the interrupt back (SDM 11.5.1). */
	vlapic_lvt_fire(a, LVT_TIMER);
	if (vlapic_timer_mode(a) != TIMER_PERIODIC || !a->timer_icr) {
		a->timer_armed = false;
		return;
	}
	/* Periodic: reload. Periods that passed while nobody polled collapse into this one
	 * interrupt (an IRR bit holds one request), as for a guest that left IF clear. */
	uint64_t period = counts_to_tsc(a, a->timer_icr);
	a->timer_start = end + (now - end) / period * period;
	a->timer_count0 = a->timer_icr;
}

uint64_t vlapic_timer_deadline(const struct vlapic *a)
{
	if (!vlapic_enabled(a) || (a->lvt[LVT_TIMER] & LVT_MASKED))
		return UINT64_MAX;
	if (vlapic_timer_mode(a) == TIMER_TSC_DEADLINE)
		return a->tsc_deadline ? a->tsc_deadline : UINT64_MAX;
	return a->timer_armed ? count_end(a) : UINT64_MAX;
}

static void start_count(struct vlapic *a, uint32_t count, uint64_t now)
{
	a->timer_count0 = count;
	a->timer_start = now;
	a->timer_armed = count != 0;
}

void vlapic_timer_write_icr(struct vlapic *a, uint32_t val, uint64_t now)
{
	/* SDM 11.5.4: writing the initial count starts the count; 0 stops the timer. In
	 * TSC-deadline mode writes are ignored (SDM 11.5.4.1). */
	vlapic_timer_poll(a, now);
	if (vlapic_timer_mode(a) == TIMER_TSC_DEADLINE)
		return;
	a->timer_icr = val;
	start_count(a, val, now);
}

void vlapic_timer_write_dcr(struct vlapic *a, uint32_t val, uint64_t now)
{
	/* A running count goes on from its current value at the new rate. */
	vlapic_timer_poll(a, now);
	uint32_t left = vlapic_timer_ccr(a, now);
	bool running = a->timer_armed && vlapic_timer_mode(a) != TIMER_TSC_DEADLINE;
	a->timer_dcr = val & 0xb; /* bits 0, 1, 3 */
	if (running && left)
		start_count(a, left, now);
}

void vlapic_timer_write_lvt(struct vlapic *a, uint32_t val, uint64_t now)
{
	vlapic_timer_poll(a, now);
	uint32_t old = a->lvt[LVT_TIMER];
	/* Mode 11b is reserved (SDM 11.5.1, figure 11-8): such a write keeps the mode. */
	if ((val & LVT_TIMER_MODE_MASK) == LVT_TIMER_MODE_MASK)
		val = (val & ~LVT_TIMER_MODE_MASK) | (old & LVT_TIMER_MODE_MASK);
	a->lvt[LVT_TIMER] = (old & ~0x700ffu) | (val & 0x700ffu);
	/* SDM 11.5.4.1: a write that changes the timer mode disarms the timer (the initial
	 * count and IA32_TSC_DEADLINE are cleared, as KVM does). */
	if ((old ^ val) & LVT_TIMER_MODE_MASK) {
		a->timer_icr = 0;
		a->timer_armed = false;
		a->timer_count0 = 0;
		a->tsc_deadline = 0;
	}
}
