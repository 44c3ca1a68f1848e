/* Thin wrappers around the x86 instructions the hypervisor uses (no FPU/SIMD ones). */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "hv/exit_acct.h"
#include "hv/types.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	ACCT_HW(ACCT_MSR);
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	ACCT_HW(ACCT_MSR);
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Debug address register DR0-DR3 (n & 3): live in the CPU while a guest runs on both backends
 * (neither the VMCB nor the VMCS holds them: APM vol. 2 15.5.1, SDM vol. 3C 27.3.1). */
static inline uint64_t read_dr_addr(unsigned n)
{
	uint64_t v = 0;
	switch (n & 3) {
	case 0: __asm__ __volatile__("mov %%dr0, %0" : "=r"(v)); break;
	case 1: __asm__ __volatile__("mov %%dr1, %0" : "=r"(v)); break;
	case 2: __asm__ __volatile__("mov %%dr2, %0" : "=r"(v)); break;
	case 3: __asm__ __volatile__("mov %%dr3, %0" : "=r"(v)); break;
	}
	return v;
}

static inline void write_dr_addr(unsigned n, uint64_t v)
{
	switch (n & 3) {
	case 0: __asm__ __volatile__("mov %0, %%dr0" : : "r"(v)); break;
	case 1: __asm__ __volatile__("mov %0, %%dr1" : : "r"(v)); break;
	case 2: __asm__ __volatile__("mov %0, %%dr2" : : "r"(v)); break;
	case 3: __asm__ __volatile__("mov %0, %%dr3" : : "r"(v)); break;
	}
}

#define DEFINE_CR_ACCESS(n)                                                          \
	static inline uint64_t read_cr##n(void)                                      \
	{                                                                            \
		uint64_t v;                                                          \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                \
		return v;                                                            \
	}                                                                            \
	static inline void write_cr##n(uint64_t v)                                   \
	{                                                                            \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory");         \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline uint64_t xgetbv(uint32_t idx)
{
	uint32_t lo, hi;
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv(uint32_t idx, uint64_t v)
{
	__asm__ __volatile__("xsetbv" ::"c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ __volatile__("pushfq; pop %0" : "=r"(v));
	return v;
}

/* Park this CPU for good: interrupts off, HLT in a loop (an NMI or SMI may end one HLT). */
static inline NORETURN void cpu_park(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}

/* CR0/CR4/EFER bits (Intel SDM vol. 3A 2.5; AMD APM vol. 2 3.1). */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_MCE BIT(6)
#define CR4_PGE BIT(7)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_LA57 BIT(12)
#define CR4_VMXE BIT(13)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define CR4_SMEP BIT(20)
#define CR4_PKE BIT(22)

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)
#define EFER_FFXSR BIT(14) /* AMD */

#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)

#define DR6_BS BIT(14)

#endif
