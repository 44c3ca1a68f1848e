/*
 * The apic guest's interrupt handlers: every arrival is logged (count per vector, TSC,
 * the order of arrivals and returns, whether its ISR bit was set as the handler began),
 * an optional per-vector hook runs, then the handler ends the interrupt with an EOI
 * (SDM vol. 3A 11.8.5), except for NMI (no EOI: it never enters the ISR) and the
 * spurious vector (SDM 11.9: no EOI).
 */
#include "apic.h"
#include "string.h"

struct irq_log irqs;
irq_hook_fn irq_hooks[256];
volatile bool irq_no_eoi[256];

extern const uint32_t apic_irq_stubs[256]; /* irq_stubs.asm */

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t zero, type_attr;
	uint16_t offset_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static void set_gate(struct idt_gate *idt, unsigned v)
{
	idt[v].offset_lo = (uint16_t)apic_irq_stubs[v];
	idt[v].offset_hi = (uint16_t)(apic_irq_stubs[v] >> 16);
	idt[v].selector = 0x08;    /* start.asm's flat code segment */
	idt[v].type_attr = 0x8E;   /* 32-bit interrupt gate, DPL 0: IF cleared on entry */
}

void irq_install(void)
{
	struct idt_ptr p;
	__asm__ volatile("sidt %0" : "=m"(p));
	struct idt_gate *idt = (struct idt_gate *)(uintptr_t)p.base;
	set_gate(idt, 2);
	for (unsigned v = 32; v < 256; v++)
		set_gate(idt, v);
}

void irq_reset(void)
{
	memset((void *)&irqs, 0, sizeof(irqs));
	for (unsigned v = 0; v < 256; v++) {
		irq_hooks[v] = NULL;
		irq_no_eoi[v] = false;
	}
}

void irq_order_push(uint32_t ev)
{
	uint32_t n = irqs.order_len;
	if (n < ARRAY_SIZE(irqs.order))
		irqs.order[n] = (uint16_t)ev;
	irqs.order_len = n + 1;
}

void apic_irq_dispatch(struct trap_frame *f);
void apic_irq_dispatch(struct trap_frame *f)
{
	uint32_t v = f->vector;
	irqs.last_tsc = rdtsc();
	irqs.last_vector = v;
	irqs.count[v]++;
	if (v >= 32)
		irqs.total++;
	irq_order_push(v);
	if (v >= 32 && v != VEC_SPURIOUS)
		irqs.isr_seen[v] = lapic_vec_bit(LAPIC_ISR, (uint8_t)v);
	if (irq_hooks[v])
		irq_hooks[v](v);
	if (v >= 32 && v != VEC_SPURIOUS && !irq_no_eoi[v])
		lapic_eoi();
	irq_order_push(v | EV_EXIT);
}
