/* CPU instructions the guests need: CPUID, MSRs, control registers, hypercalls. */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "guest.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* Raw MSR access: a #GP here is an unexpected exception. See msr.h for the safe forms. */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

enum cpu_vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

/* From the CPUID leaf 0 vendor string; Hygon counts as AMD (same SVM ISA). */
enum cpu_vendor cpu_vendor(void);

/* Copies the 12-byte vendor string of leaf 0 into buf (NUL-terminated). */
void cpu_vendor_string(char buf[13]);

/*
 * Hypercall `fn` with EAX=fn: VMMCALL on AMD, VMCALL otherwise. Returns EAX.
 * On a CPU without a hypervisor both instructions raise #UD.
 */
uint32_t hypercall(uint32_t fn);

/* hypercall() that survives an exception: returns 0 and sets *ret, or the vector. */
uint32_t hypercall_safe(uint32_t fn, uint32_t *ret);

#endif
