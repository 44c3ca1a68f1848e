/* Pure decisions of the gdb stub's VMX side: vmx_gdb_rules.h. */
#include "arch/x86/vmx/vmx_gdb_rules.h"
#include "arch/x86/vmx/vmx_vmcs.h"

uint32_t vmx_gdb_exception_bitmap(uint32_t bitmap, bool bp)
{
	return bp ? bitmap | (uint32_t)BIT(3) : bitmap & ~(uint32_t)BIT(3);
}

uint32_t vmx_gdb_proc_controls(uint32_t proc, bool step, uint64_t proc_cap, bool *can_step)
{
	*can_step = (proc_cap >> 32) & PROC_MONITOR_TRAP_FLAG;
	if (step && *can_step)
		return proc | (uint32_t)PROC_MONITOR_TRAP_FLAG;
	return proc & ~(uint32_t)PROC_MONITOR_TRAP_FLAG;
}

uint64_t vmx_db_exit_dr6(uint64_t dr6, uint64_t qualification)
{
	/* B0-B3 name this #DB's breakpoints only (vol. 3B 17.2.3); BD and BS are sticky. */
	dr6 = (dr6 & ~0xfull) | (qualification & (0xfull | BIT(13) | BIT(14)));
	return qualification & BIT(16) ? dr6 & ~BIT(16) : dr6 | BIT(16);
}

enum vmx_step_mode vmx_gdb_step_mode(uint64_t proc_cap)
{
	return (proc_cap >> 32) & PROC_MONITOR_TRAP_FLAG ? VMX_STEP_MTF : VMX_STEP_TF;
}

#define BLOCKING ((uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
#define RFLAGS_TF BIT(8) /* vol. 3A 2.3 */

struct vmx_dbg_state vmx_gdb_tf_on(struct vmx_dbg_state s, bool *guest_tf)
{
	*guest_tf = s.rflags & RFLAGS_TF;
	s.rflags |= RFLAGS_TF;
	s.interruptibility &= ~BLOCKING;
	return s;
}

struct vmx_dbg_state vmx_gdb_tf_off(struct vmx_dbg_state s, bool guest_tf, bool reflect_db)
{
	if (!(s.rflags & RFLAGS_TF))
		guest_tf = false; /* the stepped instruction loaded RFLAGS with TF = 0 */
	s.rflags = guest_tf ? s.rflags | RFLAGS_TF : s.rflags & ~(uint64_t)RFLAGS_TF;
	if (!guest_tf || reflect_db)
		s.pending_dbg &= ~(uint64_t)PENDING_DBG_BS;
	if (reflect_db)
		s.interruptibility &= ~BLOCKING;
	if (s.interruptibility & BLOCKING)
		s.pending_dbg = guest_tf ? s.pending_dbg | PENDING_DBG_BS
					 : s.pending_dbg & ~(uint64_t)PENDING_DBG_BS;
	return s;
}
