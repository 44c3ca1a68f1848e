/* Intel VMX backend internals (the core sees only vmx_backend). */
#ifndef ARCH_X86_VMX_VMX_H
#define ARCH_X86_VMX_VMX_H

#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmx_controls.h"
#include "arch/x86/vmx/vmx_msr_list.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "hv/exit_acct.h"
#include "hv/virt_backend.h"
#include "hv/vm_exit.h"

#define VPID_GUEST 1 /* one guest per core: the same VPID everywhere */

struct vmx_cpu {
	uint64_t vmxon_pa;           /* VMXON region (SDM vol. 3C 24.11.5) */
	uint32_t revision;           /* IA32_VMX_BASIC[30:0], written into every VMCS and the VMXON region */
	struct vmx_caps caps;        /* raw capability MSRs, read once */
	struct vmx_controls ctl;     /* computed once per CPU (vmx_controls.c) */
	bool check_lists;            /* [hv] debug_vmx_msr_lists = check (vmx_efer_pat.c) */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	/* The first VMREAD/VMWRITE that failed on this CPU (vmx_insn_failed), for the message. */
	bool insn_failed, insn_failed_write;
	uint32_t insn_failed_field, insn_failed_error;
};

struct vmx_vcpu {
	uint64_t vmcs_pa;
	uint64_t ept_root, eptp;
	uint64_t msr_bitmap_pa, io_bitmap_a_pa, io_bitmap_b_pa;
	uint64_t virtual_apic_pa;    /* "use TPR shadow": the guest's CR8 lives here (29.3) */
	uint32_t entry_controls;     /* cached: IA-32e mode guest changes with EFER.LMA */
	uint32_t proc_controls;      /* cached: the window-exiting controls change (vmx_events.c) */
	uint32_t exception_bitmap;   /* cached: #NM is intercepted only while the guest's XFD is live */
	uint64_t cr0_mask, cr4_mask; /* guest/host masks: host-owned bits (vmx_cr.c) */
	struct vmx_msr_autoload msrs;
	uint32_t autoload_per_exit;  /* list entries the CPU processes per exit and entry (bench) */
	/* Without the EFER/PAT load controls (ctl.efer_lists/pat_lists): the guest's values
	 * (what its RDMSR reads) and the host's, which the autoload lists switch. */
	uint64_t guest_efer, guest_pat, host_efer, host_pat;
	/* The gdb stub's single step (vmx_gdb.c), set at gdb_step_rip: the monitor trap flag,
	 * or RFLAGS.TF (gdb_step_tf) where the CPU has no MTF. gdb_tf_set: gdb's TF is in the
	 * guest's RFLAGS now, the guest's own kept in gdb_guest_tf; gdb_nmi_window: NMI-window
	 * exiting is on for the step (an exit right after an event delivered at entry). */
	bool gdb_step, gdb_step_tf, gdb_tf_set, gdb_guest_tf, gdb_nmi_window;
	uint64_t gdb_step_rip;
	struct vmx_cpu *cpu;
};

extern const struct virt_backend vmx_backend;

/* CPUID says this CPU has VMX (CPUID.1:ECX[5]); EPT and the rest are checked per CPU. */
bool vmx_supported(void);
int vmx_cpu_enable(struct percpu *pc, char *err, size_t errlen);
int vmx_vcpu_create(struct vcpu *v, char *err, size_t errlen);
int vmx_vcpu_reset(struct vcpu *v, char *err, size_t errlen);
void vmx_vcpu_run(struct vcpu *v);
void vmx_read_mode(struct vcpu *v, struct guest_mode *m);
void vmx_read_segment(struct vcpu *v, enum guest_seg seg, struct guest_segment *out);
int vmx_msr_field_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmx_msr_field_write(struct vcpu *v, uint32_t msr, uint64_t val);
void vmx_set_intercept(struct vcpu *v, enum intercept_kind what, bool on);
void vmx_vcpu_cpuid_caps(struct vcpu *v, struct cpuid_backend_caps *caps);
/* Drop the guest's cached linear translations (INVVPID, 30.3): after an emulated control-
 * register change the hardware would have flushed for (vol. 3A 4.10.4.1). 0 or -1. */
int vmx_flush_guest_tlb(const struct vmx_vcpu *x);
void vmx_debug_break_entry(struct vcpu *v, bool control);

