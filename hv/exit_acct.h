/*
 * Exit-path accounting: per exit kind, how many MSR accesses, XSAVE/XRSTOR,
 * VMSAVE/VMLOAD and VMWRITEs the hypervisor executed. The instruction wrappers
 * themselves (arch/x86/cpu.h, host_cpu.c, svm/, vmx/vmx.h) report each one, so
 * nothing can be missed. Compiled in only for benchmark builds (make bench
 * defines HV_BENCH); elsewhere ACCT_HW is nothing and costs nothing.
 */
#ifndef HV_EXIT_ACCT_H
#define HV_EXIT_ACCT_H

#include "hv/types.h"

struct exit_costs {
	uint64_t msr, xsave, vmsave, vmload, vmwrite;
	uint64_t autoload; /* VMX MSR autoload list entries the CPU processed (vmx_exit_fast.c) */
};

enum acct_item { ACCT_MSR, ACCT_XSAVE, ACCT_VMSAVE, ACCT_VMLOAD, ACCT_VMWRITE };

struct vcpu;

/* From now on this vCPU is on its exit path: accounting starts (HV_BENCH builds). Called by
 * the backends on the vCPU's own CPU right before the first entry, once every CPU runs on
 * the hypervisor's own stacks: this_cpu() is meaningless before that (on UEFI's stack). */
void exit_acct_start(struct vcpu *v);

/* Charge n executions of `what` to the exit this CPU's vCPU is handling (its cur_kind),
 * once the vCPU runs (vcpu->acct_live); before that, guest set-up is not an exit. */
void exit_acct_add(enum acct_item what, uint64_t n);

#ifdef HV_BENCH
#define ACCT_HW(what) exit_acct_add((what), 1)
#else
#define ACCT_HW(what) ((void)0)
#endif

#endif
