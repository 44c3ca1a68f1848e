/*
 * The gdb stub's access to an SVM guest (hv/gdb_stop.h), on the guest's own CPU, slow path:
 * registers from the VMCB (RAX, RSP, RIP, RFLAGS, segment selectors: APM vol. 2 appendix B)
 * and the exit stubs' save area (the others); DR6/DR7 in the VMCB, DR0-DR3 live in the CPU
 * (VMRUN and #VMEXIT do not switch them, APM vol. 2 15.5.1, and the hypervisor never uses
 * them); the #BP intercept (exception intercept bit 3, APM vol. 2 15.12); the single step
 * through RFLAGS.TF with the guest's own TF kept (svm_events.c).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "hv/gdb_mem.h"
#include "hv/gdb_regs.h"
#include "hv/vcpu.h"

void svm_gdb_regs(struct vcpu *v, struct gdb_regs *r, bool write)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	struct guest_gprs *g = &v->gprs;
	uint64_t *map[GPR_COUNT] = {
		[GPR_RAX] = &g->rax, [GPR_RBX] = &g->rbx, [GPR_RCX] = &g->rcx, [GPR_RDX] = &g->rdx,
		[GPR_RSI] = &g->rsi, [GPR_RDI] = &g->rdi, [GPR_RBP] = &g->rbp,
		[GPR_RSP] = &vmcb->save.rsp, [GPR_R8] = &g->r8, [GPR_R9] = &g->r9,
		[GPR_R10] = &g->r10, [GPR_R11] = &g->r11, [GPR_R12] = &g->r12, [GPR_R13] = &g->r13,
		[GPR_R14] = &g->r14, [GPR_R15] = &g->r15,
	};
	if (!write) {
		/* RAX: the slow path keeps v->gprs.rax and the VMCB's equal outside
		 * hv_handle_exit; the exit stubs' copy is the one the handlers use. */
		for (unsigned i = 0; i < GPR_COUNT; i++)
			r->gpr[i] = *map[i];
		r->rip = vmcb->save.rip;
		r->rflags = vmcb->save.rflags;
		if (!svm_guest_tf(s))
			r->rflags &= ~RFLAGS_TF; /* a step of the hypervisor's own is not shown */
		r->seg[GSEG_CS] = vmcb->save.cs.selector;
		r->seg[GSEG_SS] = vmcb->save.ss.selector;
		r->seg[GSEG_DS] = vmcb->save.ds.selector;
		r->seg[GSEG_ES] = vmcb->save.es.selector;
		r->seg[GSEG_FS] = vmcb->save.fs.selector;
		r->seg[GSEG_GS] = vmcb->save.gs.selector;
		return;
	}
	for (unsigned i = 0; i < GPR_COUNT; i++)
		*map[i] = r->gpr[i];
	vmcb->save.rax = g->rax;
	vmcb->save.rip = r->rip;
	/* TF: the guest's own, kept aside under a step in progress. Bit 1 is always 1. */
	if (s->step.on) {
		s->step.guest_tf = r->rflags & RFLAGS_TF;
		vmcb->save.rflags = r->rflags | RFLAGS_TF | 2;
	} else {
		vmcb->save.rflags = r->rflags | 2;
	}
}

uint64_t svm_gdb_dr_read(struct vcpu *v, unsigned n)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	if (n < 4)
		return read_dr_addr(n);
	return n == 6 ? vmcb->save.dr6 : n == 7 ? vmcb->save.dr7 : 0;
}

void svm_gdb_dr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	switch (n) {
	case 0: case 1: case 2: case 3: write_dr_addr(n, val); break;
	case 6: vmcb->save.dr6 = val; break;
	case 7:
		vmcb->save.dr7 = val;
		/* Also the CPU's own DR7 until the next VMRUN loads the VMCB's, for QEMU 7.2 TCG,
		 * which arms its data breakpoints only on a MOV to DR7, not on VMRUN's load of
		 * the VMCB's DR7. Harmless on hardware: VMRUN loads the guest's DR7 and #VMEXIT
		 * leaves 400H (APM vol. 2 15.5, 15.6); the enabled addresses are the guest's
		 * linear ones, which the hypervisor never touches, and a host #DB is taken and
		 * dismissed anyway (arch/x86/crash.c). */
		__asm__ __volatile__("mov %0, %%dr7" : : "r"(val));
		break;
	default: return;
	}
	vmcb->control.clean &= ~SVM_CLEAN_DR;
}

void svm_gdb_arm(struct vcpu *v, bool bp, bool step)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb_control *c = &s->vmcb->control;
	uint32_t exc = bp ? c->intercept_exc | BIT(3) : c->intercept_exc & ~(uint32_t)BIT(3);
	uint32_t misc1 = bp ? c->intercept_misc1 | SVM_INTERCEPT_INTN
			    : c->intercept_misc1 & ~(uint32_t)SVM_INTERCEPT_INTN;
	if (exc != c->intercept_exc || misc1 != c->intercept_misc1) {
		c->intercept_exc = exc;
		c->intercept_misc1 = misc1;
		c->clean &= ~SVM_CLEAN_INTERCEPTS;
	}
	svm_step_for_gdb(s, step);
}

/*
 * The INTn intercept (APM vol. 2 15.9, intercept vector 3 bit 21, exit 0x75), on beside the
 * #BP intercept while gdb has a software breakpoint set: QEMU TCG delivers INT3 as a
 * software interrupt, which only this intercept catches (the hardware takes INT3's #BP
 * through the exception intercept, as the APM says). RIP is at the instruction. INT3
 * (0xCC) becomes the #BP exit the core expects; any other INT n is carried out as the
 * guest asked: RIP past it and EVENTINJ type 4, software interrupt (APM vol. 2 15.20),
 * which VMRUN delivers with the gate's privilege checks. Slow path (svm_exit_decode.c).
 */
void svm_gdb_swint(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	struct guest_mode m;
	uint8_t op[2] = { 0, 0 };
	svm_read_mode(v, &m);
	size_t got = gdb_mem_read_raw(&v->mem, &m, vmcb->save.cs.base + vmcb->save.rip, op, 2);
	if (got >= 1 && op[0] == 0xcc) {
		e->kind = EXIT_EXCEPTION;
		e->exc.vector = 3;
		return;
	}
	if (got == 2 && op[0] == 0xcd) {
		vmcb->save.rip += 2;
		vmcb->control.event_inj = op[1] | SVM_EVTINJ_SOFT_INT | SVM_EVTINJ_VALID;
		e->kind = EXIT_HOST_EVENT; /* nothing more to do: resume */
		return;
	}
	e->kind = EXIT_UNKNOWN;
	e->name = "INTn intercept at an instruction that is no INT3 or INT n";
}
