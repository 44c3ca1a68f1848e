/* The real host-CPU operations behind hv/host_cpu.h. */
#include "arch/x86/cpu.h"
#include "hv/host_cpu.h"

struct cpuid_value host_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = cpuid(leaf, subleaf);
	return (struct cpuid_value){ r.eax, r.ebx, r.ecx, r.edx };
}

uint64_t host_xcr0_supported(void)
{
	if (!(cpuid(1, 0).ecx & BIT(26)) || cpuid(0, 0).eax < 0xd)
		return 0;
	struct cpuid_regs r = cpuid(0xd, 0);
	return ((uint64_t)r.edx << 32) | r.eax;
}

void host_xsetbv(uint32_t index, uint64_t value)
{
	xsetbv(index, value);
}

uint64_t host_xgetbv0(void)
{
	return xgetbv(0);
}

void host_xrstor(const void *area, uint64_t mask)
{
	/* XRSTOR reads the format from XCOMP_BV bit 63 (SDM vol. 1 13.8). The hypervisor's only
	 * extended-state instruction: it runs outside the exit path, at guest start. */
	ACCT_HW(ACCT_XSAVE);
	__asm__ __volatile__("xrstor64 (%0)" ::"r"(area), "a"((uint32_t)mask),
			     "d"((uint32_t)(mask >> 32))
			     : "memory");
}

uint64_t host_rdmsr(uint32_t msr)
{
	return rdmsr(msr);
}

void host_wrmsr(uint32_t msr, uint64_t value)
{
	wrmsr(msr, value);
}
