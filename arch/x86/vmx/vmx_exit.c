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
#include "arch/x86/exc_error_code.h"
#include "arch/x86/vmx/vmx.h"
#include "drivers/lapic.h"
#include "hv/fmt.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"

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
		lapic_end_host_interrupt();
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
			/* Guests never receive NMIs here (no virtual NMIs, none injected), so their
			 * blocking by NMI must stay 0: with "NMI exiting" set, a guest IRET does
			 * not unblock NMIs (25.3), and a 1 saved by this exit (Bochs 2.7 saves one)
			 * would hold every later NMI off for as long as the guest runs. */
			uint64_t is = vmread(VMCS_GUEST_INTERRUPTIBILITY);
			if (is & INTERRUPTIBILITY_NMI)
				vmwrite(VMCS_GUEST_INTERRUPTIBILITY, is & ~(uint64_t)INTERRUPTIBILITY_NMI);
			e->kind = EXIT_HOST_EVENT;
			return;
		}
		if ((info & INTR_INFO_VALID) && (INTR_INFO_TYPE(info) == INTR_TYPE_HW_EXCEPTION ||
						 INTR_INFO_TYPE(info) == INTR_TYPE_PRIV_SW_EXCEPTION)) {
			/* #DB, #AC, and #NM while the guest's XFD is live (the exception bitmap). */
			e->kind = EXIT_EXCEPTION;
			e->exc.vector = (uint8_t)INTR_INFO_VECTOR(info);
			return;
		}
		e->kind = EXIT_UNKNOWN;
		e->name = "exception or NMI exit of another type";
		return;
	}
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

/* VM-entry event injection (24.8.3): the interruption information, and the error code
 * when one is delivered. */
static void inject_event(uint32_t vector, uint32_t type, bool deliver_error, uint32_t error)
{
	uint32_t info = vector | (type << 8) | INTR_INFO_VALID;
	if (deliver_error) {
		info |= INTR_INFO_DELIVER_ERROR;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

static void inject_exception(unsigned vector)
{
	/* A hardware exception needs no instruction length; the error code, if the exception
	 * has one in the guest's mode (none in real mode, 26.2.1.3), is 0. */
	inject_event(vector, INTR_TYPE_HW_EXCEPTION, exc_has_error_code(vector, vmread(VMCS_GUEST_CR0)),
		     0);
}

/* ACT_REFLECT: the intercepted #DB or #AC, delivered to the guest as the CPU would have.
 * A #DB that exits has not touched DR6 yet: its bits are in the exit qualification (27.1,
 * table 27-1), and DR6 is the guest's own, live in the CPU (never switched), so they go
 * there directly; delivering #DB clears DR7.GD (vol. 3A 17.2.4). INT1 is re-injected as
 * a privileged software exception with its instruction length (24.8.3). */
static void reflect_exception(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	uint32_t vector = INTR_INFO_VECTOR(info), type = INTR_INFO_TYPE(info);
	if (vector == 1) {
		uint64_t q = vmread(VMCS_EXIT_QUALIFICATION), dr6;
		__asm__ __volatile__("mov %%dr6, %0" : "=r"(dr6));
		dr6 = (dr6 & ~0xfull) | (q & (0xfull | BIT(13) | DR6_BS));
		dr6 = q & BIT(16) ? dr6 & ~BIT(16) : dr6 | BIT(16); /* RTM is active low in DR6 */
		__asm__ __volatile__("mov %0, %%dr6" : : "r"(dr6));
		vmwrite(VMCS_GUEST_DR7, vmread(VMCS_GUEST_DR7) & ~BIT(13));
	}
	if (type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
	bool has_error = info & INTR_INFO_DELIVER_ERROR;
	inject_event(vector, type, has_error, has_error ? (uint32_t)vmread(VMCS_EXIT_INTR_ERROR) : 0);
}

/* Control-register exits are the backend's own business: the core never sees them. */
static enum exit_action handle_cr(struct vcpu *v, uint32_t insn_len)
{
	int rc = vmx_cr_access(v, vmread(VMCS_EXIT_QUALIFICATION));
	if (rc < 0)
		return ACT_STOP;
	if (rc > 0) {
		inject_exception(13);
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
 * information (24.8.3), so nothing is injected twice. */
int vmx_exit_slow(struct vcpu *v);
int vmx_exit_slow(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	enum exit_action act;
	/* Before any handler changes EFER or PAT; not after a failed entry (the guest never ran,
	 * and the failure's own diagnostics come first). */
	if (__builtin_expect(x->cpu->check_lists, 0) && !(reason & EXIT_REASON_ENTRY_FAILURE) &&
	    vmx_efer_pat_check(v))
		return 1;
	if (reason == VMX_EXIT_CR_ACCESS) {
		ACCT_EXIT(v, EXIT_UNKNOWN); /* charged to no exit kind the core knows */
		act = handle_cr(v, (uint32_t)vmread(VMCS_EXIT_INSN_LEN));
	} else {
		struct vm_exit e;
		decode_exit(v, reason, &e);
		ACCT_EXIT(v, e.kind);
		act = hv_handle_exit(v, &e);
		if (act == ACT_SKIP)
			vmx_advance_rip(x, e.insn_len);
	}
	switch (act) {
	case ACT_INJECT_GP:
		inject_exception(13);
		break;
	case ACT_INJECT_UD:
		inject_exception(6);
		break;
	case ACT_INJECT_NM:
		inject_exception(7);
		break;
	case ACT_REFLECT:
		reflect_exception();
		break;
	case ACT_STOP:
		return 1;
	default:
		break;
	}
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
	.vcpu_run = vmx_vcpu_run,
	.read_mode = vmx_read_mode,
	.msr_field_read = vmx_msr_field_read,
	.msr_field_write = vmx_msr_field_write,
	.set_intercept = vmx_set_intercept,
	.cpuid_caps = vmx_vcpu_cpuid_caps,
	.debug_break_entry = vmx_debug_break_entry,
};
