/* Pure decisions of the gdb stub's VMX side: vmx_gdb_rules.h. */
#include "arch/x86/vmx/vmx_gdb_rules.h"

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
