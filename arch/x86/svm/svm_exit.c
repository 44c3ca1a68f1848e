/*
 * The SVM run loop: VMRUN, turn the VMCB's exit information into a struct
 * vm_exit, let the core decide, apply its answer.
 *
 * Host state. The guest's FS, GS, TR, LDTR, KERNEL_GS_BASE, STAR, LSTAR, CSTAR,
 * SFMASK and SYSENTER MSRs are loaded once with VMLOAD before the first VMRUN
 * and then simply stay in the CPU: VMRUN and #VMEXIT do not touch them (APM
 * vol. 2 15.5.2, 15.6), and this core runs nothing else. The hot path executes
 * no VMSAVE, VMLOAD, RDMSR or WRMSR. This is safe because the hypervisor never
 * consumes any of that state: it runs at CPL 0 only (no SYSCALL/SYSRET/SYSENTER,
 * no SWAPGS), uses no FS/GS-relative addressing (per-CPU data hangs off the
 * stack, hv/percpu.h), takes exceptions through IST-free gates on its current
 * stack (so the guest's TR is never consulted), and runs with GIF = 0 so no
 * interrupt or NMI arrives unasked. Using IST stacks, GS-based per-CPU data, a
 * ring-3 host component, or host interrupts with a privilege change would break
 * it: each would need the host's values back (VMSAVE guest, VMLOAD host) first.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "hv/vcpu.h"

static const char *forbidden_name(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_VMRUN:
		return "VMRUN";
	case SVM_EXIT_VMLOAD:
		return "VMLOAD";
	case SVM_EXIT_VMSAVE:
		return "VMSAVE";
	case SVM_EXIT_STGI:
		return "STGI";
	case SVM_EXIT_CLGI:
		return "CLGI";
	case SVM_EXIT_SKINIT:
		return "SKINIT";
	case SVM_EXIT_INVLPGA:
		return "INVLPGA";
	case SVM_EXIT_INVD:
		return "INVD";
	case SVM_EXIT_RSM:
		return "RSM";
	default:
		return NULL;
	}
}

static void decode_exit(struct svm_vcpu *s, struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vmcb = s->vmcb;
	uint64_t code = vmcb->control.exit_code;
	uint64_t info1 = vmcb->control.exit_info1, info2 = vmcb->control.exit_info2;
	e->arch_code = code;
	e->name = NULL;
	/* nRIP (APM vol. 2 15.7.1) when the CPU saves it; QEMU TCG does not, and then the core decodes. */
	e->insn_len = s->cpu->nrip && vmcb->control.next_rip > vmcb->save.rip
			      ? (uint32_t)(vmcb->control.next_rip - vmcb->save.rip)
			      : 0;
	switch (code) {
	case SVM_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		return;
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		return;
	case SVM_EXIT_IOIO:
		/* EXITINFO1 (APM vol. 2 15.10.2); EXITINFO2 is always the next RIP. */
		e->kind = EXIT_IO;
		e->io.in = info1 & 1;
		e->io.string = info1 & BIT(2);
		e->io.rep = info1 & BIT(3);
		e->io.size = (info1 & BIT(4)) ? 1 : (info1 & BIT(5)) ? 2 : 4;
		e->io.port = (uint16_t)(info1 >> 16);
		e->insn_len = (uint32_t)(info2 - vmcb->save.rip);
		return;
	case SVM_EXIT_MSR:
		e->kind = info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (uint32_t)v->gprs.rcx;
		return;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		return;
	case SVM_EXIT_XSETBV:
		e->kind = EXIT_XSETBV;
		return;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_SHUTDOWN;
		return;
	case SVM_EXIT_NPF:
		/* EXITINFO1 is a #PF-style error code, EXITINFO2 the faulting guest-physical address. */
		e->kind = EXIT_NPF;
		e->npf.gpa = info2;
		e->npf.present = info1 & BIT(0);
		e->npf.write = info1 & BIT(1);
		e->npf.fetch = info1 & BIT(4);
		return;
	case SVM_EXIT_NMI:
		/* Let the NMI be taken by the host's handler, then close GIF again. */
		__asm__ __volatile__("stgi; clgi" ::: "memory");
		e->kind = EXIT_HOST_EVENT;
		return;
	case SVM_EXIT_INVALID:
		e->kind = EXIT_BAD_STATE;
		e->name = "VMRUN consistency checks failed (APM vol. 2 15.5.1)";
		e->bad.qualification = info1;
		return;
	case SVM_EXIT_INIT:
		e->kind = EXIT_UNKNOWN;
		e->name = "INIT signal";
		return;
	default:
		e->name = forbidden_name(code);
		e->kind = e->name ? EXIT_FORBIDDEN : EXIT_UNKNOWN;
		if (!e->name)
			e->name = code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_INTR ? "exception intercept"
										: "SVM exit";
		return;
	}
}

void svm_vcpu_run(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	__asm__ __volatile__("clgi" ::: "memory");
	__asm__ __volatile__("vmload %%rax" ::"a"(s->vmcb_pa) : "memory");
	for (;;) {
		vmcb->save.rax = v->gprs.rax;
		svm_enter(s->vmcb_pa, &v->gprs);
		v->gprs.rax = vmcb->save.rax;
		vmcb->control.clean = SVM_CLEAN_ALL;
		vmcb->control.tlb_control = 0;
		vmcb->control.event_inj = 0;

		struct vm_exit e;
		decode_exit(s, v, &e);
		switch (hv_handle_exit(v, &e)) {
		case ACT_SKIP:
			vmcb->save.rip += e.insn_len;
			vmcb->control.interrupt_shadow = 0;
			break;
		case ACT_INJECT_GP:
			vmcb->control.event_inj =
				13 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_ERROR_VALID | SVM_EVTINJ_VALID;
			break;
		case ACT_INJECT_UD:
			vmcb->control.event_inj = 6 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
			break;
		case ACT_RESUME:
			break;
		case ACT_STOP:
			return;
		}
	}
}

const struct virt_backend svm_backend = {
	.name = "svm",
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_run = svm_vcpu_run,
	.read_mode = svm_read_mode,
	.msr_field_read = svm_msr_field_read,
	.msr_field_write = svm_msr_field_write,
};
