/*
 * IA32_EFER writes (Intel SDM vol. 4 table 2-2 "IA32_EFER", vol. 3A 10.8.5; AMD APM vol. 2
 * 3.1.7): SCE, LME and LMA always exist, NXE when CPUID.80000001H:EDX[20] says so, FFXSR
 * (AMD) when EDX[25] does; every other bit is reserved and writing it #GPs. LMA is
 * read-only: a write keeps its current value. LME may not change while paging is on.
 * Pure logic, so host tests check it.
 */
#include "arch/x86/efer.h"
#include "arch/x86/cpu.h"

uint64_t efer_guest_allowed(uint32_t ext_edx)
{
	uint64_t ok = EFER_SCE | EFER_LME | EFER_LMA;
	if (ext_edx & BIT(20))
		ok |= EFER_NXE;
	if (ext_edx & BIT(25))
		ok |= EFER_FFXSR;
	return ok;
}

int efer_guest_write(uint64_t val, uint64_t cur, bool paging, uint32_t ext_edx, uint64_t *out)
{
	if (val & ~efer_guest_allowed(ext_edx))
		return -1;
	if (paging && ((val ^ cur) & EFER_LME))
		return -1;
	*out = (val & ~EFER_LMA) | (cur & EFER_LMA);
	return 0;
}
