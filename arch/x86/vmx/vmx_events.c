/*
 * Event delivery on VMX (docs/interrupts.md): the backend half of what hv/vintr.c decides,
 * and the events the slow path itself injects (exceptions, re-injections). Slow path only:
 * vmx_exit_fast() never touches any of it. Section numbers: SDM vol. 3C, editions up to
 * 2022 (arch/x86/vmx/vmx_vmcs.h).
 *
 * - Injection goes through the VM-entry interruption-information field (24.8.3). Its valid
 *   bit "is cleared on every VM exit" (24.8.3, 27.2), so an event is injected exactly once,
 *   whatever path the next entry takes: the fast path re-enters without looking at it.
 *   An event an exit cut off is queued again (vmx_requeue_cut_off_event, with the rules in
 *   vmx_event_rules.c).
 * - "virtual NMIs" (pin-based, always on with "NMI exiting": vmx_controls.c): host NMIs
 *   still exit (vmx_exit.c), while the interruptibility state's "blocking by NMI" bit is
 *   the guest's virtual-NMI blocking (24.4.2, table 24-3): injecting an NMI sets it
 *   (26.6.1), the guest's IRET clears it (25.3), an NMI-window exit (25.2) comes once it
 *   is clear and no STI / MOV-SS blocking is left.
 * - The window exits (25.2): "interrupt-window exiting" exits before the first instruction
 *   at which RFLAGS.IF = 1 and no STI / MOV-SS blocking holds; both controls live in the
 *   primary processor-based controls, cached in x->proc_controls (one VMWRITE only when
 *   a request really changes them, no VMREAD). Both kinds of window exit come after the
 *   delivery of an event injected by the same entry (26.6.5, 26.6.6), so requesting a
 *   window while an event is queued is safe.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/exc_error_code.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_event_rules.h"
#include "arch/x86/vmx/vmx_gdb_rules.h"
#include "hv/vcpu.h"

/* VM-entry event injection (24.8.3): the interruption information, and the error code when
 * one is delivered. */
static void inject(uint32_t vector, uint32_t type, bool deliver_error, uint32_t error)
{
	uint32_t info = vector | (type << 8) | INTR_INFO_VALID;
	if (deliver_error) {
		info |= INTR_INFO_DELIVER_ERROR;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

void vmx_inject_exception(unsigned vector)
{
	/* A hardware exception needs no instruction length; the error code, if the exception
	 * has one in the guest's mode (none in real mode, 26.2.1.3), is 0. */
	inject(vector, INTR_TYPE_HW_EXCEPTION, exc_has_error_code(vector, vmread(VMCS_GUEST_CR0)), 0);
}

/* A fault at the current RIP with its error code where the guest's mode has one. A #PF's
 * address goes into CR2 itself: VM entries and exits do not switch CR2 (the guest's is live
 * in the CPU, 27.5; the hypervisor takes no page faults of its own but fatal ones). */
void vmx_inject_fault(struct vcpu *v, uint8_t vector, uint32_t error_code, uint64_t cr2)
{
	(void)v;
	if (vector == 14)
		__asm__ __volatile__("mov %0, %%cr2" : : "r"(cr2) : "memory");
	inject(vector, INTR_TYPE_HW_EXCEPTION, exc_has_error_code(vector, vmread(VMCS_GUEST_CR0)),
	       error_code);
}

/* ACT_REFLECT: the intercepted #DB or #AC, delivered to the guest as the CPU would have.
 * A #DB that exits has not touched DR6 yet: its bits are in the exit qualification (27.1,
 * table 27-1), and DR6 is the guest's own, live in the CPU (never switched), so they go
 * there directly; delivering #DB clears DR7.GD (vol. 3A 17.2.4). INT1 is re-injected as
 * a privileged software exception with its instruction length (24.8.3), and a guest's own
 * INT3 that exited while the gdb stub intercepts #BP as the software exception it was, with
 * its length (RIP is still at it, 27.2.5, 26.6.1.1). */
void vmx_reflect_exception(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	uint32_t vector = INTR_INFO_VECTOR(info), type = INTR_INFO_TYPE(info);
	if (vector == 1) {
		uint64_t dr6;
		__asm__ __volatile__("mov %%dr6, %0" : "=r"(dr6));
		dr6 = vmx_db_exit_dr6(dr6, vmread(VMCS_EXIT_QUALIFICATION));
		__asm__ __volatile__("mov %0, %%dr6" : : "r"(dr6));
		vmwrite(VMCS_GUEST_DR7, vmread(VMCS_GUEST_DR7) & ~BIT(13));
	}
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION || type == INTR_TYPE_SW_EXCEPTION)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	bool has_error = info & INTR_INFO_DELIVER_ERROR;
	inject(vector, type, has_error, has_error ? (uint32_t)vmread(VMCS_EXIT_INTR_ERROR) : 0);
}

static void set_blocking_by_nmi(bool on)
{
	uint64_t is = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	uint64_t want = on ? is | INTERRUPTIBILITY_NMI : is & ~(uint64_t)INTERRUPTIBILITY_NMI;
	if (want != is)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, want);
}

