/*
 * The core's handling of the hottest exits, inlined into each backend's fast
 * path so they cost no call, no struct vm_exit and no function pointer. Each
 * returns false when the exit needs the general path (hv_handle_exit), which
 * gives the same answer more slowly (tests/host/test_exit_fast.c checks that).
 * The guest's RAX is passed by pointer: it lives in the VMCB on SVM.
 */
#ifndef HV_EXIT_FAST_H
#define HV_EXIT_FAST_H

#include "hv/hypercall_abi.h"
#include "hv/vcpu.h"

#define FAST_CR4_OSXSAVE BIT(18)

static inline bool hv_fast_cpuid(struct vcpu *v, uint64_t *rax, uint64_t guest_cr4)
{
	uint32_t leaf = (uint32_t)*rax;
	const struct cpuid_table *t = &v->cpuid;
	if (leaf > t->max_basic || ((t->indexed_leaves >> leaf) & 1))
		return false;
	const struct cpuid_value *c = &t->basic[leaf];
	uint32_t ecx = c->ecx;
	if (leaf == 1 && (guest_cr4 & FAST_CR4_OSXSAVE))
		ecx |= CPUID_1_ECX_OSXSAVE;
	*rax = c->eax;
	v->gprs.rbx = c->ebx;
	v->gprs.rcx = ecx;
	v->gprs.rdx = c->edx;
	v->exits[EXIT_CPUID]++;
	return true;
}

static inline bool hv_fast_hypercall(struct vcpu *v, uint64_t *rax)
{
	if (*rax != HC_PING)
		return false;
	*rax = 0;
	v->exits[EXIT_HYPERCALL]++;
	return true;
}

#endif
