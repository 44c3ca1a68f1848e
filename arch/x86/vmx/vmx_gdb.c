/*
 * The gdb stub's access to a VMX guest (hv/gdb_stop.h), on the guest's own CPU in its slow
 * path, where its VMCS is the current one (SDM vol. 3C 24.1, 30.3 VMREAD/VMWRITE):
 * - registers: RSP, RIP, RFLAGS and the selectors from the guest-state area (24.4.1), the
 *   others from the exit stubs' save area (v->gprs; VMX has no RAX field);
 * - debug registers: DR7 is the guest's VMCS field, loaded at every VM entry and saved at
 *   every exit ("load/save debug controls", default1 controls kept on by vmx_controls.c:
 *   24.7.1, 24.8.1, 26.3.2.1, 27.3.1). DR0-DR3 and DR6 are live in the CPU while the guest
 *   runs: MOV DR does not exit ("MOV-DR exiting" is left 0, 25.1.3), VM entries and exits
 *   do not switch them (27.5.1 sets only DR7), and the hypervisor never uses them. A #DB
 *   that exits has not written DR6 yet (27.1): its bits come from the exit qualification;
 * - #BP through the exception bitmap (bit 3, 24.6.3): INT3 exits as a software exception
 *   with RIP at the INT3 and its length saved (27.2.2, 27.2.5), and a guest's own is
 *   injected back as one with that length (24.8.3, 26.6.1.1: vmx_reflect_exception);
 * - the single step through the monitor trap flag (25.5.2), on only while gdb steps: the
 *   guest's RFLAGS.TF is never touched. An MTF exit (reason 37) follows the next
 *   instruction the guest executes, or the delivery of an event injected at entry
 *   (26.7.2); an instruction the slow path carries out ends the step there
 *   (vmx_gdb_after_exit).
 * The intercepts change only in the slow path, and only while gdb has something set.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_gdb_rules.h"
#include "hv/gdb_regs.h"
#include "hv/gdb_stop.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"

void vmx_gdb_regs(struct vcpu *v, struct gdb_regs *r, bool write)
{
	struct guest_gprs *g = &v->gprs;
	uint64_t rsp = write ? r->gpr[GPR_RSP] : vmread(VMCS_GUEST_RSP);
	uint64_t *map[GPR_COUNT] = {
		[GPR_RAX] = &g->rax, [GPR_RBX] = &g->rbx, [GPR_RCX] = &g->rcx, [GPR_RDX] = &g->rdx,
		[GPR_RSI] = &g->rsi, [GPR_RDI] = &g->rdi, [GPR_RBP] = &g->rbp, [GPR_RSP] = &rsp,
		[GPR_R8] = &g->r8, [GPR_R9] = &g->r9, [GPR_R10] = &g->r10, [GPR_R11] = &g->r11,
		[GPR_R12] = &g->r12, [GPR_R13] = &g->r13, [GPR_R14] = &g->r14, [GPR_R15] = &g->r15,
	};
	if (!write) {
		for (unsigned i = 0; i < GPR_COUNT; i++)
			r->gpr[i] = *map[i];
		r->rip = vmread(VMCS_GUEST_RIP);
		r->rflags = vmread(VMCS_GUEST_RFLAGS);
		r->seg[GSEG_CS] = (uint16_t)vmread(VMCS_GUEST_CS_SEL);
		r->seg[GSEG_SS] = (uint16_t)vmread(VMCS_GUEST_SS_SEL);
		r->seg[GSEG_DS] = (uint16_t)vmread(VMCS_GUEST_DS_SEL);
		r->seg[GSEG_ES] = (uint16_t)vmread(VMCS_GUEST_ES_SEL);
		r->seg[GSEG_FS] = (uint16_t)vmread(VMCS_GUEST_FS_SEL);
		r->seg[GSEG_GS] = (uint16_t)vmread(VMCS_GUEST_GS_SEL);
		return;
	}
	for (unsigned i = 0; i < GPR_COUNT; i++)
		*map[i] = r->gpr[i];
	vmwrite(VMCS_GUEST_RSP, rsp);
	vmwrite(VMCS_GUEST_RIP, r->rip);
	/* Bit 1 is always 1; reserved bits must be 0 for VM entry (26.3.1.4). */
	vmwrite(VMCS_GUEST_RFLAGS, (r->rflags & 0x3f7fd7ull) | 2);
}

