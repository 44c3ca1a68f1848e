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

uint64_t host_xgetbv1(void)
{
	return xgetbv(1);
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

void host_tilerelease(void)
{
	/* VEX.128.NP.0F38.W0 49 C0: spelled out for assemblers without AMX. At guest start only. */
	__asm__ __volatile__(".byte 0xc4, 0xe2, 0x78, 0x49, 0xc0" ::: "memory");
}

uint64_t host_rdmsr(uint32_t msr)
{
	return rdmsr(msr);
}

void host_wrmsr(uint32_t msr, uint64_t value)
{
	wrmsr(msr, value);
}

/*
 * The write-back behind a guest's WBINVD/WBNOINVD/INVD (hv/cache_pmu_insn.c). CLFLUSHOPT and
 * CLFLUSH write a modified line back and invalidate it in every cache level of the coherence
 * domain, whatever the memory type (SDM vol. 2A CLFLUSH/CLFLUSHOPT); the line size is
 * CPUID.1:EBX[15:8] * 8. CLFLUSHOPT is ordered only by fences, so an MFENCE closes the loop
 * (vol. 2A CLFLUSHOPT: "ordered with respect to ... SFENCE/MFENCE"); the VM entry that follows
 * is serializing as well. Every x86-64 CPU has CLFLUSH (it comes with SSE2).
 */
void host_cache_writeback(const void *base, uint64_t size)
{
	static uint32_t line; /* 0 until the first call; the same value on every CPU */
	static bool opt;
	if (!line) {
		struct cpuid_regs r1 = cpuid(1, 0);
		uint32_t l = ((r1.ebx >> 8) & 0xff) * 8;
		opt = cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & BIT(23));
		line = l >= 32 ? l : 64;
	}
	uintptr_t p = (uintptr_t)base & ~(uintptr_t)(line - 1), end = (uintptr_t)base + size;
	if (opt)
		for (; p < end; p += line)
			__asm__ __volatile__("clflushopt (%0)" ::"r"(p) : "memory");
	else
		for (; p < end; p += line)
			__asm__ __volatile__("clflush (%0)" ::"r"(p) : "memory");
	__asm__ __volatile__("mfence" ::: "memory");
}

uint64_t host_rdtsc(void)
{
	return rdtsc();
}
