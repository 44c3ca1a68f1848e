/*
 * A guest on the XFD hardware model (tests/host/xfd_model.h), run the way the
 * product runs it, through the same calls hv/xstate.c makes: the guest starts
 * with xfd_guest_start; a guest MSR access exits when the MSR policy table
 * intercepts it (XFD and XFD_ERR reads and writes, but XFD writes once passed
 * through) and is handled by xfd_exit_rdmsr / xfd_exit_wrmsr; an intercepted
 * #NM by xfd_exit_nm, then reflected. A VM entry itself does nothing for XFD,
 * as in the product. The product has no hypervisor XSAVE/XRSTOR of guest state
 * after the start; hv_xsave_begin/end run the contract xfd_state.h states for
 * one (xfd_load_host before, xfd_load_guest after).
 */
#ifndef TESTS_HOST_XFD_GUEST_ENV_H
#define TESTS_HOST_XFD_GUEST_ENV_H

#include "hv/xcr0_policy.h"
#include "tests/host/xfd_model.h"

#define TILE XFEATURE_TILEDATA
#define TCFG XFEATURE_TILECFG
#define GUEST_XCR0 0x602e7ull

struct env {
	struct xsave_layout l;
	struct xfd_model m;
	struct xfd_cpu cpu;
	struct xfd_vcpu x;
	bool virt;    /* false: the same guest on bare metal (the reference) */
	int exits;
	int injected; /* #NMs reflected by the hypervisor */
};

/* VM entry (after xfd_load_guest) and VM exit. */
void enter(struct env *e);
void vmexit(struct env *e);
/* A guest with XCR0 bits `permitted` on the CPU src describes; virt: under the
 * hypervisor (and entered), else on bare metal. */
void env_init(struct env *e, cpuid_source_fn src, uint64_t permitted, enum xm_err_rule r,
	      bool virt);

/* Guest WRMSR / RDMSR: -1 means the guest got #GP. */
int g_wrmsr(struct env *e, uint32_t msr, uint64_t val);
uint64_t g_rdmsr(struct env *e, uint32_t msr);
/* The guest runs an instruction needing `need`. An intercepted #NM is handled as the
 * backends will: capture first, reflect, re-enter. XM_NM_GUEST: its handler runs. */
enum xm_fault g_use(struct env *e, uint64_t need, uint64_t val);
/* An exit that has nothing to do with XFD (interrupt, I/O, nested page fault ...). */
void g_other_exit(struct env *e);
/* An exit in which the hypervisor runs XSAVE* or XRSTOR* on the guest's state: begin exits and
 * loads the host's values (xfd_load_host), end loads the guest's (xfd_load_guest) and enters. */
void hv_xsave_begin(struct env *e);
void hv_xsave_end(struct env *e);

#endif
