/*
 * Guest IA32_XFD / IA32_XFD_ERR (Intel SDM vol. 1 13.14 "Extended Feature
 * Disable"; MSRs 1C4H / 1C5H, present when CPUID.(0xD,1).EAX[4] = 1).
 *
 * A pure state machine: every MSR access and intercept change goes through
 * struct xfd_ops, so the SVM/VMX backends plug in RDMSR/WRMSR and their
 * MSR-bitmap/exception-intercept updates, and host tests plug in a model.
 *
 * The scheme (see shared/seeds/002, tglx on XFD/XFD_ERR):
 *  - XFD writes are intercepted and validated (only XFD-capable bits the guest
 *    is permitted, else #GP) until the first non-zero value; then they pass
 *    through, because a guest using XFD rewrites it on every context switch.
 *    XFD reads would need no intercept (the hardware holds the guest's value
 *    whenever the guest runs); the MSR policy intercepts them all the same, and
 *    xfd_exit_rdmsr reads the hardware back.
 *  - While XFD passes through, #NM is intercepted so that XFD_ERR, which the
 *    processor loads when XFD causes #NM, is captured at once and the #NM is
 *    reflected to the guest. XFD_ERR reads and writes are always intercepted.
 *  - XFD and XFD_ERR never need touching on an ordinary exit: the hypervisor
 *    uses no FPU/SIMD state (-mgeneral-regs-only). Only before the hypervisor
 *    itself executes XSAVE* or XRSTOR* on guest state (xfd_load_host) is the
 *    guest's XFD read back and 0 loaded: with XFD[i] = 1, XSAVE* would record
 *    component i as init (XSTATE_BV[i] = 0, state lost) and XRSTOR* of a saved
 *    component i would #NM. XFD_ERR is cleared there too, so a host #NM never
 *    sees a guest bit. xfd_load_guest puts the guest's values back.
 *  - Every write is skipped when the per-CPU cache says the register already
 *    holds the value.
 */
#ifndef HV_XFD_STATE_H
#define HV_XFD_STATE_H

#include "hv/types.h"

#define XFD_OK 0
#define XFD_GP (-1) /* the guest's access must raise #GP */

struct xfd_ops {
	uint64_t (*rdmsr)(void *ctx, uint32_t msr);
	void (*wrmsr)(void *ctx, uint32_t msr, uint64_t val);
	/* WRMSR to IA32_XFD exits (true) or goes to the hardware (false). */
	void (*set_xfd_write_intercept)(void *ctx, bool intercept);
	/* #NM (vector 7) exits (true) or is delivered straight to the guest (false). */
	void (*set_nm_intercept)(void *ctx, bool intercept);
};

/* What this physical CPU's IA32_XFD / IA32_XFD_ERR hold, as far as we know. One per CPU. */
struct xfd_cpu {
	uint64_t xfd, xfd_err;
	bool xfd_known; /* false while a guest with XFD passthrough may have changed it */
};

struct xfd_vcpu {
	const struct xfd_ops *ops;
	void *ctx;
	struct xfd_cpu *cpu;  /* the CPU the vCPU runs on */
	bool enabled;         /* CPU has XFD and the guest may see it */
	bool passthrough;     /* a non-zero XFD was written: XFD not intercepted, #NM is */
	bool xfd_live;        /* the guest's XFD is in the hardware and may be newer than .xfd */
	uint64_t allowed;     /* XFD-capable components the guest is permitted */
	uint64_t xfd, xfd_err; /* the guest's values */
};

/* Bring-up of a CPU: with XFD, load the hypervisor's values (0, 0) and start the cache;
 * without it, touch nothing (MSRs 1C4H/1C5H #GP there: SDM vol. 4 table 2-2). */
void xfd_cpu_init(struct xfd_cpu *c, const struct xfd_ops *ops, void *ctx, bool has_xfd);

/* has_xfd: every CPU the guest may run on has XFD (else every access #GPs and no MSR
 * is ever touched); xfd_capable: components with CPUID.(0xD,i).ECX[2]; permitted:
 * the guest's permitted XCR0 bits. Sets the initial intercepts (write-intercept XFD,
 * do not intercept #NM). */
void xfd_vcpu_init(struct xfd_vcpu *x, struct xfd_cpu *cpu, const struct xfd_ops *ops, void *ctx,
		   bool has_xfd, uint64_t xfd_capable, uint64_t permitted);

/* Intercepted guest MSR accesses: XFD_OK, or XFD_GP to inject #GP. */
int xfd_wrmsr_xfd(struct xfd_vcpu *x, uint64_t val);
int xfd_rdmsr_xfd(struct xfd_vcpu *x, uint64_t *val);
int xfd_wrmsr_xfd_err(struct xfd_vcpu *x, uint64_t val);
int xfd_rdmsr_xfd_err(struct xfd_vcpu *x, uint64_t *val);

/* #NM exit: call first, before anything else runs on the exit path, then inject #NM
 * into the guest. Captures XFD_ERR as the processor left it. */
void xfd_on_nm_exit(struct xfd_vcpu *x);
/* Before the hypervisor's XSAVE* or XRSTOR* of guest state (and when the guest stops
 * using this CPU): read back the guest's XFD, load XFD = 0 and XFD_ERR = 0. */
void xfd_load_host(struct xfd_vcpu *x);
/* After any hypervisor XRSTOR*, before every VM entry: the guest's XFD / XFD_ERR back
 * into the hardware, each written only when it differs. No MSR access when nothing
 * changed since the last entry. */
void xfd_load_guest(struct xfd_vcpu *x);
/* Guest reset: XFD = XFD_ERR = 0, writes intercepted again, #NM not intercepted, and
 * the hardware left at 0/0 so the reset's XRSTOR of the init image cannot #NM. */
void xfd_reset(struct xfd_vcpu *x);

/* The product's call sequences (hv/xstate.c; the host tests run the same ones). An
 * intercepted RDMSR/WRMSR of IA32_XFD (msr 1C4H) or IA32_XFD_ERR (any other msr), then the
 * guest's values back into the hardware: XFD_OK, or XFD_GP to inject #GP. */
int xfd_exit_rdmsr(struct xfd_vcpu *x, uint32_t msr, uint64_t *val);
int xfd_exit_wrmsr(struct xfd_vcpu *x, uint32_t msr, uint64_t val);
/* An intercepted #NM: capture XFD_ERR (it stays in the hardware); inject #NM after. */
void xfd_exit_nm(struct xfd_vcpu *x);
/* On the guest's CPU before its first entry: CPU init (XFD = XFD_ERR = 0, the guest's reset
 * values too), vCPU init, then load_init_state(ctx) (the XRSTOR of the init image). */
void xfd_guest_start(struct xfd_vcpu *x, struct xfd_cpu *cpu, const struct xfd_ops *ops, void *ctx,
		     bool has_xfd, uint64_t xfd_capable, uint64_t permitted,
		     void (*load_init_state)(void *ctx));

#endif
