/*
 * The VMX run loop: VMLAUNCH/VMRESUME, turn the VMCS exit information into a
 * struct vm_exit, let the core decide, apply its answer.
 *
 * Host state. As on SVM (svm_exit.c), the guest's KERNEL_GS_BASE, STAR,
 * LSTAR, CSTAR, SFMASK, TSC_AUX and XCR0 stay live in the CPU while the
 * hypervisor handles an exit: VM exits do not switch them (SDM vol. 3C 27.5)
 * and the hot path executes no RDMSR or WRMSR. This is safe because the
 * hypervisor never consumes that state: it runs at CPL 0 only (no SYSCALL/
 * SYSRET, no SWAPGS) and uses no FS/GS-relative addressing (hv/percpu.h). Every
 * exit loads the host's TR, so #DF, NMI and #MC find their own stacks through
 * the host's TSS anywhere in the exit path (cpu_tables.c). EFER, PAT,
 * SYSENTER, FS/GS base, CR0/3/4, GDTR/IDTR/TR come back from the host-state
 * area written once in vmx_vcpu.c (27.5.1-27.5.3; EFER and PAT from the VM-exit
 * MSR-load list on CPUs without their load controls, vmx_efer_pat.c), with RFLAGS = 0x2: host
 * interrupts stay off; NMIs and physical interrupts exit (pin-based "NMI exiting",
 * "external-interrupt exiting" with "acknowledge interrupt on exit").
 */
#include "arch/x86/cpu.h"
#include "arch/x86/crash.h"
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/vmx/vmx_gdb_rules.h"
#include "arch/x86/console_irq.h"
#include "drivers/lapic.h"
#include "hv/console.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"
#include "hv/vintr.h"

/* Cold path of vmread()/vmwrite() (vmx.h): remember the first failure on this CPU. The
 * error number is read without the checking wrapper: with no current VMCS
 * (VMfailInvalid) there is none (30.2), and the field then holds 0. */
__attribute__((noinline, cold)) void vmx_insn_failed(bool write, uint64_t field)
{
	struct vmx_cpu *c = this_cpu()->virt;
	if (c->insn_failed)
		return;
	uint64_t error = 0, enc = VMCS_VM_INSTRUCTION_ERROR;
	__asm__ __volatile__("vmread %1, %0" : "+r"(error) : "r"(enc) : "cc");
	c->insn_failed = true;
	c->insn_failed_write = write;
	c->insn_failed_field = (uint32_t)field;
	c->insn_failed_error = (uint32_t)error;
}

int vmx_check_insn_failure(char *err, size_t errlen)
{
	const struct vmx_cpu *c = this_cpu()->virt;
	if (!c->insn_failed)
		return 0;
	hv_snprintf(err, errlen, "VMX: %s of VMCS field 0x%x failed (VM-instruction error %u: %s)",
		    c->insn_failed_write ? "VMWRITE" : "VMREAD", c->insn_failed_field,
		    c->insn_failed_error, vmx_insn_error_name(c->insn_failed_error));
	return -1;
}

void vmx_msr_lists_sync(struct vmx_vcpu *x)
{
	/* 24.7.2, 24.8.2: the guest list is both the entry-load and the exit-store area; the
	 * store leaves out its load-only tail, except under debug_vmx_msr_lists = check, which
	 * compares what the CPU stored (vmx_efer_pat_check). */
	if (vmx_msr_list_take_dirty(&x->msrs.guest)) {
		uint32_t store = x->cpu->check_lists ? x->msrs.guest.count : vmx_msr_store_count(&x->msrs);
		vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, x->msrs.guest.count);
		vmwrite(VMCS_EXIT_MSR_STORE_COUNT, store);
		x->autoload_per_exit = x->msrs.guest.count + store + x->msrs.host.count;
	}
	if (vmx_msr_list_take_dirty(&x->msrs.host))
		vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, x->msrs.host.count);
}

static const char *forbidden_name(uint32_t reason)
{
	switch (reason) {
	case VMX_EXIT_VMCLEAR:
	case VMX_EXIT_VMLAUNCH:
	case VMX_EXIT_VMPTRLD:
	case VMX_EXIT_VMPTRST:
	case VMX_EXIT_VMREAD:
	case VMX_EXIT_VMRESUME:
	case VMX_EXIT_VMWRITE:
	case VMX_EXIT_VMXOFF:
	case VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_VMFUNC:
	case VMX_EXIT_GETSEC:
		return vmx_exit_reason_name(reason);
	default:
		return NULL;
	}
}

