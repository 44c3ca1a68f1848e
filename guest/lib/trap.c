/* The IDT and the C side of exception handling. */
#include "trap.h"
#include "cpu.h"
#include "fixup.h"
#include "printf.h"
#include "serial.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t offset_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

#define CODE_SELECTOR 0x08 /* from the GDT in start.asm */
#define GATE_INTR32 0x8E /* present, DPL 0, 32-bit interrupt gate: IF stays clear */

extern const uint32_t trap_stubs[256]; /* trap_stubs.asm */

static struct idt_gate idt[256];

void trap_set_gate(unsigned vector, uint32_t handler, unsigned dpl)
{
	idt[vector & 0xFF] = (struct idt_gate){
		.offset_lo = (uint16_t)handler,
		.selector = CODE_SELECTOR,
		.type_attr = (uint8_t)(GATE_INTR32 | (dpl & 3) << 5),
		.offset_hi = (uint16_t)(handler >> 16),
	};
}

void trap_init(void)
{
	for (unsigned v = 0; v < ARRAY_SIZE(idt); v++)
		trap_set_gate(v, trap_stubs[v], 0);
	struct idt_ptr p = { sizeof(idt) - 1, (uint32_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

const char *trap_name(uint32_t vector)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "(15)",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "(22)", "(23)",
		"(24)", "(25)", "(26)", "(27)", "#HV", "#VC", "#SX", "(31)",
	};
	return vector < 32 ? names[vector] : "?";
}

struct trap_db_record trap_db;
struct trap_irq_record trap_irq;

void trap_db_reset(void)
{
	trap_db.count = trap_db.eip = trap_db.dr6 = 0;
	__asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0ff0u)); /* DR6's cleared value */
}

void trap_dispatch(struct trap_frame *f)
{
	static int depth;

	if (f->vector == VEC_DB) {
		uint32_t dr6;
		__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
		trap_db.count++;
		trap_db.eip = f->eip;
		trap_db.dr6 = dr6;
		__asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0ff0u));
		f->eflags &= ~0x100u; /* TF: one step only */
		return;
	}
	if (f->vector >= 32) {
		/* An interrupt: before any fixup, which would take it for a fault. */
		trap_irq.count++;
		trap_irq.vector = f->vector;
		if (trap_irq.armed)
			return;
		printf("%s: unexpected interrupt, vector %u, at EIP 0x%08x\n", guest_name, f->vector,
		       f->eip);
		guest_exit(EXIT_INTERRUPT);
	}
	if (fixup_handle(f))
		return;
	/* A fault while reporting a fault: do not risk looping, just leave. */
	if (depth++)
		guest_exit(EXIT_EXCEPTION_BASE + f->vector);

	if (!serial_at_line_start()) /* keep the report on lines of its own */
		printf("\n");
	printf("%s: unexpected exception %s (vector %u) error 0x%08x at EIP 0x%08x\n",
	       guest_name, trap_name(f->vector), f->vector, f->error_code, f->eip);
	printf("%s:   eax=%08x ebx=%08x ecx=%08x edx=%08x\n",
	       guest_name, f->eax, f->ebx, f->ecx, f->edx);
	printf("%s:   esi=%08x edi=%08x ebp=%08x esp=%08x\n",
	       guest_name, f->esi, f->edi, f->ebp, (uint32_t)&f->eflags + 4);
	printf("%s:   cs=%04x eflags=%08x cr0=%08x cr2=%08x cr4=%08x\n",
	       guest_name, f->cs, f->eflags, read_cr0(), read_cr2(), read_cr4());
	guest_exit(EXIT_EXCEPTION_BASE + f->vector);
}
