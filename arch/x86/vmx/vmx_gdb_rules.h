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

/* DR6 after a #DB that caused an exception exit, which has not written DR6 yet (27.1): the
 * exit qualification holds B0-B3, BD and BS as DR6 would (27.2.1, table 27-1: B0-B3 bits
 * 3:0, BD bit 13, BS bit 14, RTM bit 16, the last active high unlike DR6's). dr6 is the
 * guest's DR6 before the #DB (live in the CPU: VM exits do not switch it). */
uint64_t vmx_db_exit_dr6(uint64_t dr6, uint64_t qualification);

#endif
