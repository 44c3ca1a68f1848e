/*
 * Guest extended state (x87/SSE/AVX/AVX-512/AMX): the per-guest XSAVE area,
 * the XCR0 view in CPUID, XSETBV growth, reset to the architectural init state,
 * and IA32_XFD / IA32_XFD_ERR. None of it runs on the hot exit path: the guest's
 * registers stay live in the CPU (the hypervisor is built -mgeneral-regs-only).
 */
#ifndef HV_XSTATE_H
#define HV_XSTATE_H

#include "hv/cpuid_policy.h"
#include "hv/xfd_state.h"
#include "hv/xsave_alloc.h"

struct vcpu;

struct xstate_guest {
	bool has_area;
	struct xsave_area area;
	struct xfd_cpu xfd_cpu; /* one guest per core: the core's MSR cache lives with it */
	struct xfd_vcpu xfd;
};

/* Once, on the boot CPU: this machine's XSAVE layout and the area heap. 0, or -1. */
int xstate_host_init(void);
/* Before the guest first runs (any CPU): its area, sized for its permitted features. */
void xstate_guest_init(struct vcpu *v);
/* On the guest's CPU, before its first entry: XFD state and the init state of every
 * component (XRSTOR of an init image), so nothing of an earlier occupant remains. */
void xstate_guest_start(struct vcpu *v);
/* A valid XSETBV to val: grow the area first when val needs more. 0, or -1 (guest stopped). */
int xstate_xsetbv(struct vcpu *v, uint64_t val);
/* The dynamic parts of leaf 0xD (sizes for the current XCR0, XFD support). */
void xstate_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, struct cpuid_value *r);
/* IA32_XFD / IA32_XFD_ERR: 0, or -1 for #GP (also when the CPU has no XFD). */
int xstate_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int xstate_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* An intercepted #NM: capture XFD_ERR for the guest. True when #NM must be reflected. */
bool xstate_nm_exit(struct vcpu *v);
/* [hv] debug_dirty_xstate_cpu: leave non-init values in the guest's components before
 * xstate_guest_start. Returns the components dirtied. Testing only. */
uint64_t xstate_debug_dirty(struct vcpu *v);

#endif
