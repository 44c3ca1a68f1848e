/*
 * SVM event delivery: the backend half of hv/vintr.c (virt_backend ops event_state,
 * inject_event, request_window, wait_interrupt) and what the slow path does about events
 * at each exit (svm_events_exit). Slow path only; the hot path (svm_exit.c's fast part,
 * svm_run.asm) knows nothing of this.
 *
 * - Injection: EVENTINJ, type INTR for a vector, type NMI for an NMI (APM vol. 2 15.20).
 *   VMRUN delivers it through the guest's IDT; the fast path clears EVENTINJ at its start
 *   because by the time an instruction intercept (CPUID, VMMCALL, IOIO: the only exits it
 *   finishes) exits, the injected event has been delivered: those intercepts are checked
 *   when the instruction is about to execute, never in the middle of an event delivery.
 * - Re-injection: an exit that cut an event's delivery short (a nested page fault on the
 *   IDT or the stack, an intercepted exception raised while delivering) leaves it in
 *   EXITINTINFO, in EVENTINJ's format; it is queued again, unchanged, at the start of the
 *   slow path (APM vol. 2 15.7.2), and event_state reports it as queued so the core adds
 *   nothing on top.
 * - Interrupt window: V_IRQ = 1 with V_IGN_TPR (the virtual TPR plays no part: the
 *   virtual APIC has already applied the guest's TPR) and the VINTR intercept: the CPU
 *   exits exactly when it would take the virtual interrupt, i.e. RFLAGS.IF = 1 and no
 *   interrupt shadow (APM vol. 2 15.21.4, 15.21.6); that exit is EXIT_IRQ_WINDOW and the
 *   core injects the real vector through EVENTINJ. V_IRQ is cleared at that exit.
 * - NMI blocking: SVM keeps no NMI-blocking state for an injected NMI that a VMM can read,
 *   so the backend tracks it (nmi_blocked): set when it injects an NMI, cleared when the
 *   guest's IRET has completed. The IRET intercept (APM vol. 2 15.9, intercept vector 3
 *   bit 20) exits before the IRET executes, while blocking is still in effect, so that
 *   exit alone is not the window. Choice (as KVM does): at the IRET exit the intercept is
 *   turned off and the guest single-steps the IRET (RFLAGS.TF; the #DB intercept is on
 *   anyway, svm_intercepts.c). The single-step trap comes after the IRET completes (SDM
 *   vol. 3B 17.3.1.4: TF set at the start of an instruction traps after it, even one that
 *   loads RFLAGS), and at that exit, RIP past the IRET, blocking ends: EXIT_NMI_WINDOW. The
 *   same step serves an NMI held back only by an interrupt shadow or a queued event.
 *   While the guest steps, every exit takes the slow path (the fast path already hands
 *   over any exit with TF set). The trap is the backend's own and is not shown to the
 *   guest unless the guest single-steps itself. Limit: an IRET that faults is taken as
 *   completed (KVM has the same).
 */
#include "arch/x86/cpu.h"
#include "arch/x86/exc_error_code.h"
#include "arch/x86/svm/svm.h"
#include "hv/gdb_stop.h"
#include "hv/lib.h"
#include "hv/vcpu.h"

void svm_event_state(struct vcpu *v, struct guest_events *out)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	out->if_set = vmcb->save.rflags & RFLAGS_IF;
	out->shadow = vmcb->control.interrupt_shadow & SVM_INTR_SHADOW;
	out->nmi_blocked = s->nmi_blocked;
	out->queued = vmcb->control.event_inj & SVM_EVTINJ_VALID;
}

void svm_inject_event(struct vcpu *v, bool nmi, uint8_t vector)
{
	struct svm_vcpu *s = v->arch;
	if (nmi) {
		s->vmcb->control.event_inj = 2 | SVM_EVTINJ_NMI | SVM_EVTINJ_VALID;
		s->nmi_blocked = true; /* until the handler's IRET completes */
	} else {
		s->vmcb->control.event_inj = vector | SVM_EVTINJ_INTR | SVM_EVTINJ_VALID;
	}
}

/* A fault at the current RIP (EVENTINJ, APM vol. 2 15.20), its error code where the guest's
 * mode has one; a #PF's address goes to the guest's CR2, which VMRUN loads from the VMCB. */
