/*
 * Exit-path accounting: per exit kind, how many MSR accesses, XSAVE/XRSTOR,
 * VMSAVE/VMLOAD and VMWRITEs the hypervisor executed. Compiled in only for
 * benchmark builds (make bench defines HV_BENCH); elsewhere ACCT is nothing.
 */
#ifndef HV_EXIT_ACCT_H
#define HV_EXIT_ACCT_H

#include "hv/types.h"

struct exit_costs {
	uint64_t msr, xsave, vmsave, vmload, vmwrite;
};

#ifdef HV_BENCH
#define ACCT(v, what) ((v)->costs[(v)->cur_kind].what++)
#else
#define ACCT(v, what) ((void)0)
#endif

#endif