/* First thing on the slow path after a real exit (not a failed entry): the rules are in
 * vmx_event_rules.c. Returns true when an event was queued again. */
bool vmx_requeue_cut_off_event(uint32_t basic_reason)
{
	uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	if (!(idt & INTR_INFO_VALID)) {
		uint32_t info = 0;
		uint64_t q = 0;
		if (basic_reason == VMX_EXIT_EXCEPTION_NMI)
			info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
		else if (basic_reason == VMX_EXIT_EPT_VIOLATION)
			q = vmread(VMCS_EXIT_QUALIFICATION);
		else
			return false;
		if (vmx_iret_unblocked_nmi(basic_reason, idt, info, q))
			set_blocking_by_nmi(true);
		return false;
	}
	struct vmx_requeue r = vmx_requeue_plan(idt, basic_reason);
	if (!r.requeue)
		return false;
	if (r.insn_len)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	if (r.error_code)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, vmread(VMCS_IDT_VECTORING_ERROR));
	if (r.clear_nmi_block)
		set_blocking_by_nmi(false);
	vmwrite(VMCS_ENTRY_INTR_INFO, r.entry_info);
	return true;
}

/* ---- The virt_backend ops hv/vintr.c calls (hv/virt_backend.h) ---- */

void vmx_event_state(struct vcpu *v, struct guest_events *s)
{
	uint64_t is = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	s->if_set = vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF;
	/* While gdb steps with TF, nothing is injected (vmx_gdb.c): as if in a shadow. */
	s->shadow = (is & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) ||
		    ((const struct vmx_vcpu *)v->arch)->gdb_step_tf;
	s->nmi_blocked = is & INTERRUPTIBILITY_NMI; /* virtual-NMI blocking (24.4.2) */
	s->queued = vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

/*
 * An external interrupt (type 0) or an NMI (type 2, vector 2: 26.2.1.3), no error code, no
 * instruction length. The caller checked event_state: VM entry requires RFLAGS.IF = 1
 * (26.3.1.4) and no STI / MOV-SS blocking (26.3.1.5) for an external interrupt, and for an
 * NMI no MOV-SS blocking, no virtual-NMI blocking and, on some processors, no STI blocking
 * (26.3.1.5; the failure is qualification 3, 26.8). A broken promise is not fatal to the
 * host: the entry fails and the guest stops with the diagnostics of vmx_exit.c.
 */
void vmx_inject_event(struct vcpu *v, bool nmi, uint8_t vector)
{
	(void)v;
	if (nmi)
		inject(2, INTR_TYPE_NMI, false, 0);
	else
		inject(vector, INTR_TYPE_EXTERNAL, false, 0);
}

void vmx_request_window(struct vcpu *v, bool irq, bool nmi)
{
	struct vmx_vcpu *x = v->arch;
	uint32_t proc = x->proc_controls & ~(uint32_t)(PROC_INTERRUPT_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING);
	if (x->gdb_step_tf) {
		/* gdb's TF step: no window exit before its one instruction (the core asks again
		 * after it, window_asked); NMI-window exiting only for the step's own use. */
		irq = false;
		nmi = x->gdb_nmi_window;
	}
	if (irq)
		proc |= PROC_INTERRUPT_WINDOW_EXITING;
	if (nmi)
		proc |= PROC_NMI_WINDOW_EXITING;
	if (proc == x->proc_controls)
		return;
	x->proc_controls = proc;
	vmwrite(VMCS_PROC_CONTROLS, proc);
}

/*
 * The host runs with IF = 0 on VMX (VM exits load RFLAGS = 0x2, 27.5.3). STI's one-
 * instruction shadow (SDM vol. 2B STI) keeps an interrupt already requested from being
 * taken before HLT starts, so the HLT still wakes on it: no lost wake-up between the
 * caller's last check and the halt. The host's IDT handler for vectors >= 32
 * (arch/x86/crash.c) ends the interrupt (EOI); the caller then polls again.
 */
void vmx_wait_interrupt(struct vcpu *v)
{
	(void)v;
	__asm__ __volatile__("sti\n\thlt\n\tcli" : : : "memory");
}