/* The guest-state fields a failed entry is usually about (26.3.1), for the log. */
static void dump_entry_state(struct vcpu *v)
{
	hv_printf("hv: guest %s: VM entry failed: cr0 0x%llx cr4 0x%llx efer 0x%llx rflags 0x%llx "
		  "rip 0x%llx\n",
		  v->cfg->name, (unsigned long long)vmread(VMCS_GUEST_CR0),
		  (unsigned long long)vmread(VMCS_GUEST_CR4), (unsigned long long)vmx_guest_efer(v->arch),
		  (unsigned long long)vmread(VMCS_GUEST_RFLAGS), (unsigned long long)vmread(VMCS_GUEST_RIP));
	hv_printf("hv: guest %s: cs ar 0x%llx ss ar 0x%llx tr ar 0x%llx, entry controls 0x%llx, "
		  "interruptibility 0x%llx\n",
		  v->cfg->name, (unsigned long long)vmread(VMCS_GUEST_CS_AR),
		  (unsigned long long)vmread(VMCS_GUEST_SS_AR), (unsigned long long)vmread(VMCS_GUEST_TR_AR),
		  (unsigned long long)vmread(VMCS_ENTRY_CONTROLS),
		  (unsigned long long)vmread(VMCS_GUEST_INTERRUPTIBILITY));
}

/* Exit-qualification values of a VM-entry failure for invalid guest state (26.8). */
static const char *entry_fail_detail(uint64_t q)
{
	switch (q) {
	case 2:
		return "invalid guest state (PDPTE loading)";
	case 3:
		return "invalid guest state (NMI injection blocked by STI)";
	case 4:
		return "invalid guest state (VMCS link pointer)";
	default:
		return "invalid guest state";
	}
}

/* INS/OUTS: the address size and OUTS's segment from the VM-exit instruction-information
 * field ("Format of the VM-Exit Instruction-Information Field as Used for INS and OUTS",
 * table 27-8: bits 9:7 address size 0/1/2 = 16/32/64, bits 17:15 the segment, undefined
 * for INS), which the CPU fills only when IA32_VMX_BASIC[54] is set (A.1); else the core
 * decodes the prefixes. The guest-linear address (27.2.1) is the first element's. */
static void decode_ins_outs(struct vcpu *v, struct vm_exit *e)
{
	const struct vmx_vcpu *x = v->arch;
	e->io.seg = -1;
	if (x->cpu->caps.basic & VMX_BASIC_INS_OUTS_INFO) {
		uint32_t info = (uint32_t)vmread(VMCS_EXIT_INSN_INFO);
		unsigned asz = (info >> 7) & 7;
		e->io.addr_size = asz <= 2 ? (uint8_t)(2u << asz) : 0;
		if (!e->io.in && ((info >> 15) & 7) <= SEG_GS)
			e->io.seg = (int8_t)((info >> 15) & 7);
	}
	e->io.has_linear = true;
	e->io.linear = vmread(VMCS_GUEST_LINEAR_ADDRESS);
}

