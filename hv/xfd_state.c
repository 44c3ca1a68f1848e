/*
 * Guest IA32_XFD / IA32_XFD_ERR handling (see hv/xfd_state.h for the scheme).
 *
 * Facts from Intel SDM vol. 1 13.14 this relies on:
 *  - XFD[i] matters only when XCR0[i] = 1; then an instruction using component i
 *    raises #NM and the processor loads XFD_ERR with XFD AND the components the
 *    instruction needed. #NM from CR0.TS does not modify XFD_ERR. Software, not
 *    the processor, clears XFD_ERR.
 *  - Setting XFD[i] does not put component i in its init state: the registers
 *    keep their contents.
 *  - XSAVE, XSAVEC, XSAVEOPT and XSAVES do not #NM for XFD; with XFD[i] = 1 they
 *    act as if component i were in its init state (XSTATE_BV[i] = 0).
 *  - XRSTOR and XRSTORS #NM when they would load (RFBM[i] = XSTATE_BV[i] = 1) a
 *    component with XFD[i] = 1.
 *  - WRMSR setting a bit i of either MSR with CPUID.(0xD,i).ECX[2] = 0 #GPs.
 * Hence the hypervisor runs its own XSAVE* and XRSTOR* only with XFD = 0.
 */
#include "arch/x86/msr_index.h"
#include "hv/xfd_state.h"

/* Each write goes to the hardware only when the cache does not already say so. */
static void hw_set_xfd(struct xfd_vcpu *x, uint64_t val)
{
	struct xfd_cpu *c = x->cpu;
	if (c->xfd_known && c->xfd == val)
		return;
	x->ops->wrmsr(x->ctx, MSR_XFD, val);
	c->xfd = val;
	c->xfd_known = true;
}

static void hw_set_xfd_err(struct xfd_vcpu *x, uint64_t val)
{
	struct xfd_cpu *c = x->cpu;
	if (c->xfd_err == val)
		return;
	x->ops->wrmsr(x->ctx, MSR_XFD_ERR, val);
	c->xfd_err = val;
}

/* With XFD passed through, the guest may have rewritten it since the last entry:
 * the hardware holds the authoritative value. Read it back once. */
static void sync_xfd(struct xfd_vcpu *x)
{
	if (!x->xfd_live)
		return;
	x->xfd = x->ops->rdmsr(x->ctx, MSR_XFD);
	x->cpu->xfd = x->xfd;
	x->cpu->xfd_known = true;
	x->xfd_live = false;
}

void xfd_cpu_init(struct xfd_cpu *c, const struct xfd_ops *ops, void *ctx, bool has_xfd)
{
	if (!has_xfd)
		return;
	/* Firmware should leave both at their reset value 0, but the cache must be exact. */
	ops->wrmsr(ctx, MSR_XFD, 0);
	ops->wrmsr(ctx, MSR_XFD_ERR, 0);
	c->xfd = 0;
	c->xfd_err = 0;
	c->xfd_known = true;
}

void xfd_vcpu_init(struct xfd_vcpu *x, struct xfd_cpu *cpu, const struct xfd_ops *ops, void *ctx,
		   bool has_xfd, uint64_t xfd_capable, uint64_t permitted)
{
	*x = (struct xfd_vcpu){
		.ops = ops,
		.ctx = ctx,
		.cpu = cpu,
		.enabled = has_xfd,
		/* The guest's CPUID shows only its permitted components, so only those can
		 * be XFD-capable from its point of view. */
		.allowed = has_xfd ? xfd_capable & permitted : 0,
	};
	if (!has_xfd)
		return; /* never touch MSRs 1C4H/1C5H: they #GP on such a CPU */
	ops->set_xfd_write_intercept(ctx, true);
	ops->set_nm_intercept(ctx, false);
}

int xfd_wrmsr_xfd(struct xfd_vcpu *x, uint64_t val)
{
	if (!x->enabled || (val & ~x->allowed))
		return XFD_GP;
	x->xfd = val;
	/* An intercepted write supersedes whatever the guest left in the hardware; the
	 * cache already says unknown there, so xfd_load_guest writes it. */
	x->xfd_live = false;
	if (val && !x->passthrough) {
		/* First use of XFD: from now on the guest switches it freely (typically on
		 * every task switch), so stop exiting on writes. XFD can now cause #NM in
		 * the guest and XFD_ERR must be caught right at that #NM. */
		x->passthrough = true;
		x->ops->set_xfd_write_intercept(x->ctx, false);
		x->ops->set_nm_intercept(x->ctx, true);
	}
	return XFD_OK;
}

int xfd_rdmsr_xfd(struct xfd_vcpu *x, uint64_t *val)
{
	if (!x->enabled)
		return XFD_GP;
	sync_xfd(x);
	*val = x->xfd;
	return XFD_OK;
}

int xfd_wrmsr_xfd_err(struct xfd_vcpu *x, uint64_t val)
{
	if (!x->enabled || (val & ~x->allowed))
		return XFD_GP;
	x->xfd_err = val; /* reaches the hardware at xfd_load_guest */
	return XFD_OK;
}

