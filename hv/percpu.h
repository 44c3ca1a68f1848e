/*
 * Per-CPU state. The hypervisor cannot keep a per-CPU pointer in GS: on SVM the
 * guest's GS base stays live in the CPU while the hypervisor handles exits.
 * Instead every CPU's stack is HV_STACK_SIZE-aligned with a pointer to its
 * struct percpu in the lowest word, so this_cpu() is a mask of RSP.
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include "hv/types.h"

#define HV_MAX_CPUS 64
#define HV_STACK_SIZE (64 * 1024)

struct vcpu;

struct percpu {
	uint32_t index;   /* logical CPU: 0 is the boot CPU, then MADT order */
	uint32_t apic_id;
	uint64_t stack_base; /* HV_STACK_SIZE-aligned; the percpu pointer lives here */
	struct vcpu *vcpu;   /* the guest pinned here, or NULL: the CPU parks */
	void *arch;          /* GDT/TSS/IDT (arch/x86/cpu_tables.c) */
	void *virt;          /* backend per-CPU data (host save area, VMXON region) */
	volatile uint32_t online;
	uint64_t nmis;
};

extern struct percpu hv_cpus[HV_MAX_CPUS];
extern uint32_t hv_ncpus;

static inline struct percpu *this_cpu(void)
{
	uint64_t rsp;
	__asm__("mov %%rsp, %0" : "=r"(rsp));
	return *(struct percpu **)(uintptr_t)(rsp & ~(uint64_t)(HV_STACK_SIZE - 1));
}

#endif