void svm_inject_fault(struct vcpu *v, uint8_t vector, uint32_t error_code, uint64_t cr2)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)v->arch)->vmcb;
	vmcb->control.event_inj = vector | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
	if (exc_has_error_code(vector, vmcb->save.cr0))
		vmcb->control.event_inj |= SVM_EVTINJ_ERROR_VALID | (uint64_t)error_code << 32;
	if (vector == 14) {
		vmcb->save.cr2 = cr2;
		vmcb->control.clean &= ~SVM_CLEAN_CR2;
	}
}

/* Single-step the guest's next instruction (the IRET, or the one in a shadow). */
static void step_start(struct svm_vcpu *s, bool over_iret)
{
	struct vmcb *vmcb = s->vmcb;
	if (s->step.on)
		return;
	s->step.on = true;
	s->step.over_iret = over_iret;
	s->step.rip = vmcb->save.rip;
	s->step.guest_tf = vmcb->save.rflags & RFLAGS_TF;
	vmcb->save.rflags |= RFLAGS_TF;
}

static void set_intercept(struct vmcb_control *c, uint32_t bit, bool on)
{
	uint32_t want = on ? c->intercept_misc1 | bit : c->intercept_misc1 & ~bit;
	if (want != c->intercept_misc1) {
		c->intercept_misc1 = want;
		c->clean &= ~SVM_CLEAN_INTERCEPTS;
	}
}

void svm_request_window(struct vcpu *v, bool irq, bool nmi)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb_control *c = &s->vmcb->control;
	uint64_t vintr = irq ? c->vintr | SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR | SVM_VINTR_PRIO(0xf)
			     : c->vintr & ~(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR | SVM_VINTR_PRIO(0xf));
	if (vintr != c->vintr) {
		c->vintr = vintr;
		c->clean &= ~SVM_CLEAN_TPR;
	}
	set_intercept(c, SVM_INTERCEPT_VINTR, irq);
	/* Blocked by an NMI still in service: exit at its IRET. Held back by a shadow or a
	 * queued event only: step one instruction (a step under way is left to finish). */
	set_intercept(c, SVM_INTERCEPT_IRET, nmi && s->nmi_blocked && !s->step.on);
	if (nmi && !s->nmi_blocked)
		step_start(s, false);
}

/* The gdb stub's step uses the same machinery: TF with the guest's own TF kept (step.gdb
 * marks it; an NMI-window step under way simply serves it too). */
void svm_step_for_gdb(struct svm_vcpu *s, bool on)
{
	if (on) {
		step_start(s, false);
		s->step.gdb = true;
	} else {
		s->step.gdb = false;
	}
}

/* The guest's own TF: what a single-step trap after an emulated instruction follows. */
bool svm_guest_tf(const struct svm_vcpu *s)
{
	return s->step.on ? s->step.guest_tf : (s->vmcb->save.rflags & RFLAGS_TF);
}

/* The step has moved RIP: it is over. Returns whether the guest single-steps itself. */
static bool step_end(struct svm_vcpu *s)
{
	struct vmcb *vmcb = s->vmcb;
	s->step.on = false;
	if (s->step.over_iret)
		s->nmi_blocked = false; /* the IRET has completed: NMIs are unblocked */
	if (!s->step.guest_tf)
		vmcb->save.rflags &= ~RFLAGS_TF;
	return s->step.guest_tf;
}

/* An emulated instruction (ACT_SKIP) moved RIP during a step: the step is over. */
void svm_events_after_skip(struct vcpu *v, struct svm_vcpu *s)
{
	if (s->step.on && s->vmcb->save.rip != s->step.rip) {
		bool gdb = s->step.gdb;
		s->step.gdb = false;
		step_end(s);
		if (gdb)
			gdb_step_done(v); /* the hypervisor carried the stepped instruction out */
	}
}

/*
 * At the start of the slow path, after the exit was decoded: re-queue a cut-off event,
 * clear V_IRQ after a VINTR exit, turn an IRET exit into the start of the step over it,
 * and end a step that has completed (its #DB trap, unless the guest steps itself, becomes
 * EXIT_NMI_WINDOW).
 */
