/*
 * Per-CPU state. The hypervisor cannot keep a per-CPU pointer in GS: on SVM the
 * guest's GS base stays live in the CPU while the hypervisor handles exits.
 * Instead every CPU owns one HV_CPU_REGION_SIZE-aligned region holding all of
 * its host stacks (the main stack, the #DF/NMI/#MC stacks, their guard pages:
 * arch/x86/cpu_stacks.h, docs/host-faults.md), with a pointer to its struct
 * percpu in the region's highest word. Whichever of its stacks a CPU runs on,
 * this_cpu() is an OR of RSP and one load: the same cost as the mask it
 * replaced. The lowest page of the region is a guard page, so the pointer
 * cannot live at the bottom.
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include "hv/types.h"

#define HV_MAX_CPUS 64
#define HV_CPU_REGION_SIZE (128 * 1024) /* power of two; the region is aligned to it */
#define HV_STACK_SIZE (64 * 1024)       /* the main stack, at the top of the region */

struct vcpu;

struct percpu {
	uint32_t index;   /* logical CPU: 0 is the boot CPU, then MADT order */
	uint32_t apic_id;
	uint64_t stack_region; /* HV_CPU_REGION_SIZE-aligned; the percpu pointer is its last word */
	struct vcpu *vcpu;   /* the guest pinned here, or NULL: the CPU parks */
	void *arch;          /* GDT/TSS/IDT (arch/x86/cpu_tables.c) */
	void *virt;          /* backend per-CPU data (host save area, VMXON region) */
	volatile uint32_t online;
	uint64_t nmis;
	uint64_t host_irqs; /* maskable interrupts taken through the IDT, spurious included */
};

extern struct percpu hv_cpus[HV_MAX_CPUS];
extern uint32_t hv_ncpus;

static inline struct percpu *this_cpu(void)
{
	uint64_t rsp;
	__asm__("mov %%rsp, %0" : "=r"(rsp));
	return *(struct percpu **)(uintptr_t)((rsp | (HV_CPU_REGION_SIZE - 1)) - 7);
}

#endif
