/*
 * The hypercall interface guests see (VMMCALL on AMD, VMCALL on Intel), shared
 * with the guests in guest/. Function number in RAX, result in RAX.
 */
#ifndef HV_HYPERCALL_ABI_H
#define HV_HYPERCALL_ABI_H

#define HC_PING 0          /* returns 0 */
/* Benchmark builds only (make bench; HV_BENCH): */
#define HC_EXIT_COSTS 1    /* RBX = guest-physical address of a struct hc_exit_costs, RCX = exit kind:
			      fills it and returns 0 */
#define HC_BENCH_FLOOR 2   /* RBX = count, RCX = instruction length (1-15): the next RBX exits bypass
			      the core entirely (a do-nothing exit: save/restore GPRs, advance RIP) */
#define HC_UNKNOWN (~0ull) /* what any other function (or a non-bench build) returns */

/* Exit kinds as numbered in HC_EXIT_COSTS (the order of enum exit_kind, hv/vm_exit.h). */
#define HC_KIND_CPUID 0
#define HC_KIND_HYPERCALL 1
#define HC_KIND_IO 2
#define HC_KIND_MSR_READ 3
#define HC_KIND_MSR_WRITE 4
#define HC_KIND_HLT 5
#define HC_KIND_NPF 8 /* nested page fault / EPT violation: the xAPIC page (hv/apic_mmio.c) */

/* Totals since the guest started, for one exit kind: how many exits, and what the hypervisor
 * executed while handling them. */
struct hc_exit_costs {
	unsigned long long exits, msr, xsave, vmsave, vmload, vmwrite;
	unsigned long long autoload; /* VMX MSR autoload list entries processed by the CPU */
};

#endif