static void decode_exit(struct vcpu *v, uint32_t reason, struct vm_exit *e)
{
	uint32_t basic = EXIT_REASON_BASIC(reason);
	uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
	memset(e, 0, sizeof(*e));
	e->arch_code = reason;
	/* 27.2.5: the instruction length is saved for every instruction-caused exit. */
	e->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	if (reason & EXIT_REASON_ENTRY_FAILURE) {
		/* 26.8: the VM entry failed after the controls and host state were checked. */
		e->kind = EXIT_BAD_STATE;
		e->name = basic == VMX_EXIT_MSR_LOADING ? "MSR loading (qualification = failing entry, from 1)"
			  : basic == VMX_EXIT_MACHINE_CHECK ? "machine check during VM entry"
							     : entry_fail_detail(q);
		e->bad.qualification = q;
		dump_entry_state(v);
		return;
	}
	switch (basic) {
	case VMX_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		return;
	case VMX_EXIT_VMCALL:
		e->kind = EXIT_HYPERCALL;
		return;
	case VMX_EXIT_IO:
		/* Exit qualification for I/O instructions (table 27-5). */
		e->kind = EXIT_IO;
		e->io.size = (uint8_t)((q & 7) + 1);
		e->io.in = q & BIT(3);
		e->io.string = q & BIT(4);
		e->io.rep = q & BIT(5);
		e->io.port = (uint16_t)(q >> 16);
		if (e->io.string)
			decode_ins_outs(v, e);
		return;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		e->kind = basic == VMX_EXIT_WRMSR ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (uint32_t)v->gprs.rcx;
		return;
	case VMX_EXIT_HLT:
		e->kind = EXIT_HLT;
		return;
	case VMX_EXIT_XSETBV: /* unconditional in VMX non-root operation (25.1.2) */
		e->kind = EXIT_XSETBV;
		return;
	case VMX_EXIT_WBINVD: /* "WBINVD exiting"; also WBNOINVD (25.1.3) */
		e->kind = EXIT_WBINVD;
		return;
	case VMX_EXIT_INVD: /* unconditional (25.1.2) */
		e->kind = EXIT_INVD;
		return;
	case VMX_EXIT_RDPMC: /* "RDPMC exiting" */
		e->kind = EXIT_RDPMC;
		return;
	case VMX_EXIT_TRIPLE_FAULT:
		e->kind = EXIT_SHUTDOWN;
		return;
	case VMX_EXIT_EPT_VIOLATION:
		/* Table 27-7: bits 0-2 the access (read, write, fetch), bits 3-5 what the EPT
		 * entry allowed (none of them: not present). */
		e->kind = EXIT_NPF;
		e->npf.gpa = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
		e->npf.write = q & BIT(1);
		e->npf.fetch = q & BIT(2);
		e->npf.present = q & (BIT(3) | BIT(4) | BIT(5));
		return;
	case VMX_EXIT_EPT_MISCONFIG:
		/* 28.2.3.1: an EPT entry the CPU considers malformed: a hypervisor bug. */
		e->kind = EXIT_BAD_STATE;
		e->name = "EPT misconfiguration (guest-physical address in qualification)";
		e->bad.qualification = vmread(VMCS_GUEST_PHYSICAL_ADDRESS);
		return;
	case VMX_EXIT_EXTERNAL_INTERRUPT:
		/* A physical interrupt while the guest ran ("external-interrupt exiting", 24.6.1).
		 * "Acknowledge interrupt on exit" (24.7.1) made the CPU accept it: its vector is in
		 * the exit interruption information (27.2.2) and its ISR bit is set, so the host
		 * ends it (EOI, SDM vol. 3A 11.8.5; none for the spurious vector, 11.9). It is the
		 * host's: never injected. */
		e->kind = EXIT_HOST_IRQ;
		e->exc.vector = (uint8_t)INTR_INFO_VECTOR(vmread(VMCS_EXIT_INTR_INFO));
		host_irq_dispatch(lapic_end_host_interrupt()); /* console input (console_irq.c) */
		return;
	case VMX_EXIT_EXCEPTION_NMI: {
		uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
		if ((info & INTR_INFO_VALID) && INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
			/* A host NMI (pin-based "NMI exiting"; exit interruption information, 27.2.2).
			 * The host's NMI handler runs as delivery through the IDT would, on this
			 * stack rather than the NMI gate's IST stack (exception_stubs.asm), and its
			 * IRET ends the NMI blocking the exit may have left (vol. 3A 6.7.1), as KVM
			 * and bhyve do. If no blocking was left, that IRET changes nothing. */
			nmi_handler_here();
			/* The guest's "blocking by NMI" is untouched: with "virtual NMIs" it is the
			 * guest's own virtual-NMI blocking (24.4.2, 27.3.4), which a host NMI
			 * neither sets nor ends (vmx_events.c). */
			e->kind = EXIT_HOST_EVENT;
			return;
		}
		if ((info & INTR_INFO_VALID) && (INTR_INFO_TYPE(info) == INTR_TYPE_HW_EXCEPTION ||
						 INTR_INFO_TYPE(info) == INTR_TYPE_PRIV_SW_EXCEPTION ||
						 INTR_INFO_TYPE(info) == INTR_TYPE_SW_EXCEPTION)) {
			/* #DB, #AC, #NM while the guest's XFD is live, and #BP (INT3, a software
			 * exception) while the gdb stub has a breakpoint in the guest: the exception
			 * bitmap (vmx_gdb.c). */
			e->kind = EXIT_EXCEPTION;
			e->exc.vector = (uint8_t)INTR_INFO_VECTOR(info);
			return;
		}
		e->kind = EXIT_UNKNOWN;
		e->name = "exception or NMI exit of another type";
		return;
	}
	case VMX_EXIT_INTERRUPT_WINDOW: /* requested by hv/vintr.c (25.2, vmx_events.c) */
		e->kind = EXIT_IRQ_WINDOW;
		return;
	case VMX_EXIT_NMI_WINDOW:
		e->kind = EXIT_NMI_WINDOW;
		return;
	case VMX_EXIT_MONITOR:
	case VMX_EXIT_MWAIT:
		e->kind = EXIT_HIDDEN_INSN;
		e->name = basic == VMX_EXIT_MONITOR ? "MONITOR" : "MWAIT";
		return;
	default:
		e->name = forbidden_name(basic);
		e->kind = e->name ? EXIT_FORBIDDEN : EXIT_UNKNOWN;
		if (!e->name)
			e->name = vmx_exit_reason_name(basic);
		return;
	}
}

