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
};

/* Compute every control; -1 with "VMX: CPU lacks required control '...'" (or the
 * missing EPT/VPID capability) in err when the CPU cannot run the guests. */
int vmx_controls_compute(const struct vmx_caps *caps, struct vmx_controls *out, char *err,
			 size_t errlen);

#endif
