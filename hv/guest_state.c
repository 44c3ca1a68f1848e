/* Guest-state snapshots (hv/guest_state.h): the core's part; the backend's is its snapshot op. */
#include "arch/x86/msr_index.h"
#include "hv/guest_state.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/msr_policy.h"
#include "hv/vcpu.h"
#include "hv/vlapic.h"
#include "hv/xstate.h"

/* The current values of the MSRs the policy table keeps per guest (one MSR per rule, read
 * emulated or from a VMCB/VMCS field), read as the guest's own RDMSR would be answered. */
static void policy_values(struct vcpu *v, struct guest_state *st)
{
	size_t n = MIN(msr_rule_count, (size_t)GUEST_STATE_MSR_RULES);
	for (size_t i = 0; i < n; i++) {
		const struct msr_rule *r = &msr_rules[i];
		uint64_t val = 0;
		int rc = -1;
		if (r->first != r->last)
			continue;
		if (r->read == MSR_EMULATED)
			rc = msr_emulate_read(v, r->first, &val);
		else if (r->read == MSR_FIELD || r->write == MSR_FIELD)
			rc = v->be->msr_field_read(v, r->first, &val);
		st->msr_ok[i] = rc == 0;
		st->msr_val[i] = rc == 0 ? val : 0;
	}
}

/* Extended state (SDM vol. 1 13): XCR0 is the guest's while its CPU is in the hypervisor
 * (nothing switches it, hv/xstate.h); XINUSE likewise, as the hypervisor touches no
 * extended state (-mgeneral-regs-only). IA32_XSS is denied to guests: always 0. */
static void xstate_values(struct vcpu *v, struct guest_state *st)
{
	st->xcr0 = v->xcr0;
	st->xss = 0;
	st->has_xfd = v->xs.xfd.enabled;
	if (st->has_xfd) {
		xstate_msr_read(v, MSR_XFD, &st->xfd);
		xstate_msr_read(v, MSR_XFD_ERR, &st->xfd_err);
	}
	/* XGETBV with ECX = 1 needs CPUID.(0xD,1).EAX[2] (SDM vol. 2B XGETBV). */
	st->has_xinuse = host_cpuid(0, 0).eax >= 0xd && (host_cpuid(0xd, 1).eax & BIT(2));
	if (st->has_xinuse)
		st->xinuse = host_xgetbv1();
}

void guest_state_take(struct vcpu *v, struct guest_state *st)
{
	memset(st, 0, sizeof(*st));
	const struct guest_gprs *g = &v->gprs;
	st->rax = g->rax;
	st->rbx = g->rbx;
	st->rcx = g->rcx;
	st->rdx = g->rdx;
	st->rsi = g->rsi;
	st->rdi = g->rdi;
	st->rbp = g->rbp;
	st->r8 = g->r8;
	st->r9 = g->r9;
	st->r10 = g->r10;
	st->r11 = g->r11;
	st->r12 = g->r12;
	st->r13 = g->r13;
	st->r14 = g->r14;
	st->r15 = g->r15;
	v->be->snapshot(v, st);
	st->halted = v->halted;
	st->nmi_pending = v->lapic.nmi_pending;
	st->irq_pending = vlapic_pending_vector(&v->lapic);
	xstate_values(v, st);
	policy_values(v, st);
	st->taken_tsc = host_rdtsc();
}

void guest_state_mode(const struct guest_state *st, struct guest_mode *m)
{
	m->cr0 = st->cr0;
	m->cr3 = st->cr3;
	m->cr4 = st->cr4;
	m->efer = st->efer;
	m->rflags = st->rflags;
	m->rip = st->rip;
	m->cs_base = st->seg[SEG_CS].hidden.base;
	m->cs_bits = st->cs_bits;
	m->cpl = st->cpl;
}