int xfd_rdmsr_xfd_err(struct xfd_vcpu *x, uint64_t *val)
{
	if (!x->enabled)
		return XFD_GP;
	/* Authoritative: the hardware register changes only on an XFD #NM, and those exit
	 * (xfd_on_nm_exit) whenever the guest's XFD can be non-zero. */
	*val = x->xfd_err;
	return XFD_OK;
}

void xfd_on_nm_exit(struct xfd_vcpu *x)
{
	/* Not in passthrough: the guest's XFD is 0 in the hardware, so this #NM came from
	 * CR0.TS and left XFD_ERR alone. Reading 1C5H on a CPU without XFD would #GP. */
	if (!x->enabled || !x->passthrough)
		return;
	/* The hardware held the guest's XFD_ERR when the #NM happened (xfd_load_guest), so
	 * what it holds now is exactly what the guest would see on bare metal, whether
	 * the processor replaced or added to the previous bits. The register keeps that
	 * value (cache updated): nothing on the exit path can #NM, and xfd_load_host
	 * clears it before the hypervisor executes any XSAVE* or XRSTOR*. */
	x->xfd_err = x->ops->rdmsr(x->ctx, MSR_XFD_ERR);
	x->cpu->xfd_err = x->xfd_err;
}

void xfd_load_host(struct xfd_vcpu *x)
{
	if (!x->enabled)
		return;
	sync_xfd(x);
	hw_set_xfd(x, 0);     /* armed components are then saved (XSTATE_BV[i] = 1) and restorable */
	hw_set_xfd_err(x, 0); /* a host #NM must never see a guest bit */
}

void xfd_load_guest(struct xfd_vcpu *x)
{
	if (!x->enabled)
		return;
	if (!x->xfd_live) {
		hw_set_xfd(x, x->xfd);
		if (x->passthrough) {
			/* The guest may now change XFD without an exit. */
			x->xfd_live = true;
			x->cpu->xfd_known = false;
		}
	}
	/* The guest's own value, so that an #NM in the guest updates it exactly as on
	 * bare metal; usually already there (0, or just captured). */
	hw_set_xfd_err(x, x->xfd_err);
}

void xfd_reset(struct xfd_vcpu *x)
{
	if (!x->enabled)
		return;
	x->xfd_live = false; /* the old value is discarded, not read back */
	x->xfd = 0;
	x->xfd_err = 0;
	x->passthrough = false;
	x->ops->set_xfd_write_intercept(x->ctx, true);
	x->ops->set_nm_intercept(x->ctx, false);
	hw_set_xfd(x, 0);
	hw_set_xfd_err(x, 0);
}

/*
 * The slow-path events as the product runs them (hv/xstate.c calls exactly these, and the
 * host tests drive XFD through them): each handles the event, then puts the guest's
 * values back into the hardware before the next VM entry. Nothing else before a VM entry
 * touches XFD: no plain exit changes it.
 */
int xfd_exit_rdmsr(struct xfd_vcpu *x, uint32_t msr, uint64_t *val)
{
	int rc = msr == MSR_XFD ? xfd_rdmsr_xfd(x, val) : xfd_rdmsr_xfd_err(x, val);
	/* The read took the guest's XFD back from the hardware (xfd_live cleared): mark it
	 * live again, or a later read would return this value after the guest changed it. */
	xfd_load_guest(x);
	return rc;
}

int xfd_exit_wrmsr(struct xfd_vcpu *x, uint32_t msr, uint64_t val)
{
	int rc = msr == MSR_XFD ? xfd_wrmsr_xfd(x, val) : xfd_wrmsr_xfd_err(x, val);
	xfd_load_guest(x); /* the value written reaches the hardware before the guest runs */
	return rc;
}

void xfd_exit_nm(struct xfd_vcpu *x)
{
	/* Nothing to load back: the captured XFD_ERR stays in the hardware (and the cache),
	 * and when it is captured XFD is passed through and live, so xfd_load_guest would
	 * change nothing (an equivalent call, which no test could tell from its absence). */
	xfd_on_nm_exit(x);
}

void xfd_guest_start(struct xfd_vcpu *x, struct xfd_cpu *cpu, const struct xfd_ops *ops, void *ctx,
		     bool has_xfd, uint64_t xfd_capable, uint64_t permitted,
		     void (*load_init_state)(void *ctx))
{
	/* XFD = XFD_ERR = 0 in the hardware, whatever an earlier user of the CPU left: the
	 * XRSTOR of the init image needs XFD clear (armed components would #NM, SDM vol. 1
	 * 13.14), and 0 is also the guest's reset value of both, so nothing is loaded after it
	 * (xfd_load_host / xfd_load_guest would change nothing here). */
	xfd_cpu_init(cpu, ops, ctx, has_xfd);
	xfd_vcpu_init(x, cpu, ops, ctx, has_xfd, xfd_capable, permitted);
	load_init_state(ctx);
}
