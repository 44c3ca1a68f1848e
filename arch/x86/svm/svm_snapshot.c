/*
 * The SVM part of a guest-state snapshot (hv/guest_state.h), read from the VMCB on the
 * guest's own CPU in its slow path. The slow path has executed VMSAVE (svm_exit.c,
 * host_tr_load) before the core runs, so FS, GS, TR, LDTR, KERNEL_GS_BASE, STAR, LSTAR,
 * CSTAR, SFMASK and the SYSENTER MSRs in the VMCB are the guest's current values (APM
 * vol. 2 15.5.2 "VMSAVE and VMLOAD"); everything else is saved there by #VMEXIT (15.6).
 * Nothing here runs on the exit path.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "hv/guest_state.h"
#include "hv/vcpu.h"

/* The VMCB segment (APM vol. 2 15.5.1: attrib = descriptor bits 47:40 and 55:52 packed
 * into 12 bits) with its hidden part in the VMX access-rights layout the core uses. */
static void seg(const struct vmcb_seg *g, struct guest_state_seg *out)
{
	out->sel = g->selector;
	out->hidden.base = g->base;
	out->hidden.limit = g->limit;
	out->hidden.attr = (uint16_t)((g->attrib & 0xff) | (g->attrib & 0xf00) << 4);
	out->hidden.unusable = !(g->attrib & BIT(7));
}

void svm_snapshot(struct vcpu *v, struct guest_state *st)
{
	struct svm_vcpu *s = v->arch;
	const struct vmcb_save *g = &s->vmcb->save;
	const struct vmcb_seg *by_number[GUEST_SEG_COUNT] = { &g->es, &g->cs, &g->ss, &g->ds,
							       &g->fs, &g->gs, &g->ldtr, &g->tr };
	for (unsigned i = 0; i < GUEST_SEG_COUNT; i++)
		seg(by_number[i], &st->seg[i]);
	st->gdtr = (struct guest_state_table){ g->gdtr.base, g->gdtr.limit };
	st->idtr = (struct guest_state_table){ g->idtr.base, g->idtr.limit };
	st->rsp = g->rsp;
	st->rip = g->rip;
	st->rflags = g->rflags;
	st->cr0 = g->cr0;
	st->cr2 = g->cr2;
	st->cr3 = g->cr3;
	st->cr4 = g->cr4;
	st->efer = g->efer & ~EFER_SVME; /* SVME is the hypervisor's, hidden from the guest */
	st->pat = g->g_pat;
	st->dr6 = g->dr6;
	st->dr7 = g->dr7;
	st->kernel_gs_base = g->kernel_gs_base;
	st->star = g->star;
	st->lstar = g->lstar;
	st->cstar = g->cstar;
	st->sfmask = g->sfmask;
	st->sysenter_cs = g->sysenter_cs;
	st->sysenter_esp = g->sysenter_esp;
	st->sysenter_eip = g->sysenter_eip;
	st->cpl = g->cpl;
	struct guest_mode m;
	svm_read_mode(v, &m);
	st->cs_bits = m.cs_bits;
	/* EVENTINJ (APM vol. 2 15.20): vector, type, EV and V in the low 32 bits, the same
	 * layout as VMX's interruption information; the error code in 63:32. */
	uint64_t inj = s->vmcb->control.event_inj;
	st->queued.info = (uint32_t)inj & (GUEST_EVENT_VALID | GUEST_EVENT_HAS_ERROR | 0x7ff);
	st->queued.error_code = (uint32_t)(inj >> 32);
	struct guest_events ev;
	svm_event_state(v, &ev);
	st->shadow = ev.shadow;
	st->nmi_blocked = ev.nmi_blocked;
}
