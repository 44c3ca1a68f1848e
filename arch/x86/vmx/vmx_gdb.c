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
 *   (vmx_gdb_after_exit);
 * - on a CPU without the monitor trap flag (Bochs 2.7's corei7_skylake_x), through RFLAGS.TF
 *   (vol. 3B 17.3.1.4) with #DB intercepted (always, vmx_vcpu.c): the step is over at a #DB
 *   exit whose qualification has BS (27.2.1, table 27-1), or when an instruction the slow
 *   path carried out moved RIP. The guest's own TF is kept aside (gdb reads and writes it,
 *   it comes back when the step ends, a single-step trap of its own is injected into it:
 *   the rules in vmx_gdb_rules.c). Interrupts and NMIs wait until the step is over
 *   (vmx_events.c: as KVM_GUESTDBG_BLOCKIRQ). An event the slow path must inject anyway (a
 *   fault, a reflected exception, a re-queued delivery) goes in with the guest's own TF and
 *   NMI-window exiting on instead: that exit comes right after the delivery (26.7.6;
 *   26.6.6 in later editions), where the step ends as an MTF step would;
 * - while gdb steps, either way, HOST_RIP is vmx_exit_stub_slow (vmx_run.asm): every exit
 *   takes the slow path, which carries out CPUID, VMCALL and port I/O itself and ends the
 *   step there, so the fast path (which would re-enter and let the guest run one more
 *   instruction first) gains no test.
 * The intercepts change only in the slow path, and only while gdb has something set.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_gdb_rules.h"
#include "hv/gdb_regs.h"
#include "hv/gdb_stop.h"
#include "hv/vcpu.h"

void vmx_gdb_regs(struct vcpu *v, struct gdb_regs *r, bool write)
{
	struct guest_gprs *g = &v->gprs;
	struct vmx_vcpu *x = v->arch;
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
		if (x->gdb_tf_set && !x->gdb_guest_tf)
			r->rflags &= ~RFLAGS_TF; /* gdb's own step is not shown */
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
	/* Bit 1 is always 1; reserved bits must be 0 for VM entry (26.3.1.4). Under gdb's TF the
	 * value written is the guest's own TF. */
	uint64_t rflags = (r->rflags & 0x3f7fd7ull) | 2;
	if (x->gdb_tf_set) {
		x->gdb_guest_tf = rflags & RFLAGS_TF;
		rflags |= RFLAGS_TF;
	}
	vmwrite(VMCS_GUEST_RFLAGS, rflags);
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

/* The fields a TF step changes, written back where they changed. */
static struct vmx_dbg_state dbg_read(void)
{
	return (struct vmx_dbg_state){ vmread(VMCS_GUEST_RFLAGS), vmread(VMCS_GUEST_INTERRUPTIBILITY),
				       vmread(VMCS_GUEST_PENDING_DBG) };
}

static void dbg_write(struct vmx_dbg_state was, struct vmx_dbg_state s)
{
	if (s.rflags != was.rflags)
		vmwrite(VMCS_GUEST_RFLAGS, s.rflags);
	if (s.interruptibility != was.interruptibility)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, s.interruptibility);
	if (s.pending_dbg != was.pending_dbg)
		vmwrite(VMCS_GUEST_PENDING_DBG, s.pending_dbg);
}

static void tf_on(struct vmx_vcpu *x)
{
	if (x->gdb_tf_set)
		return;
	struct vmx_dbg_state was = dbg_read();
	dbg_write(was, vmx_gdb_tf_on(was, &x->gdb_guest_tf));
	x->gdb_tf_set = true;
}

static void tf_off(struct vmx_vcpu *x, bool reflect_db)
{
	if (!x->gdb_tf_set)
		return;
	x->gdb_tf_set = false;
	struct vmx_dbg_state was = dbg_read();
	dbg_write(was, vmx_gdb_tf_off(was, x->gdb_guest_tf, reflect_db));
}

static void nmi_window(struct vmx_vcpu *x, bool on)
{
	if (on == x->gdb_nmi_window)
		return;
	x->gdb_nmi_window = on;
	/* Off: a window hv/vintr.c wants is asked for again at its next look (window_asked). */
	x->proc_controls = on ? x->proc_controls | (uint32_t)PROC_NMI_WINDOW_EXITING
			      : x->proc_controls & ~(uint32_t)PROC_NMI_WINDOW_EXITING;
	vmwrite(VMCS_PROC_CONTROLS, x->proc_controls);
}

