/*
 * A guest's local APIC, fully virtual (docs/interrupts.md explains why): every
 * register a guest can observe, as Intel SDM vol. 3A ch. 11 and AMD APM vol. 2
 * ch. 16 describe it, reached through the xAPIC MMIO page (hv/apic_mmio.c decodes
 * the guest's instruction), the x2APIC MSRs 0x800-0x8FF, IA32_TSC_DEADLINE and
 * IA32_APIC_BASE. Pure logic: no hardware access, no printing; unit-tested natively.
 * hv/vlapic.c registers and priority, hv/vlapic_timer.c the timer, hv/vlapic_ipi.c the
 * ICR and IPI routing, hv/vlapic_msr.c the MSR interface and IA32_APIC_BASE.
 *
 * Time is the guest's TSC ("now" arguments: host TSC + the guest's TSC offset). The
 * APIC timer's input clock runs at bus_khz (before the divide configuration); CPUID
 * tells the guest both frequencies (hv/cpuid_policy.c).
 */
#ifndef HV_VLAPIC_H
#define HV_VLAPIC_H

#include "hv/types.h"

#define VLAPIC_DEFAULT_BASE 0xfee00000ull
#define VLAPIC_PAGE_SIZE 0x1000u

/* IA32_APIC_BASE (SDM vol. 3A 11.4.4, figure 11-5; 11.12.1). */
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 (MAXPHYADDR at most 52) */

/* The local vector table, in this order (SDM vol. 3A 11.5.1, figure 11-8). */
enum vlapic_lvt { LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PERFMON, LVT_LINT0, LVT_LINT1, LVT_ERROR,
		  LVT_COUNT };

/* Timer modes, LVT timer bits 18:17 (SDM vol. 3A 11.5.4, table 11-2). */
enum vlapic_timer_mode { TIMER_ONE_SHOT, TIMER_PERIODIC, TIMER_TSC_DEADLINE };

struct vlapic {
	uint32_t id;           /* the APIC ID the guest sees (its one vCPU: 0) */
	uint64_t apic_base;    /* IA32_APIC_BASE: base | EN (11) | EXTD (10) | BSP (8) */
	uint64_t tsc_khz;      /* guest TSC frequency */
	uint64_t bus_khz;      /* APIC timer input clock */
	bool x2apic_allowed;   /* CPUID shows x2APIC: EXTD may be set */
	uint32_t tpr, ldr, dfr, svr, esr, esr_pending;
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LVT_COUNT];
	uint32_t isr[8], irr[8], tmr[8]; /* 256 bits each, vector v: word v / 32, bit v % 32 */
	/* Timer (SDM vol. 3A 11.5.4). One-shot and periodic: count0 is the count loaded at
	 * guest TSC timer_start; armed until a one-shot reaches 0. TSC-deadline: tsc_deadline
	 * is the target, 0 = disarmed. */
	uint32_t timer_icr, timer_dcr;
	uint32_t timer_count0;
	bool timer_armed;
	uint64_t timer_start;
	uint64_t tsc_deadline;
	bool nmi_pending;
	/* IPIs dropped because they aimed at another CPU (or INIT/SIPI/SMI): counted, and the
	 * first one described, for the core to log once per guest (hv/vlapic_log.c). */
	uint32_t dropped_ipis;
	uint32_t first_dropped_icr_lo, first_dropped_dest; /* ICR low; destination (x2APIC: 32 bits) */
	bool logged_drop, logged_base_move; /* the core's once-per-guest messages went out */
	/* An EOI that ends a level-triggered vector (its TMR bit set) is broadcast to the I/O
	 * APICs (SDM vol. 3A 11.8.5; no EOI-broadcast suppression is offered): called with the
	 * vector when set (hv/vioapic.c clears the remote IRR of the entries using it). */
	void (*level_eoi)(void *ctx, uint8_t vector);
	void *level_eoi_ctx;
};

/* Power-on/RESET state (SDM vol. 3A 11.4.7.1): xAPIC mode, enabled, BSP. */
void vlapic_init(struct vlapic *a, uint32_t apic_id, uint64_t tsc_khz, uint64_t bus_khz);

/* Is gpa inside the xAPIC MMIO page (xAPIC mode, globally enabled)? */
bool vlapic_mmio_covers(const struct vlapic *a, uint64_t gpa);
/* An access of size 1/2/4/8 bytes at offset (0..0xfff) of the xAPIC page. Reads of
 * reserved or write-only registers return 0 and writes to read-only ones are ignored
 * (and set ESR "illegal register address" where the SDM says so). */
void vlapic_mmio_read(struct vlapic *a, uint32_t offset, unsigned size, uint64_t *val, uint64_t now);
void vlapic_mmio_write(struct vlapic *a, uint32_t offset, unsigned size, uint64_t val, uint64_t now);

/* IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and the x2APIC MSRs (0x800-0x8FF):
 * 0, or -1 when the access must raise #GP (x2APIC MSR outside x2APIC mode, reserved
 * register, illegal APIC_BASE transition, ...). */
int vlapic_msr_read(struct vlapic *a, uint32_t msr, uint64_t *val, uint64_t now);
int vlapic_msr_write(struct vlapic *a, uint32_t msr, uint64_t val, uint64_t now);
/* A write of IA32_APIC_BASE that moves the base: refused (#GP); for the core's message. */
bool vlapic_base_move_refused(const struct vlapic *a, uint64_t val);

/* The timer: expire what is due at now (sets IRR, reloads periodic mode). */
void vlapic_timer_poll(struct vlapic *a, uint64_t now);
/* The guest TSC at which the timer next raises an interrupt, or UINT64_MAX when it is not
 * armed or cannot raise one (masked LVT, APIC disabled). */
uint64_t vlapic_timer_deadline(const struct vlapic *a);

/* Delivery (SDM vol. 3A 11.8): the highest-priority requested vector that PPR lets
 * through, or -1. */
int vlapic_pending_vector(const struct vlapic *a);
/* Is any vector requested (IRR not empty), whatever PPR says? A cheap test for the
 * slow path's common case, before anything else is read. */
static inline bool vlapic_irr_any(const struct vlapic *a)
{
	uint32_t any = 0;
	for (unsigned i = 0; i < 8; i++)
		any |= a->irr[i];
	return any != 0;
}
/* The vector was delivered to the guest: IRR -> ISR. */
void vlapic_accept(struct vlapic *a, uint8_t vector);
/* Is this APIC a destination of an interrupt message with this destination (physical:
 * APIC ID or broadcast; logical: against LDR/DFR, SDM 11.6.2)? For the I/O APIC. */
bool vlapic_is_destination(const struct vlapic *a, bool logical, uint32_t dest);
/* A fixed interrupt message arrived (an I/O APIC's): IRR set, TMR as its trigger mode. */
void vlapic_accept_fixed(struct vlapic *a, uint8_t vector, bool level);
/* A self-NMI is pending: take it (clears it). */
bool vlapic_take_nmi(struct vlapic *a);

/* Mode queries. */
static inline bool vlapic_enabled(const struct vlapic *a)
{
	return a->apic_base & APIC_BASE_EN;
}
static inline bool vlapic_x2apic(const struct vlapic *a)
{
	return (a->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

#endif
