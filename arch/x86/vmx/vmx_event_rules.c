/*
 * The event-information rules of the VMX slow path (vmx_event_rules.h). Section numbers:
 * SDM vol. 3C, editions up to 2022 (vmx_vmcs.h).
 */
#include "arch/x86/vmx/vmx_event_rules.h"
#include "arch/x86/vmx/vmx_vmcs.h"

/*
 * An exit that cut off the delivery of an event (IDT-vectoring information valid, 24.9.3,
 * 27.2.3) gets that event queued again exactly as it was (31.7.1.1): vector, type, the
 * error code when one was being delivered, and for software interrupts and exceptions the
 * instruction length the exit saved (27.2.5). The reserved bits and the undefined bit 12
 * are not copied: VM entry requires bits 30:12 clear (26.2.1.3). Not after a triple fault:
 * the guest has ended. An NMI whose delivery was cut off has not blocked virtual NMIs
 * yet, and VM entry refuses an NMI injection with "blocking by NMI" set when virtual NMIs
 * are on (26.3.1.5), so that bit is cleared (31.7.1.2; KVM, bhyve do the same).
 */
struct vmx_requeue vmx_requeue_plan(uint32_t idt_info, uint32_t basic_reason)
{
	struct vmx_requeue r = { 0 };
	if (!(idt_info & INTR_INFO_VALID) || basic_reason == VMX_EXIT_TRIPLE_FAULT)
		return r;
	uint32_t type = INTR_INFO_TYPE(idt_info);
	r.requeue = true;
	r.entry_info = idt_info & (INTR_INFO_VALID | INTR_INFO_DELIVER_ERROR | 0x7ffu);
	r.error_code = idt_info & INTR_INFO_DELIVER_ERROR;
	r.insn_len = type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
		     type == INTR_TYPE_SW_EXCEPTION;
	r.clear_nmi_block = type == INTR_TYPE_NMI;
	return r;
}

/*
 * Bit 12 "NMI unblocking due to IRET": in the exit interruption information of an
 * exception exit (27.2.2), meaningful only when the exit did not happen during event
 * delivery and the exception is not #DF (31.7.1.2), not for NMI exits; in the exit
 * qualification of an EPT violation (table 27-7), likewise only without IDT-vectoring
 * information. Set: the guest's IRET had unblocked virtual NMIs before it faulted or
 * exited, and it will run again, so the blocking is restored.
 */
bool vmx_iret_unblocked_nmi(uint32_t basic_reason, uint32_t idt_info, uint32_t exit_info,
			    uint64_t qualification)
{
	if (idt_info & INTR_INFO_VALID)
		return false;
	if (basic_reason == VMX_EXIT_EXCEPTION_NMI)
		return (exit_info & INTR_INFO_VALID) && INTR_INFO_TYPE(exit_info) != INTR_TYPE_NMI &&
		       INTR_INFO_VECTOR(exit_info) != 8 && (exit_info & INTR_INFO_NMI_UNBLOCKED_BY_IRET);
	if (basic_reason == VMX_EXIT_EPT_VIOLATION)
		return qualification & INTR_INFO_NMI_UNBLOCKED_BY_IRET;
	return false;
}
