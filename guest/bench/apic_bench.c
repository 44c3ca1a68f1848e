/*
 * Interrupt-path lines of the exit benchmark (issue 11; docs/exit-path.md):
 *   tsc-deadline      WRMSR IA32_TSC_DEADLINE (a new deadline far ahead each time)
 *   eoi-xapic         an EOI written to the xAPIC page (MMIO exit, decoded by the hypervisor)
 *   eoi-x2apic        an EOI by WRMSR 0x80B (x2APIC, when CPUID shows it)
 *   self-ipi-xapic    a self-IPI by the xAPIC ICR (shorthand self) with IF = 1: the write,
 *                     the delivery, the handler's xAPIC EOI, its IRET
 *   self-ipi-x2apic   the same by the x2APIC SELF_IPI register, with an x2APIC EOI
 *   hlt               arm the TSC deadline HLT_AHEAD ticks ahead, STI; HLT, woken by the
 *                     guest's own timer, the handler's EOI (x2APIC when shown) and IRET;
 *                     the HLT_AHEAD ticks of waiting are taken off
 * The EOIs with nothing in service measure the write alone (SDM vol. 3A 11.8.5).
 */
#include "bench.h"
#include "cpu.h"
#include "printf.h"

uint64_t loop_tscdl(uint32_t n), loop_tscdl_empty(uint32_t n);
uint64_t loop_eoi_x2(uint32_t n), loop_eoi_x2_empty(uint32_t n);
uint64_t loop_eoi_xapic(uint32_t n), loop_eoi_xapic_empty(uint32_t n);
uint64_t loop_self_x2(uint32_t n), loop_self_x2_empty(uint32_t n);
uint64_t loop_self_xapic(uint32_t n), loop_self_xapic_empty(uint32_t n);
uint64_t loop_hlt(uint32_t n), loop_hlt_empty(uint32_t n);
extern const char irq_eoi_xapic[], irq_eoi_x2[];
extern const uint32_t hlt_ahead;

#define XAPIC 0xFEE00000u
#define VEC_TIMER 0x40
#define VEC_SELF 0x41
#define HLT_ROUNDS 500u

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t zero, type_attr;
	uint16_t offset_hi;
} __attribute__((packed));

static void set_gate(unsigned vector, const char *handler)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) p;
	__asm__ volatile("sidt %0" : "=m"(p));
	struct idt_gate *g = (struct idt_gate *)(uintptr_t)p.base + vector;
	uint32_t a = (uint32_t)(uintptr_t)handler;
	g->offset_lo = (uint16_t)a;
	g->offset_hi = (uint16_t)(a >> 16);
	g->selector = 0x08;
	g->type_attr = 0x8E; /* 32-bit interrupt gate */
}

static void xapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(XAPIC + reg) = v;
}

/* Both handlers end the interrupt in the APIC mode that is on. */
static void handlers(bool x2)
{
	set_gate(VEC_TIMER, x2 ? irq_eoi_x2 : irq_eoi_xapic);
	set_gate(VEC_SELF, x2 ? irq_eoi_x2 : irq_eoi_xapic);
}

/* One line: the loop against its empty twin, less `minus` ticks per iteration, with the
 * hypervisor's averages over the exits of hc_kind this measurement caused. */
static void measure(const char *kind, uint64_t (*with)(uint32_t), uint64_t (*without)(uint32_t),
		    uint32_t n, uint32_t hc_kind, uint32_t minus)
{
	struct hc_exit_costs before;
	if (!exit_costs(hc_kind, &before))
		before = (struct hc_exit_costs){ 0 };
	uint64_t w = with(n);
	uint32_t t = per_exit(w, without(n), n);
	report_since(kind, t > minus ? t - minus : 0, hc_kind, &before, n);
}

void bench_apic(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	bool x2 = r.ecx >> 21 & 1, deadline = r.ecx >> 24 & 1;
	/* Software-enable the APIC (it comes out of reset disabled), timer in TSC-deadline mode. */
	xapic_write(0xF0, 0x1FF);
	xapic_write(0x320, VEC_TIMER | (deadline ? 2u << 17 : 1u << 16));
	handlers(false);
	__asm__ volatile("sti");
	loop_eoi_xapic(10);
	loop_self_xapic(10);
	if (deadline)
		loop_tscdl(10);
	measure("eoi-xapic", loop_eoi_xapic, loop_eoi_xapic_empty, ROUNDS, HC_KIND_NPF, 0);
	measure("self-ipi-xapic", loop_self_xapic, loop_self_xapic_empty, ROUNDS, HC_KIND_NPF, 0);
	if (deadline) {
		measure("tsc-deadline", loop_tscdl, loop_tscdl_empty, ROUNDS, HC_KIND_MSR_WRITE, 0);
		if (!x2)
			measure("hlt", loop_hlt, loop_hlt_empty, HLT_ROUNDS, HC_KIND_HLT, hlt_ahead);
	} else {
		printf("bench: tsc-deadline and hlt not measured: CPUID shows no TSC-deadline timer\n");
	}
	if (!x2) {
		printf("bench: eoi-x2apic and self-ipi-x2apic not measured: CPUID shows no x2APIC "
		       "(the hypervisor shows it only where the CPU has it)\n");
		__asm__ volatile("cli");
		return;
	}
	wrmsr(0x1B, rdmsr(0x1B) | 1u << 10); /* x2APIC mode (EXTD) */
	handlers(true);
	loop_eoi_x2(10);
	loop_self_x2(10);
	measure("eoi-x2apic", loop_eoi_x2, loop_eoi_x2_empty, ROUNDS, HC_KIND_MSR_WRITE, 0);
	measure("self-ipi-x2apic", loop_self_x2, loop_self_x2_empty, ROUNDS, HC_KIND_MSR_WRITE, 0);
	if (deadline)
		measure("hlt", loop_hlt, loop_hlt_empty, HLT_ROUNDS, HC_KIND_HLT, hlt_ahead);
	__asm__ volatile("cli");
	wrmsr(0x6E0, 0);
}
