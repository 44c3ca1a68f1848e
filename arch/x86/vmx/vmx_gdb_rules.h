/*
 * What the gdb stub's VMX side (vmx_gdb.c) decides: pure functions of raw VMCS field and
 * capability values, so host tests can check them (tests/host/test_gdb_vmx_rules.c).
 */
#ifndef ARCH_X86_VMX_GDB_RULES_H
#define ARCH_X86_VMX_GDB_RULES_H

#include "hv/types.h"

/* Primary processor-based control "monitor trap flag" (SDM vol. 3C 24.6.2 table 24-6,
 * 25.5.2) and its exit reason (appendix C). */
#define PROC_MONITOR_TRAP_FLAG BIT(27)
#define VMX_EXIT_MTF 37u

/* The exception bitmap (24.6.3) with #BP (vector 3) intercepted or not; every other
 * vector as it was (#DB and #AC stay intercepted, #NM follows XFD: vmx_vcpu.c). */
uint32_t vmx_gdb_exception_bitmap(uint32_t bitmap, bool bp);

/* The primary processor-based controls with the monitor trap flag on only for a step.
 * proc_cap is the capability MSR (IA32_VMX_[TRUE_]PROCBASED_CTLS): the flag may be set
 * only where its allowed 1-setting (bit 32 + 27) is 1 (A.3.2); *can_step says whether it
 * could. Off is always allowed (the flag is not a default1 control). */
uint32_t vmx_gdb_proc_controls(uint32_t proc, bool step, uint64_t proc_cap, bool *can_step);

/* How gdb's single step runs on this CPU (SDM vol. 3C 25.5.2, vol. 3B 17.3.1.4): the monitor
 * trap flag where the capability MSR allows it (A.3.2), else RFLAGS.TF with #DB intercepted
 * (the exception bitmap's bit 1 is always set: vmx_vcpu.c). */
enum vmx_step_mode { VMX_STEP_MTF, VMX_STEP_TF };
enum vmx_step_mode vmx_gdb_step_mode(uint64_t proc_cap);

/* The guest-state fields a TF step changes (24.4.1, 24.4.2). */
struct vmx_dbg_state {
	uint64_t rflags;
	uint64_t interruptibility;
	uint64_t pending_dbg; /* pending debug exceptions (field 0x6822) */
};

/* gdb's TF goes on before an entry: the guest's own TF is returned in *guest_tf and RFLAGS.TF
 * set. Blocking by STI or MOV SS is dropped, as KVM does: with it, VM entry would require BS
 * in the pending debug exceptions to equal TF (26.3.1.5), and a pending BS is a #DB before
 * the instruction rather than after it. The shadow holds back only interrupts and NMIs,
 * which the hypervisor injects, and it injects none while gdb's TF step is on
 * (vmx_events.c). A BS already pending (the guest's own single-step trap) stays. */
struct vmx_dbg_state vmx_gdb_tf_on(struct vmx_dbg_state s, bool *guest_tf);

/* gdb's TF comes off: RFLAGS.TF is the guest's own again. guest_tf is what was kept aside,
 * unless the stepped instruction loaded RFLAGS (POPF, IRET: 17.3.1.4, the trap still follows
 * it) and cleared TF: then TF = 0 is the guest's. Without the guest's TF, a BS the
 * hypervisor made pending for an instruction it carried out under gdb's TF
 * (vmx_advance_rip) is taken back. reflect_db: the guest's own single-step #DB is injected
 * at this entry (its DR6.BS set by the caller): no BS stays pending beside it and the
 * shadow ends with the delivery. Last, 26.3.1.5: under STI/MOV SS blocking, BS = TF. */
struct vmx_dbg_state vmx_gdb_tf_off(struct vmx_dbg_state s, bool guest_tf, bool reflect_db);

/* DR6 after a #DB that caused an exception exit, which has not written DR6 yet (27.1): the
 * exit qualification holds B0-B3, BD and BS as DR6 would (27.2.1, table 27-1: B0-B3 bits
 * 3:0, BD bit 13, BS bit 14, RTM bit 16, the last active high unlike DR6's). dr6 is the
 * guest's DR6 before the #DB (live in the CPU: VM exits do not switch it). */
uint64_t vmx_db_exit_dr6(uint64_t dr6, uint64_t qualification);

#endif