/* vmx_gdb.c: the gdb stub's ops (hv/virt_backend.h) and its exits, slow path only. */
struct gdb_regs;
void vmx_gdb_regs(struct vcpu *v, struct gdb_regs *r, bool write);
uint64_t vmx_gdb_dr_read(struct vcpu *v, unsigned n);
void vmx_gdb_dr_write(struct vcpu *v, unsigned n, uint64_t val);
void vmx_gdb_arm(struct vcpu *v, bool bp, bool step);
/* Exit reason 37 (monitor trap flag): gdb's step has ended. */
enum exit_action vmx_gdb_mtf_exit(struct vcpu *v);
/* Any other slow exit while gdb steps (x->gdb_step): ends the step if RIP moved. */
void vmx_gdb_after_exit(struct vcpu *v);
/* A TF step (x->gdb_step_tf), before the exit's handler: a #DB with BS ends it. True when
 * the guest single-steps itself and so must get that #DB too (vmx_gdb_reflect_step). */
bool vmx_gdb_db_exit(struct vcpu *v, uint32_t basic_reason);
void vmx_gdb_reflect_step(void);
/* A TF step, last thing before the entry: gdb's TF on, or off with NMI-window exiting
 * while an event is injected at this entry. */
void vmx_gdb_before_entry(struct vcpu *v);

/* vmx_cr.c: the CR0/CR4 guest/host masks and MOV-to-CR emulation (long-mode switch). */
void vmx_cr_init(struct vmx_vcpu *x, uint64_t cr0, uint64_t cr4);
uint64_t vmx_guest_cr0(const struct vmx_vcpu *x);
uint64_t vmx_guest_cr4(const struct vmx_vcpu *x);
/* 0: emulated (skip the instruction); 1: inject #GP; -1: stop the guest (reason set). */
int vmx_cr_access(struct vcpu *v, uint64_t qualification);

/* vmx_exit.c: the MSR autoload counts reach the VMCS only when one changed. */
void vmx_msr_lists_sync(struct vmx_vcpu *x);

/* vmx_efer_pat.c: the guest's EFER and PAT, in their VMCS fields or, on CPUs without the
 * load controls, in the MSR autoload lists. The setters return 0, or -1 when the lists
 * have no room (they hold at least 512 entries and only these two use them). */
extern uint8_t vmx_debug_msr_lists; /* [hv] debug_vmx_msr_lists, set before any CPU enables VMX */
int vmx_efer_pat_init(struct vmx_vcpu *x, uint64_t efer, uint64_t pat);
uint64_t vmx_guest_efer(const struct vmx_vcpu *x);
uint64_t vmx_guest_pat(const struct vmx_vcpu *x);
int vmx_set_guest_efer(struct vmx_vcpu *x, uint64_t efer);
int vmx_set_guest_pat(struct vmx_vcpu *x, uint64_t pat);
/* [hv] debug_vmx_msr_lists = check, first thing after a slow exit: 0, or -1 with the guest
 * stopped when the CPU did not have the EFER/PAT the lists should have loaded. */
int vmx_efer_pat_check(struct vcpu *v);

/* vmx_events.c: event injection and the virt_backend event ops (docs/interrupts.md). */
void vmx_inject_exception(unsigned vector);
void vmx_inject_fault(struct vcpu *v, uint8_t vector, uint32_t error_code, uint64_t cr2);
void vmx_reflect_exception(void);
/* First on the slow path after a real exit: queue again an event whose delivery the exit
 * cut off (IDT-vectoring information); true when one was. */
bool vmx_requeue_cut_off_event(uint32_t basic_reason);
void vmx_event_state(struct vcpu *v, struct guest_events *s);
struct guest_state;
void vmx_snapshot(struct vcpu *v, struct guest_state *st);
void vmx_inject_event(struct vcpu *v, bool nmi, uint8_t vector);
void vmx_request_window(struct vcpu *v, bool irq, bool nmi);
void vmx_wait_interrupt(struct vcpu *v);

/* vmx_exit.c: a message and -1 when a VMREAD/VMWRITE failed on this CPU, else 0. */
int vmx_check_insn_failure(char *err, size_t errlen);

/* vmx_errors.c */
const char *vmx_exit_reason_name(uint32_t basic_reason);
const char *vmx_insn_error_name(uint32_t error);

/* arch/x86/vmx/vmx_run.asm: the run loop (VMLAUNCH, then VMRESUME after each exit, SDM
 * vol. 3C 24.11.3) with the guest's GPRs in v->gprs. Returns 0 when vmx_exit_slow() says
 * the guest has ended, else the failed entry: 1 (VMfailInvalid) or 2 (VMfailValid, 30.2),
 * plus 4 when it was a VMRESUME. */
