/*
 * What the VMX slow path does with the event information an exit leaves (SDM vol. 3C
 * 24.9.3, 27.2.2, 27.2.3, 31.7.1): pure decisions on the raw field values, so host tests
 * can check them; vmx_events.c reads the fields and carries the decisions out.
 */
#ifndef ARCH_X86_VMX_EVENT_RULES_H
#define ARCH_X86_VMX_EVENT_RULES_H

#include "hv/types.h"

/* Queuing again an event whose delivery an exit cut off. */
struct vmx_requeue {
	bool requeue;          /* write entry_info into the VM-entry interruption information */
	uint32_t entry_info;   /* vector, type, deliver-error-code, valid; bits 30:12 clear */
	bool error_code;       /* copy the IDT-vectoring error code to the entry error code */
	bool insn_len;         /* copy the exit instruction length (software interrupt/exception) */
	bool clear_nmi_block;  /* a cut-off NMI: clear "blocking by NMI" (26.3.1.5) */
};

/* From the IDT-vectoring information of an exit with basic reason basic_reason. */
struct vmx_requeue vmx_requeue_plan(uint32_t idt_info, uint32_t basic_reason);

/* Whether the exit came from an IRET that had unblocked virtual NMIs and faulted or exited,
 * so "blocking by NMI" must be set again (31.7.1.2). exit_info is the exit interruption
 * information (read for exception/NMI exits), qualification the exit qualification (read
 * for EPT violations); idt_info the IDT-vectoring information. */
bool vmx_iret_unblocked_nmi(uint32_t basic_reason, uint32_t idt_info, uint32_t exit_info,
			    uint64_t qualification);

#endif
