/*
 * WBINVD/WBNOINVD/INVD and RDPMC: intercepted on both backends and carried out
 * here, the same way on SVM and VMX. Why: docs/cache-and-pmu.md.
 */
#ifndef HV_CACHE_PMU_INSN_H
#define HV_CACHE_PMU_INSN_H

#include "hv/vcpu.h"

/* WBINVD, WBNOINVD or INVD: write back (and invalidate) the guest's own partition only. */
enum exit_action hv_exit_cache_flush(struct vcpu *v);
/* RDPMC: EDX:EAX from the MSR policy's view of the counter ECX names, or #GP. */
enum exit_action hv_exit_rdpmc(struct vcpu *v);

/* The performance-counter MSR that RDPMC index ecx reads on this vendor (SDM vol. 2B RDPMC,
 * AMD APM vol. 3 RDPMC), or 0 when the index names no counter (then RDPMC #GPs). */
uint32_t rdpmc_counter_msr(bool amd, uint32_t ecx);

#endif