void svm_events_exit(struct vcpu *v, struct svm_vcpu *s, struct vm_exit *e)
{
	struct vmcb *vmcb = s->vmcb;
	struct vmcb_control *c = &vmcb->control;
	if (c->exit_int_info & SVM_EVTINJ_VALID) {
		/* APM vol. 2 15.7.2: EXITINTINFO has EVENTINJ's format; re-injected as is. A
		 * re-injected NMI keeps nmi_blocked, set when it was first injected. */
		c->event_inj = c->exit_int_info;
		c->exit_int_info = 0;
	}
	uint32_t code = (uint32_t)c->exit_code;
	if (s->step.on && vmcb->save.rip != s->step.rip) {
		bool gdb = s->step.gdb;
		s->step.gdb = false;
		bool guest_tf = step_end(s);
		if (gdb) {
			/* gdb's step: its #DB stays an exception exit, which the stub takes
			 * (hv/gdb_stop.c); DR6.BS is taken back unless the guest steps itself. */
			if (code == SVM_EXIT_EXCP_BASE + 1 && !guest_tf) {
				vmcb->save.dr6 &= ~DR6_BS;
				c->clean &= ~SVM_CLEAN_DR;
			} else if (code == SVM_EXIT_EXCP_BASE + 1 && !(c->event_inj & SVM_EVTINJ_VALID)) {
				/* The guest single-steps itself too: its own trap after the same
				 * instruction (vol. 3B 17.3.1.4), injected beside gdb's stop, DR6.BS
				 * set (Bochs 2.7 leaves the VMCB's DR6 alone). */
				vmcb->save.dr6 |= DR6_BS;
				c->clean &= ~SVM_CLEAN_DR;
				c->event_inj = 1 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
			}
			gdb_step_done(v);
		} else if (code == SVM_EXIT_EXCP_BASE + 1 && !guest_tf && !(vmcb->save.dr6 & 0xf)) {
			/* Our own single-step trap, and no breakpoint beside it: the guest never
			 * sees it. DR6.BS, where the CPU set it before the intercept, is taken
			 * back (QEMU sets it; Bochs 2.7 leaves DR6 alone: as KVM, any #DB that
			 * ends the step counts as the step's). */
			vmcb->save.dr6 &= ~DR6_BS;
			c->clean &= ~SVM_CLEAN_DR;
			e->kind = EXIT_NMI_WINDOW;
		}
	}
	if (code == SVM_EXIT_VINTR) {
		/* The virtual interrupt was never meant to be taken: drop it; vintr.c asks again
		 * if something is still pending. */
		c->vintr &= ~(SVM_VINTR_V_IRQ | SVM_VINTR_IGN_TPR | SVM_VINTR_PRIO(0xf));
		c->clean &= ~SVM_CLEAN_TPR;
		set_intercept(c, SVM_INTERCEPT_VINTR, false);
	} else if (code == SVM_EXIT_IRET) {
		/* Before the IRET: NMIs stay blocked until it has completed. Step over it. */
		set_intercept(c, SVM_INTERCEPT_IRET, false);
		step_start(s, true);
	}
}

/*
 * Halt until an interrupt reaches this CPU. The hypervisor runs with GIF = 0 and IF = 1
 * (svm_vcpu_run); an interrupt that arrives while GIF = 0 is held pending (APM vol. 2
 * 15.17). "stgi; hlt" could lose it: once GIF = 1 the held interrupt is taken at once,
 * before HLT, and HLT then sleeps past it. So IF goes to 0 first (with GIF = 1 a maskable
 * interrupt still needs IF = 1, APM vol. 2 15.17.1), GIF opens, and "sti; hlt" waits: STI
 * holds interrupt recognition off until the instruction after it has completed (SDM vol.
 * 2B STI; APM vol. 3 STI), so an interrupt already pending is recognised in HLT and ends
 * it. The host's handler takes it (arch/x86/crash.c: ended, counted); then GIF closes
 * again and IF goes back to 1. An NMI arriving inside the STI shadow could let a pending
 * interrupt be taken before HLT (the same caveat as every OS's "sti; hlt"); the host timer
 * only fires once, so the wait then lasts until the next interrupt of any kind.
 */
void svm_wait_interrupt(struct vcpu *v)
{
	(void)v;
	__asm__ __volatile__("cli; stgi; sti; hlt; cli; clgi; sti" ::: "memory");
}
