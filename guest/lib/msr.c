/* Fault-tolerant MSR access through the exception-fixup table. */
#include "msr.h"
#include "fixup.h"

uint32_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	fixup_arm();
	/* On a fault EAX/EDX keep the zeros loaded here. */
	__asm__ volatile("1: rdmsr\n"
			 "2:\n\t" FIXUP_ENTRY("1b", "2b")
			 : "+a"(lo), "+d"(hi)
			 : "c"(msr)
			 : "memory");
	uint32_t vec = fixup_take();
	*val = vec == FIXUP_NONE ? (uint64_t)hi << 32 | lo : 0;
	return vec == FIXUP_NONE ? 0 : vec;
}

uint32_t wrmsr_safe(uint32_t msr, uint64_t val)
{
	fixup_arm();
	__asm__ volatile("1: wrmsr\n"
			 "2:\n\t" FIXUP_ENTRY("1b", "2b")
			 :
			 : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
	uint32_t vec = fixup_take();
	return vec == FIXUP_NONE ? 0 : vec;
}