/* Whether this exit is a #DB exception exit, whose DR6 bits are still in the qualification
 * (exit interruption information, 27.2.2: valid, vector 1, hardware exception). */
static bool db_exit(void)
{
	if (EXIT_REASON_BASIC(vmread(VMCS_EXIT_REASON)) != VMX_EXIT_EXCEPTION_NMI)
		return false;
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	return (info & INTR_INFO_VALID) && INTR_INFO_VECTOR(info) == 1 &&
	       INTR_INFO_TYPE(info) == INTR_TYPE_HW_EXCEPTION;
}

uint64_t vmx_gdb_dr_read(struct vcpu *v, unsigned n)
{
	(void)v;
	uint64_t val = 0;
	if (n < 4)
		return read_dr_addr(n);
	switch (n) {
	case 6:
		__asm__ __volatile__("mov %%dr6, %0" : "=r"(val));
		if (db_exit())
			val = vmx_db_exit_dr6(val, vmread(VMCS_EXIT_QUALIFICATION));
		break;
	case 7: val = vmread(VMCS_GUEST_DR7); break;
	}
	return val;
}

void vmx_gdb_dr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	(void)v;
	if (n < 4) {
		write_dr_addr(n, val);
		return;
	}
	switch (n) {
	case 6: __asm__ __volatile__("mov %0, %%dr6" : : "r"(val)); break;
	case 7: vmwrite(VMCS_GUEST_DR7, val); break; /* loaded by the next VM entry */
	}
}

void vmx_gdb_arm(struct vcpu *v, bool bp, bool step)
{
	struct vmx_vcpu *x = v->arch;
	uint32_t exc = vmx_gdb_exception_bitmap(x->exception_bitmap, bp);
	if (exc != x->exception_bitmap) {
		x->exception_bitmap = exc;
		vmwrite(VMCS_EXCEPTION_BITMAP, exc);
	}
	bool can_step;
	uint32_t proc = vmx_gdb_proc_controls(x->proc_controls, step, x->cpu->caps.proc, &can_step);
	if (proc != x->proc_controls) {
		x->proc_controls = proc;
		vmwrite(VMCS_PROC_CONTROLS, proc);
	}
	if (step && !x->gdb_step)
		x->gdb_step_rip = vmread(VMCS_GUEST_RIP);
	x->gdb_step = step && can_step;
	if (step && !can_step) {
		/* No monitor trap flag on this CPU: the step ends where it is (gdb sees the guest
		 * has not moved) rather than never. */
		hv_printf("hv: gdb: cpu %u has no monitor trap flag: cannot single-step\n", v->cpu);
		gdb_step_done(v);
		platform_kick(hv_cpus[v->cpu].apic_id); /* an exit right after entry reports it */
	}
}

/* Exit reason 37: the step is over. */
enum exit_action vmx_gdb_mtf_exit(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (x->gdb_step) {
		x->gdb_step = false;
		gdb_step_done(v); /* turns the flag off through vmx_gdb_arm */
	}
	if (x->proc_controls & PROC_MONITOR_TRAP_FLAG) { /* not gdb's any more */
		x->proc_controls &= ~(uint32_t)PROC_MONITOR_TRAP_FLAG;
		vmwrite(VMCS_PROC_CONTROLS, x->proc_controls);
	}
	return ACT_RESUME;
}

/* After any other slow exit during a step: an instruction the hypervisor carried out (RIP
 * moved) was the step; with the flag still on, the guest would execute one more first. */
void vmx_gdb_after_exit(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (vmread(VMCS_GUEST_RIP) == x->gdb_step_rip)
		return;
	x->gdb_step = false;
	gdb_step_done(v);
}