/* VMLAUNCH/VMRESUME itself failed (30.2, 30.4): nothing ran; say why and stop.
 * rc from vmx_run_loop: bit 2 set for VMRESUME, then 1 = VMfailInvalid, 2 = VMfailValid. */
static void entry_failed(struct vcpu *v, int rc)
{
	const char *insn = rc & 4 ? "RESUME" : "LAUNCH";
	if ((rc & 3) == 1) {
		vcpu_stop(v, "VM%s failed: VMfailInvalid (no current VMCS)", insn);
		return;
	}
	uint32_t err = (uint32_t)vmread(VMCS_VM_INSTRUCTION_ERROR);
	dump_entry_state(v);
	vcpu_stop(v, "VM%s failed: VM-instruction error %u (%s)", insn, err, vmx_insn_error_name(err));
}

/* Control-register exits are the backend's own business: the core never sees them. */
static enum exit_action handle_cr(struct vcpu *v, uint32_t insn_len)
{
	int rc = vmx_cr_access(v, vmread(VMCS_EXIT_QUALIFICATION));
	if (rc < 0)
		return ACT_STOP;
	if (rc > 0) {
		vmx_inject_exception(13);
		return ACT_RESUME;
	}
	vmx_advance_rip(v->arch, insn_len);
	return ACT_RESUME;
}

/* Before every entry that follows a slow exit: the autoload counts (VMWRITE only when one
 * changed) and any VMREAD/VMWRITE failure since the last entry. 0, or -1 with the guest
 * stopped. */
static int prepare_entry(struct vcpu *v, struct vmx_vcpu *x)
{
	char err[160];
	if (v->end.kind != GUEST_RUNNING)
		return -1; /* a handler stopped it */
	vmx_msr_lists_sync(x);
	if (x->cpu->insn_failed && vmx_check_insn_failure(err, sizeof(err))) {
		vcpu_stop(v, "%s", err);
		return -1;
	}
	return 0;
}

/* 0: re-enter the guest; 1: the guest has ended. Called by vmx_run_loop for every exit
 * vmx_exit_fast() does not finish, with every guest GPR saved in v->gprs. An injected
 * event was delivered: VM exit cleared the valid bit of the VM-entry interruption
 * information (24.8.3), so nothing is injected twice; an event whose delivery the exit
 * cut off is queued again first (vmx_events.c). An exception the handler injects then
 * takes its place, as on hardware: only the reflected #DB/#AC can follow a cut-off
 * delivery (the other injections answer instruction exits), and both are benign, so the
 * CPU would deliver them instead, with no #DF (31.7.1.1, vol. 3A 6.15 table 6-5). Before
 * re-entering, hv/vintr.c delivers the guest's pending interrupts and NMIs. */