int vmx_run_loop(struct vcpu *v, int (*fast)(struct vcpu *));
/* vmx_exit_fast.c: 0 when the exit is finished, 1 for vmx_exit_slow(). */
int vmx_exit_fast(struct vcpu *v);
#ifdef HV_BENCH
/* vmx_exit_fast.c: the exit being handled is of this kind (exit accounting). */
void vmx_acct_exit(struct vcpu *v, enum exit_kind kind);
#define ACCT_EXIT(v, kind) vmx_acct_exit((v), (kind))
#else
#define ACCT_EXIT(v, kind) ((void)0)
#endif
void vmx_exit_stub(void);
/* HOST_RIP while gdb single-steps: every exit to vmx_exit_slow (vmx_run.asm). */
void vmx_exit_stub_slow(void);

/* ---- VMX instructions (SDM vol. 3C 30.3). Each checks CF/ZF (VMfailInvalid/VMfailValid,
 * 30.2). VMXON, VMCLEAR, VMPTRLD, INVEPT and INVVPID return 0 or -1. VMREAD and VMWRITE
 * cannot fail on the current VMCS for the fields used here; if one ever does (a field this
 * CPU lacks, a read-only field), vmx_insn_failed records it in this CPU's vmx_cpu, and
 * vmx_vcpu_create and the run loop stop the guest with the field and the error. ---- */
void vmx_insn_failed(bool write, uint64_t field);

/* INVEPT / INVVPID descriptors (SDM vol. 3C 30.3, INVEPT and INVVPID). */
struct invept_desc {
	uint64_t eptp, reserved;
};
_Static_assert(sizeof(struct invept_desc) == 16, "INVEPT descriptor is 128 bits");
struct invvpid_desc {
	uint64_t vpid; /* bits 15:0; 63:16 reserved (0) */
	uint64_t linear;
};
_Static_assert(sizeof(struct invvpid_desc) == 16, "INVVPID descriptor is 128 bits");

static inline int vmxon(uint64_t pa)
{
	bool fail;
	__asm__ __volatile__("vmxon %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return fail ? -1 : 0;
}

static inline int vmclear(uint64_t pa)
{
	bool fail;
	__asm__ __volatile__("vmclear %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return fail ? -1 : 0;
}

static inline int vmptrld(uint64_t pa)
{
	bool fail;
	__asm__ __volatile__("vmptrld %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return fail ? -1 : 0;
}

static inline void vmwrite(uint64_t field, uint64_t value)
{
	bool fail;
	ACCT_HW(ACCT_VMWRITE);
	__asm__ __volatile__("vmwrite %2, %1" : "=@ccbe"(fail) : "r"(field), "rm"(value) : "memory");
	if (__builtin_expect(fail, 0))
		vmx_insn_failed(true, field);
}

static inline uint64_t vmread(uint64_t field)
{
	uint64_t value;
	bool fail;
	__asm__ __volatile__("vmread %2, %0" : "=rm"(value), "=@ccbe"(fail) : "r"(field));
	if (__builtin_expect(fail, 0))
		vmx_insn_failed(false, field);
	return value;
}

static inline int invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc desc = { eptp, 0 };
	bool fail;
	__asm__ __volatile__("invept %1, %2" : "=@ccbe"(fail) : "m"(desc), "r"(type) : "memory");
	return fail ? -1 : 0;
}

static inline int invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_desc desc = { vpid, 0 };
	bool fail;
	__asm__ __volatile__("invvpid %1, %2" : "=@ccbe"(fail) : "m"(desc), "r"(type) : "memory");
	return fail ? -1 : 0;
}

/*
 * Advance the guest past an instruction the hypervisor carried out for it, as the CPU
 * would have: outside 64-bit mode RIP wraps at 4 GiB (and bits 63:32 must be 0 at VM
 * entry, 26.3.1.4); the instruction ends blocking by STI or MOV SS (24.4.2); with
 * RFLAGS.TF set it is followed by a single-step #DB (vol. 3A 17.3.1.4), made pending
 * through BS (24.4.2, 26.6.3). Used by the fast and the slow exit paths alike.
 */
static inline __attribute__((always_inline)) void vmx_advance_rip(const struct vmx_vcpu *x, uint64_t len)
{
	uint64_t rip = vmread(VMCS_GUEST_RIP), next = rip + len;
	if (!(x->entry_controls & ENTRY_IA32E_MODE_GUEST))
		next = (uint32_t)next;
	else if (__builtin_expect(!(rip >> 32) && (next >> 32), 0) &&
		 !(vmread(VMCS_GUEST_CS_AR) & AR_L))
		next = (uint32_t)next; /* compatibility mode */
	vmwrite(VMCS_GUEST_RIP, next);
	uint64_t is = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (__builtin_expect(is & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS), 0))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			is & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
	if (__builtin_expect(vmread(VMCS_GUEST_RFLAGS) & RFLAGS_TF, 0))
		vmwrite(VMCS_GUEST_PENDING_DBG, vmread(VMCS_GUEST_PENDING_DBG) | PENDING_DBG_BS);
}

#endif
