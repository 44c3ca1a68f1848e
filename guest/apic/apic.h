/*
 * apic: the test kernel for the guest-visible interrupt platform (issue 11): the local
 * APIC in xAPIC and x2APIC mode, its timer, self-IPIs and IPIs that must not leave, the
 * IA32_APIC_BASE transitions, interrupts around MMIO exits, the 8259 PIC and self-NMIs.
 * Written to Intel SDM vol. 3A ch. 11 and AMD APM vol. 2 ch. 16, so it passes on bare
 * metal (with "native" on the command line) as under the hypervisor.
 */
#ifndef GUEST_APIC_H
#define GUEST_APIC_H

#include "guest.h"
#include "trap.h"

/* ---- local APIC registers (xAPIC offsets; x2APIC MSR = 0x800 + offset / 16), SDM table 11-1 */
#define LAPIC_ID 0x020
#define LAPIC_VER 0x030
#define LAPIC_TPR 0x080
#define LAPIC_PPR 0x0A0
#define LAPIC_EOI 0x0B0
#define LAPIC_LDR 0x0D0
#define LAPIC_DFR 0x0E0
#define LAPIC_SVR 0x0F0
#define LAPIC_ISR 0x100 /* 8 registers, 0x10 apart */
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3E0

#define MSR_X2APIC_BASE 0x800u
#define MSR_X2APIC_ICR 0x830u
#define MSR_X2APIC_SELF_IPI 0x83Fu
#define MSR_TSC_DEADLINE 0x6E0u

#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)

/* ICR (SDM 11.6.1): delivery mode, destination mode, level, shorthand. */
#define ICR_FIXED (0u << 8)
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_SIPI (6u << 8)
#define ICR_LOGICAL (1u << 11)
#define ICR_BUSY (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SELF (1u << 18)
#define ICR_ALL_INCL (2u << 18)
#define ICR_ALL_EXCL (3u << 18)

/* Vectors the tests use. */
#define VEC_TIMER 0x40
#define VEC_SPURIOUS 0xFF

/* ---- the local APIC (lapic.c) ------------------------------------------------------- */
extern bool lapic_x2;          /* x2APIC mode (EXTD) is on: registers are MSRs */
extern uint32_t lapic_mmio;    /* xAPIC page, from IA32_APIC_BASE at start */
extern bool cpu_has_x2apic, cpu_has_tsc_deadline;

void lapic_setup(void);        /* reads the base and features, enables the APIC (SVR) */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_eoi(void);
uint32_t lapic_id(void);       /* as an ICR destination: xAPIC 8-bit ID or x2APIC ID */
/* An IPI: xAPIC writes ICR high then low and waits for the delivery status to go idle;
 * x2APIC writes the one 64-bit ICR MSR. */
void lapic_ipi(uint32_t dest, uint32_t icr_lo);
bool lapic_vec_bit(uint32_t base_reg, uint8_t vector); /* ISR/TMR/IRR bit of vector */
/* IA32_APIC_BASE write that may #GP: 0 or the vector; keeps lapic_x2 in step. */
uint32_t apic_base_write(uint64_t v);
uint64_t apic_base_read(void);
/* Back to the start state: xAPIC mode, software-enabled, timer off, TPR 0. */
void lapic_restore(void);

/* ---- time (time.c) ------------------------------------------------------------------ */
extern uint32_t tsc_khz, bus_khz;
extern bool native; /* "native" on the command line: bare metal or an emulator without hv */
extern bool exact_time; /* "exact-time": no host stalls the vCPU (Bochs, bare metal) */
bool time_setup(void); /* CPUID 0x40000010, else 0x15/0x16; false when absent */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
uint64_t udiv64(uint64_t n, uint32_t d);
uint64_t us_to_tsc(uint32_t us);
uint32_t tsc_to_us(uint64_t ticks);
uint32_t us_to_bus(uint32_t us, uint32_t divide); /* APIC timer counts for us at divide */
uint32_t dcr_for(uint32_t divide); /* divide configuration register encoding */
void spin_us(uint32_t us);
/*
 * Spins with IF = 1 until `vector` has arrived `n` times in all, or this CPU has run for
 * `us`. Under an emulator the host may deschedule the vCPU for milliseconds; time in which
 * it did not run (a gap of more than STALL_US between two TSC reads of the loop) does not
 * count, and is returned in wait_stall_us, so a test can excuse that much lateness.
 */
#define STALL_US 200u
extern uint32_t wait_stall_us;
bool wait_irq(uint32_t vector, uint32_t n, uint32_t us);

static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
/* Opens an interrupt window of a few instructions (STI's shadow covers the first). */
static inline void irq_window(void) { __asm__ volatile("sti; nop; nop; cli" ::: "memory"); }

/* ---- interrupts (irq.c, irq_stubs.asm) ----------------------------------------------- */
#define EV_EXIT 0x100u /* in irq_log.order: handler of vector v returned (v | EV_EXIT) */
struct irq_log {
	volatile uint32_t count[256]; /* per vector; NMI at 2 */
	volatile uint32_t total;      /* vectors 32-255 */
	volatile uint64_t last_tsc;   /* TSC at the last arrival (any vector) */
	volatile uint32_t last_vector;
	volatile uint16_t order[64];  /* arrivals (vector) and returns (vector | EV_EXIT) */
	volatile uint32_t order_len;
	volatile uint32_t isr_seen[256]; /* ISR bit of its vector as its handler found it */
};
extern struct irq_log irqs;
/* Called inside the handler of `vector` before its automatic EOI (not for NMI/spurious). */
typedef void (*irq_hook_fn)(uint32_t vector);
extern irq_hook_fn irq_hooks[256];
extern volatile bool irq_no_eoi[256]; /* the hook ends the interrupt itself */
void irq_install(void);     /* our gates for NMI and vectors 32-255 */
void irq_reset(void);       /* zero the log, drop hooks */
void irq_order_push(uint32_t ev);

/* ---- the tests, each one report group ------------------------------------------------ */
void test_timer(void);      /* (a) */
void test_hlt(void);        /* (b) */
void test_self_ipi(void);   /* (c) */
void test_ipi_others(void); /* (d) */
void test_apic_base(void);  /* (e) */
void test_mmio_race(void);  /* (f) */
void test_pic(void);
void test_nmi(void);

/* printf("apic: <group>: ...\n") for what a test measured. */
void note(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