/* Everything a step turned on goes off (the monitor trap flag: vmx_gdb_arm's controls). */
static void step_stop(struct vmx_vcpu *x)
{
	if (!x->gdb_step)
		return;
	tf_off(x, false);
	nmi_window(x, false);
	x->gdb_step = x->gdb_step_tf = false;
	vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
}

/* The step is over: gdb hears so (gdb_step_done turns the controls off through
 * vmx_gdb_arm). */
static void step_end(struct vcpu *v)
{
	step_stop(v->arch);
	gdb_step_done(v);
}

void vmx_gdb_arm(struct vcpu *v, bool bp, bool step)
{
	struct vmx_vcpu *x = v->arch;
	uint32_t exc = vmx_gdb_exception_bitmap(x->exception_bitmap, bp);
	if (exc != x->exception_bitmap) {
		x->exception_bitmap = exc;
		vmwrite(VMCS_EXCEPTION_BITMAP, exc);
	}
	bool can_mtf;
	uint32_t proc = vmx_gdb_proc_controls(x->proc_controls, step, x->cpu->caps.proc, &can_mtf);
	if (proc != x->proc_controls) {
		x->proc_controls = proc;
		vmwrite(VMCS_PROC_CONTROLS, proc);
	}
	if (!step) {
		step_stop(x);
		return;
	}
	if (x->gdb_step)
		return;
	x->gdb_step = true;
	x->gdb_step_tf = vmx_gdb_step_mode(x->cpu->caps.proc) == VMX_STEP_TF;
	x->gdb_step_rip = vmread(VMCS_GUEST_RIP);
	vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub_slow);
	if (x->gdb_step_tf)
		vmx_request_window(v, false, false); /* no window exit inside the step */
}

/* Exit reason 37: the step is over. */
enum exit_action vmx_gdb_mtf_exit(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (x->gdb_step)
		step_end(v);
	if (x->proc_controls & PROC_MONITOR_TRAP_FLAG) { /* not gdb's any more */
		x->proc_controls &= ~(uint32_t)PROC_MONITOR_TRAP_FLAG;
		vmwrite(VMCS_PROC_CONTROLS, x->proc_controls);
	}
	return ACT_RESUME;
}

bool vmx_gdb_db_exit(struct vcpu *v, uint32_t basic_reason)
{
	struct vmx_vcpu *x = v->arch;
	if (basic_reason != VMX_EXIT_EXCEPTION_NMI || !db_exit() ||
	    !(vmread(VMCS_EXIT_QUALIFICATION) & PENDING_DBG_BS))
		return false;
	/* The guest's own TF, unless the stepped instruction loaded RFLAGS with TF = 0. */
	bool guest_tf = x->gdb_guest_tf && (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_TF);
	tf_off(x, guest_tf);
	step_end(v); /* the stub takes this #DB as its step's (gdb_exit_exception) */
	return guest_tf;
}

/* The single-step trap of a guest that steps itself, injected beside gdb's stop: DR6 as the
 * #DB would have left it (BS; vol. 3B 17.2.3), DR7.GD cleared by the delivery (17.2.4). */
void vmx_gdb_reflect_step(void)
{
	uint64_t dr6;
	__asm__ __volatile__("mov %%dr6, %0" : "=r"(dr6));
	dr6 = vmx_db_exit_dr6(dr6, PENDING_DBG_BS);
	__asm__ __volatile__("mov %0, %%dr6" : : "r"(dr6));
	vmwrite(VMCS_GUEST_DR7, vmread(VMCS_GUEST_DR7) & ~BIT(13));
	vmx_inject_exception(1);
}

void vmx_gdb_before_entry(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) {
		/* The delivery pushes RFLAGS: the guest's own TF; the exit right after it ends the
		 * step (with virtual-NMI blocking in effect it does not come: the step then ends
		 * at the next exit after the handler moved RIP). */
		tf_off(x, false);
		nmi_window(x, true);
	} else {
		nmi_window(x, false);
		tf_on(x);
	}
}

/* After any other slow exit during a step: an instruction the hypervisor carried out (RIP
 * moved) was the step; with the flag still on, the guest would execute one more first. */
void vmx_gdb_after_exit(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (vmread(VMCS_GUEST_RIP) == x->gdb_step_rip)
		return;
	step_end(v);
}
