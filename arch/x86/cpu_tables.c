/*
 * Per-CPU descriptor tables. #DF, NMI and #MC are delivered on stacks of their own
 * through the TSS's interrupt stack table (IST1-3, SDM vol. 3A 6.14.5; APM vol. 2
 * 8.9.4), each with a guard page below it (cpu_stacks.h): a #DF raised by an overflow
 * of the main stack then finds a good stack and ends in a crash report, and an NMI or
 * #MC never runs on whatever stack was current. The other vectors stay IST-free: they
 * are taken on the current stack, at CPL 0, without reading the TSS.
 *
 * The CPU reads an IST pointer from the TSS that TR holds at that moment. On VMX every
 * VM exit loads the host TR (vmx_vcpu.c). On SVM the guest's TR stays loaded after
 * #VMEXIT (VMLOAD loaded it); the slow path switches to the host's TR before it runs
 * the core and back before VMRUN (svm_exit.c), and the hot path, with GIF = 0 so no
 * NMI or #MC is taken there (APM vol. 2 15.17, table 15-10), keeps the guest's:
 * docs/host-faults.md says what a #DF there would do.
 */
#include "arch/x86/cpu_stacks.h"
#include "arch/x86/cpu_tables.h"
#include "hv/lib.h"
#include "hv/page_alloc.h"

extern char exception_stubs[];       /* arch/x86/exception_stubs.asm */
#define EXCEPTION_STUB_SIZE 16

struct PACKED desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static void set_gate(struct idt_gate *g, uint64_t handler, uint8_t ist)
{
	g->offset_low = (uint16_t)handler;
	g->selector = SEL_CODE64;
	g->ist = ist;
	g->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
	g->offset_mid = (uint16_t)(handler >> 16);
	g->offset_high = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

int cpu_tables_load(struct percpu *pc)
{
	struct cpu_tables *t = (struct cpu_tables *)(uintptr_t)page_alloc(&hv_pool, 2, PAGE_SIZE);
	if (!t)
		return -1;
	_Static_assert(sizeof(struct cpu_tables) <= 2 * PAGE_SIZE, "cpu_tables fits in two pages");
	pc->arch = t;
	t->gdt[0] = 0;
	t->gdt[1] = 0x00af9b000000ffffull; /* 64-bit code, DPL 0 */
	t->gdt[2] = 0x00cf93000000ffffull; /* data, DPL 0 */
	uint64_t tss = (uint64_t)(uintptr_t)&t->tss;
	uint64_t limit = sizeof(t->tss) - 1;
	t->gdt[3] = (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
		    (((tss >> 24) & 0xff) << 56);
	t->gdt[4] = tss >> 32;
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */
	t->tss.rsp[0] = cpu_main_stack_top(pc); /* never used: the host stays at CPL 0 */
	/* IST n is ist[n - 1]; a stack's top is the first byte above it (pushes come first). */
	t->tss.ist[IST_DF - 1] = cpu_stack_end(pc, CPU_STACK_DF);
	t->tss.ist[IST_NMI - 1] = cpu_stack_end(pc, CPU_STACK_NMI);
	t->tss.ist[IST_MC - 1] = cpu_stack_end(pc, CPU_STACK_MC);

	uint64_t stubs = (uint64_t)(uintptr_t)exception_stubs;
	for (int v = 0; v < 256; v++) {
		uint8_t ist = v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0;
		set_gate(&t->idt[v], stubs + (uint64_t)MIN(v, 32) * EXCEPTION_STUB_SIZE, ist);
	}

	struct desc_ptr gdtr = { sizeof(t->gdt) - 1, (uint64_t)(uintptr_t)t->gdt };
	struct desc_ptr idtr = { sizeof(t->idt) - 1, (uint64_t)(uintptr_t)t->idt };
	__asm__ __volatile__(
		"lgdt %0\n\t"
		"lidt %1\n\t"
		"pushq %2\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %3, %%eax\n\t"
		"mov %%eax, %%ds\n\t"
		"mov %%eax, %%es\n\t"
		"mov %%eax, %%ss\n\t"
		"xor %%eax, %%eax\n\t"
		"mov %%eax, %%fs\n\t"
		"mov %%eax, %%gs\n\t"
		"mov %4, %%ax\n\t"
		"ltr %%ax\n\t"
		:
		: "m"(gdtr), "m"(idtr), "i"(SEL_CODE64), "i"(SEL_DATA), "i"(SEL_TSS)
		: "rax", "memory");
	return 0;
}
