/*
 * The VMX part of a guest-state snapshot (hv/guest_state.h), on the guest's own CPU in its
 * slow path: VMREAD reads the current VMCS only, which is this CPU's (SDM vol. 3C 24.1,
 * 30.3 VMREAD). The guest-state area (24.4) holds RSP, RIP, RFLAGS, CR0/CR3/CR4, DR7,
 * the segment registers, GDTR/IDTR, the SYSENTER MSRs and the interruptibility; CR0 and CR4
 * are the guest's view through the guest/host masks (vmx_cr.c), EFER and PAT come from
 * their fields or the MSR autoload lists (vmx_efer_pat.c). VM exits do not switch CR2,
 * DR6, KERNEL_GS_BASE, STAR, LSTAR, CSTAR or SFMASK (27.5; vmx_vcpu.c): the guest's values
 * are live in this CPU. Nothing here runs on the exit path.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/msr_index.h"
#include "arch/x86/vmx/vmx.h"
#include "hv/guest_state.h"
#include "hv/vcpu.h"

void vmx_snapshot(struct vcpu *v, struct guest_state *st)
{
	struct vmx_vcpu *x = v->arch;
	/* ES, CS, SS, DS, FS, GS, LDTR, TR: each field group steps by 2 (SDM vol. 3C B.1-B.4). */
	for (uint32_t n = 0; n < GUEST_SEG_COUNT; n++) {
		struct guest_state_seg *s = &st->seg[n];
		uint64_t ar = vmread(VMCS_GUEST_ES_AR + 2 * n);
		s->sel = (uint16_t)vmread(VMCS_GUEST_ES_SEL + 2 * n);
		s->hidden.base = vmread(VMCS_GUEST_ES_BASE + 2 * n);
		s->hidden.limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * n);
		s->hidden.attr = (uint16_t)ar;
		s->hidden.unusable = ar & AR_UNUSABLE;
	}
	st->gdtr = (struct guest_state_table){ vmread(VMCS_GUEST_GDTR_BASE),
					       (uint32_t)vmread(VMCS_GUEST_GDTR_LIMIT) };
	st->idtr = (struct guest_state_table){ vmread(VMCS_GUEST_IDTR_BASE),
					       (uint32_t)vmread(VMCS_GUEST_IDTR_LIMIT) };
	st->rsp = vmread(VMCS_GUEST_RSP);
	st->rip = vmread(VMCS_GUEST_RIP);
	st->rflags = vmread(VMCS_GUEST_RFLAGS);
	st->cr0 = vmx_guest_cr0(x);
	st->cr3 = vmread(VMCS_GUEST_CR3);
	st->cr4 = vmx_guest_cr4(x);
	st->efer = vmx_guest_efer(x);
	st->pat = vmx_guest_pat(x);
	st->dr7 = vmread(VMCS_GUEST_DR7);
	uint64_t cr2, dr6;
	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	__asm__ __volatile__("mov %%dr6, %0" : "=r"(dr6));
	st->cr2 = cr2;
	st->dr6 = dr6;
	st->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	st->star = rdmsr(MSR_STAR);
	st->lstar = rdmsr(MSR_LSTAR);
	st->cstar = rdmsr(MSR_CSTAR);
	st->sfmask = rdmsr(MSR_SFMASK);
	st->sysenter_cs = vmread(VMCS_GUEST_SYSENTER_CS);
	st->sysenter_esp = vmread(VMCS_GUEST_SYSENTER_ESP);
	st->sysenter_eip = vmread(VMCS_GUEST_SYSENTER_EIP);
	struct guest_mode m;
	vmx_read_mode(v, &m);
	st->cpl = m.cpl;
	st->cs_bits = m.cs_bits;
	/* VM-entry interruption information and its error code (24.8.3). */
	st->queued.info = (uint32_t)vmread(VMCS_ENTRY_INTR_INFO);
	st->queued.error_code = (uint32_t)vmread(VMCS_ENTRY_EXCEPTION_ERROR);
	struct guest_events ev;
	vmx_event_state(v, &ev);
	st->shadow = ev.shadow;
	st->nmi_blocked = ev.nmi_blocked;
}
