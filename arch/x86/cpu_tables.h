/* Each CPU's own GDT, TSS and IDT (Intel SDM vol. 3A 3.4.5, 6.10, 7.7). */
#ifndef ARCH_X86_CPU_TABLES_H
#define ARCH_X86_CPU_TABLES_H

#include "hv/percpu.h"

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define TSS_DESC_BUSY BIT(41) /* type 0xB (busy) vs 0x9 (available), SDM vol. 3A 7.2.2 */

/* Interrupt stack table slots (SDM vol. 3A 6.14.5), stacks in cpu_stacks.h. */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

struct PACKED tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM vol. 3A 7.7)");

struct PACKED idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes (SDM vol. 3A 6.14.1)");

struct cpu_tables {
	uint64_t gdt[5]; /* null, code64, data, TSS (two slots) */
	struct tss64 tss;
	struct idt_gate idt[256];
};

/* Build and load this CPU's GDT, TSS and IDT; CS/SS/DS reloaded. */
int cpu_tables_load(struct percpu *pc);

/* Load this CPU's own TSS into TR again (after SVM left the guest's there). LTR marks the
 * descriptor busy and raises #GP on one already busy (SDM vol. 2A LTR, vol. 3A 7.2.2):
 * clear the bit the previous LTR set, then load. */
static inline void cpu_tables_load_tr(struct cpu_tables *t)
{
	t->gdt[3] &= ~TSS_DESC_BUSY;
	__asm__ __volatile__("ltr %w0" : : "r"((uint16_t)SEL_TSS) : "memory");
}

#endif