int vmx_exit_slow(struct vcpu *v);
int vmx_exit_slow(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	enum exit_action act;
	bool entered = !(reason & EXIT_REASON_ENTRY_FAILURE), reflect_step = false;
	/* Before any handler changes EFER or PAT; not after a failed entry (the guest never ran,
	 * and the failure's own diagnostics come first). */
	if (__builtin_expect(x->cpu->check_lists, 0) && entered && vmx_efer_pat_check(v))
		return 1;
	if (entered && vmx_requeue_cut_off_event(EXIT_REASON_BASIC(reason)) &&
	    EXIT_REASON_BASIC(reason) == VMX_EXIT_EPT_VIOLATION) {
		/* The CPU's own accesses while delivering an event (IDT, GDT, TSS, stack) hit an
		 * unmapped page: there is no instruction to emulate (27.2.3). */
		ACCT_EXIT(v, EXIT_NPF);
		vcpu_stop(v, "event delivery (vector %u) touched guest-physical 0x%llx: its IDT, "
			  "GDT, TSS or stack is outside its memory or in its APIC page",
			  (unsigned)INTR_INFO_VECTOR(vmread(VMCS_IDT_VECTORING_INFO)),
			  (unsigned long long)vmread(VMCS_GUEST_PHYSICAL_ADDRESS));
		return 1;
	}
	if (reason == VMX_EXIT_CR_ACCESS) {
		ACCT_EXIT(v, EXIT_UNKNOWN); /* charged to no exit kind the core knows */
		act = handle_cr(v, (uint32_t)vmread(VMCS_EXIT_INSN_LEN));
	} else if (reason == VMX_EXIT_MTF) {
		ACCT_EXIT(v, EXIT_UNKNOWN);
		act = vmx_gdb_mtf_exit(v); /* the gdb stub's step (vmx_gdb.c) */
	} else {
		struct vm_exit e;
		/* gdb's TF step: its #DB ends it before the stub sees the exit (vmx_gdb.c). */
		if (__builtin_expect(x->gdb_step_tf, 0) && entered)
			reflect_step = vmx_gdb_db_exit(v, EXIT_REASON_BASIC(reason));
		decode_exit(v, reason, &e);
		ACCT_EXIT(v, e.kind);
		act = hv_handle_exit(v, &e);
		if (act == ACT_SKIP)
			vmx_advance_rip(x, e.insn_len);
	}
	if (__builtin_expect(x->gdb_step, 0))
		vmx_gdb_after_exit(v); /* an instruction carried out here ends gdb's step */
	switch (act) {
	case ACT_INJECT_GP:
		vmx_inject_exception(13);
		break;
	case ACT_INJECT_UD:
		vmx_inject_exception(6);
		break;
	case ACT_INJECT_NM:
		vmx_inject_exception(7);
		break;
	case ACT_REFLECT:
		vmx_reflect_exception();
		break;
	case ACT_STOP:
		return 1;
	default:
		break;
	}
	if (__builtin_expect(reflect_step, 0))
		vmx_gdb_reflect_step(); /* the guest single-steps itself too: its #DB */
	if (v->end.kind != GUEST_RUNNING || vcpu_deliver_events(v))
		return 1;
	/* Queued console lines (hv/console.h): a FIFO's worth at most, no waiting. IF = 0 in
	 * VMX root operation holds no NMI or SMI. */
	if (console_pending())
		console_drain();
	if (__builtin_expect(x->gdb_step_tf, 0))
		vmx_gdb_before_entry(v); /* gdb's TF, after gdb may have started a step above */
	return prepare_entry(v, x) ? 1 : 0;
}

void vmx_vcpu_run(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (prepare_entry(v, x))
		return;
	exit_acct_start(v); /* what follows is the exit path */
	int rc = vmx_run_loop(v, vmx_exit_fast);
	if (rc)
		entry_failed(v, rc);
}

const struct virt_backend vmx_backend = {
	.name = "vmx",
	.cpu_enable = vmx_cpu_enable,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_reset = vmx_vcpu_reset,
	.vcpu_run = vmx_vcpu_run,
	.read_mode = vmx_read_mode,
	.msr_field_read = vmx_msr_field_read,
	.msr_field_write = vmx_msr_field_write,
	.set_intercept = vmx_set_intercept,
	.cpuid_caps = vmx_vcpu_cpuid_caps,
	.debug_break_entry = vmx_debug_break_entry,
	.event_state = vmx_event_state,
	.inject_event = vmx_inject_event,
	.request_window = vmx_request_window,
	.wait_interrupt = vmx_wait_interrupt,
	.read_segment = vmx_read_segment,
	.inject_fault = vmx_inject_fault,
	.snapshot = vmx_snapshot,
	.gdb_regs = vmx_gdb_regs,
	.gdb_dr_read = vmx_gdb_dr_read,
	.gdb_dr_write = vmx_gdb_dr_write,
	.gdb_arm = vmx_gdb_arm,
	.gdb_bp_reflects = true,
};
