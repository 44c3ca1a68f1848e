/*
 * VMX controls computed from the capability MSRs (SDM vol. 3C 31.5.1, appendix
 * A.3-A.5), never hard-coded. Pure logic: the MSR values come in a struct, so
 * host tests can feed it any CPU's capabilities.
 */
#ifndef ARCH_X86_VMX_CONTROLS_H
#define ARCH_X86_VMX_CONTROLS_H

#include "hv/types.h"

/* Raw capability MSRs. pin/proc/exit/entry hold the IA32_VMX_TRUE_* MSRs when
 * IA32_VMX_BASIC[55] is set, else the plain ones (vmx_caps_read picks). */
struct vmx_caps {
	uint64_t basic, pin, proc, proc2, exit, entry, misc, ept_vpid;
};

struct vmx_controls {
	uint32_t pin, proc, proc2, exit, entry;
	bool invept_single, invvpid, invvpid_single;
	uint32_t msr_list_max; /* recommended maximum entries per MSR list (IA32_VMX_MISC[27:25]) */
	/* EFER / PAT switched through the MSR autoload lists: the CPU lacks the VM-entry or
	 * VM-exit "load" control (*_missing says which); their VMCS fields are then unused. */
	bool efer_lists, pat_lists;
	const char *efer_missing, *pat_missing;
};

/* Compute every control; -1 with "VMX: CPU lacks required control '...'" (or the
 * missing EPT/VPID capability) in err when the CPU cannot run the guests. */
int vmx_controls_compute(const struct vmx_caps *caps, struct vmx_controls *out, char *err,
			 size_t errlen);

struct cpuid_backend_caps;
/* What a guest run with controls c may be promised by CPUID (SDM vol. 3C 25.3, table 25-7:
 * RDTSCP/RDPID, INVPCID, XSAVES/XRSTORS, TPAUSE/UMONITOR/UMWAIT and PCONFIG #UD unless
 * their "enable" control is set; MONITOR/MWAIT exit and get #UD), and which CR4 bits it may
 * set (those the CPU allows in VMX operation, CR4_FIXED1, but VMXE: vmx_cr.c). */
void vmx_cpuid_caps(const struct vmx_controls *c, uint64_t cr4_fixed1, struct cpuid_backend_caps *out);

/* [hv] debug_vmx_msr_lists: make the capability MSRs say the CPU lacks the EFER/PAT load
 * and save controls, as on parts before Nehalem, so the autoload-list fallback runs. */
void vmx_caps_hide_efer_pat_controls(struct vmx_caps *caps);

#endif
