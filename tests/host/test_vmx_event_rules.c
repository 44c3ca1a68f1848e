/* The VMX event-information rules (arch/x86/vmx/vmx_event_rules.c): re-injection of an event
 * an exit cut off (SDM vol. 3C 27.2.3, 31.7.1.1) and NMI unblocking by IRET (31.7.1.2). */
#include "arch/x86/vmx/vmx_event_rules.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "tests/host/harness.h"

static uint32_t info(uint32_t vector, uint32_t type)
{
	return vector | type << 8 | INTR_INFO_VALID;
}

TEST(vmx_requeue_nothing_without_idt_vectoring)
{
	struct vmx_requeue r = vmx_requeue_plan(0x20 | INTR_TYPE_EXTERNAL << 8, VMX_EXIT_EPT_VIOLATION);
	CHECK(!r.requeue);
	CHECK(!r.error_code && !r.insn_len && !r.clear_nmi_block);
}

TEST(vmx_requeue_external_interrupt_as_it_was)
{
	/* Bit 12 is undefined in the IDT-vectoring information and must not reach the entry
	 * field (26.2.1.3: bits 30:12 reserved). */
	uint32_t idt = info(0x41, INTR_TYPE_EXTERNAL) | BIT(12);
	struct vmx_requeue r = vmx_requeue_plan(idt, VMX_EXIT_EPT_VIOLATION);
	CHECK(r.requeue);
	CHECK_EQ(r.entry_info, info(0x41, INTR_TYPE_EXTERNAL));
	CHECK(!r.error_code && !r.insn_len && !r.clear_nmi_block);
}

TEST(vmx_requeue_exception_with_error_code)
{
	uint32_t idt = info(14, INTR_TYPE_HW_EXCEPTION) | INTR_INFO_DELIVER_ERROR;
	struct vmx_requeue r = vmx_requeue_plan(idt, VMX_EXIT_EPT_VIOLATION);
	CHECK(r.requeue && r.error_code && !r.insn_len);
	CHECK_EQ(r.entry_info, idt);
}

TEST(vmx_requeue_software_events_keep_their_length)
{
	const uint32_t types[] = { INTR_TYPE_SW_INTERRUPT, INTR_TYPE_PRIV_SW_EXCEPTION,
				   INTR_TYPE_SW_EXCEPTION };
	for (unsigned i = 0; i < 3; i++) {
		struct vmx_requeue r = vmx_requeue_plan(info(0x80, types[i]), VMX_EXIT_EXCEPTION_NMI);
		CHECK(r.requeue && r.insn_len && !r.error_code);
	}
	CHECK(!vmx_requeue_plan(info(3, INTR_TYPE_HW_EXCEPTION), VMX_EXIT_EXCEPTION_NMI).insn_len);
}

TEST(vmx_requeue_nmi_clears_blocking)
{
	struct vmx_requeue r = vmx_requeue_plan(info(2, INTR_TYPE_NMI), VMX_EXIT_EPT_VIOLATION);
	CHECK(r.requeue && r.clear_nmi_block);
	CHECK_EQ(r.entry_info, info(2, INTR_TYPE_NMI));
}

TEST(vmx_requeue_not_after_triple_fault)
{
	CHECK(!vmx_requeue_plan(info(8, INTR_TYPE_HW_EXCEPTION) | INTR_INFO_DELIVER_ERROR,
				VMX_EXIT_TRIPLE_FAULT).requeue);
}

TEST(vmx_iret_nmi_unblocking)
{
	uint32_t gp = info(13, INTR_TYPE_HW_EXCEPTION) | INTR_INFO_DELIVER_ERROR;
	/* A #GP (intercepted) on an IRET that had unblocked virtual NMIs: restore blocking. */
	CHECK(vmx_iret_unblocked_nmi(VMX_EXIT_EXCEPTION_NMI, 0, gp | BIT(12), 0));
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_EXCEPTION_NMI, 0, gp, 0));
	/* Undefined during event delivery, for #DF and for NMI exits (31.7.1.2, 27.2.2). */
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_EXCEPTION_NMI, info(0x30, INTR_TYPE_EXTERNAL),
				      gp | BIT(12), 0));
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_EXCEPTION_NMI, 0,
				      info(8, INTR_TYPE_HW_EXCEPTION) | BIT(12), 0));
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_EXCEPTION_NMI, 0, info(2, INTR_TYPE_NMI) | BIT(12), 0));
	/* EPT violation: bit 12 of the qualification (table 27-7). */
	CHECK(vmx_iret_unblocked_nmi(VMX_EXIT_EPT_VIOLATION, 0, 0, BIT(12) | 1));
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_EPT_VIOLATION, 0, 0, 1));
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_EPT_VIOLATION, info(0x30, INTR_TYPE_EXTERNAL), 0,
				      BIT(12)));
	/* Other exits carry no such bit. */
	CHECK(!vmx_iret_unblocked_nmi(VMX_EXIT_HLT, 0, 0, BIT(12)));
}
