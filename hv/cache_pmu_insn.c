/*
 * The cache-control and performance-counter instructions a guest of a
 * partitioned machine must not run natively (docs/cache-and-pmu.md).
 *
 * WBINVD writes back and invalidates every cache of the processor, including the
 * last-level cache the other partitions' cores share, and INVD discards them
 * without a write-back (SDM vol. 2A WBINVD/INVD; AMD APM vol. 3): run natively,
 * one guest would stall every partition for the time a whole-cache flush takes,
 * and INVD would lose the other partitions' modified lines. Both, and WBNOINVD
 * (the same exit on both backends), are therefore intercepted and carried out as
 * a write-back and invalidation of the guest's own memory only. For INVD that is
 * a permitted outcome: after INVD memory holds either the old or the cached data
 * (vol. 2A INVD), and a write-back is what a guest that INVDs after a WBINVD, as
 * every real user does, expects.
 *
 * RDPMC reads the counter an MSR would (SDM vol. 2B RDPMC; APM vol. 3 RDPMC), so
 * it is answered from the MSR policy (hv/msr_policy.c): a counter the policy
 * emulates reads what RDMSR reads there (0: no virtual PMU), a counter it denies
 * or an index naming none raises #GP(0), as RDMSR of that MSR would.
 */
#include "hv/cache_pmu_insn.h"
#include "hv/host_cpu.h"
#include "hv/msr_policy.h"

#define CR4_PCE BIT(8)
#define RFLAGS_VM BIT(17)

#define MSR_IA32_PMC0 0xc1u        /* IA32_PMC0..7 (SDM vol. 4 table 2-2) */
#define MSR_IA32_FIXED_CTR0 0x309u /* IA32_FIXED_CTR0..3 */
#define MSR_AMD_PERF_CTR0 0xc0010004u  /* PerfCtr0..3, legacy addresses (APM vol. 2 13.2.1) */
#define MSR_AMD_PERF_CTR_EXT 0xc0010201u /* PerfCtr0..5 with PerfCtrExtCore: 0xC0010201 + 2n */

enum exit_action hv_exit_cache_flush(struct vcpu *v)
{
	/* Ring 3 cannot get here: WBINVD/INVD at CPL > 0 #GP before any intercept (SDM vol. 3C
	 * 26.1.1, APM vol. 2 15.7). The flush takes time proportional to the partition's size
	 * and delays only this guest. */
	host_cache_writeback(v->mem.base, v->mem.size);
	return ACT_SKIP;
}

uint32_t rdpmc_counter_msr(bool amd, uint32_t ecx)
{
	if (amd) {
		/* ECX 0-5: core counters; 6-15: northbridge and L2I/LLC counters, which have no
		 * MSR in the policy; anything larger names nothing. */
		if (ecx < 4)
			return MSR_AMD_PERF_CTR0 + ecx;
		return ecx < 6 ? MSR_AMD_PERF_CTR_EXT + 2 * ecx : 0;
	}
	/* ECX[30] selects the fixed-function counters, ECX[29:0] the index (SDM vol. 2B RDPMC;
	 * ECX[29] alone would be the performance-metrics read, which no guest is shown). */
	uint32_t index = ecx & 0x3fffffffu;
	if (ecx & BIT(30))
		return index < 4 ? MSR_IA32_FIXED_CTR0 + index : 0;
	return index < 8 ? MSR_IA32_PMC0 + index : 0;
}

/* "AuthenticAMD" and "HygonGenuine" use AMD's counter numbering. */
static bool guest_is_amd(const struct vcpu *v)
{
	uint32_t ebx = cpuid_lookup(&v->cpuid, 0, 0).ebx;
	return ebx == 0x68747541u /* "Auth" */ || ebx == 0x6f677948u /* "Hygo" */;
}

enum exit_action hv_exit_rdpmc(struct vcpu *v)
{
	/* #GP(0) unless CR4.PCE = 1, CPL = 0 or real mode (SDM vol. 2B RDPMC). The CPU checks
	 * this before the intercept (26.1.1; APM 15.7); repeated here so the rule holds on
	 * every backend. Virtual-8086 mode runs at CPL 3. */
	struct guest_mode m;
	v->be->read_mode(v, &m);
	bool real = !(m.cr0 & 1);
	unsigned cpl = (m.rflags & RFLAGS_VM) ? 3 : m.cpl;
	if (!real && cpl != 0 && !(m.cr4 & CR4_PCE))
		return ACT_INJECT_GP;
	uint32_t msr = rdpmc_counter_msr(guest_is_amd(v), (uint32_t)v->gprs.rcx);
	uint64_t val = 0;
	int rc = -1;
	switch (msr ? msr_handling_for(msr, false) : MSR_DENY) {
	case MSR_EMULATED:
		rc = msr_emulate_read(v, msr, &val);
		break;
	case MSR_FIELD:
		rc = v->be->msr_field_read(v, msr, &val);
		break;
	case MSR_PASSTHROUGH:
		val = host_rdmsr(msr);
		rc = 0;
		break;
	case MSR_DENY:
		break;
	}
	if (rc)
		return ACT_INJECT_GP;
	v->gprs.rax = (uint32_t)val;
	v->gprs.rdx = val >> 32;
	return ACT_SKIP;
}
