/* AMD SVM backend internals (the core sees only svm_backend). */
#ifndef ARCH_X86_SVM_SVM_H
#define ARCH_X86_SVM_SVM_H

#include "arch/x86/cpu_tables.h"
#include "arch/x86/svm/svm_vmcb.h"
#include "hv/virt_backend.h"

struct svm_cpu {
	uint64_t hsave_pa; /* VM_HSAVE_PA: host state VMRUN saves and #VMEXIT restores */
	bool nrip;         /* CPUID 8000000A EDX[3]: the VMCB's nRIP is filled */
	bool flush_by_asid;
	struct cpu_tables *tables; /* this CPU's GDT/TSS: the slow path reloads TR from it */
};

struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint64_t npt_root;
	uint64_t msrpm_pa, iopm_pa;
	bool nrip; /* copy of cpu->nrip: one load less on every exit */
	struct svm_cpu *cpu;
	/* Event delivery (svm_events.c): blocking by an injected NMI, until its IRET has
	 * completed, and the single step over that IRET (or over a shadow). */
	bool nmi_blocked;
	struct {
		bool on, over_iret, guest_tf;
		bool gdb; /* the gdb stub asked for this step (svm_gdb.c) */
		uint64_t rip;
	} step;
};

extern const struct virt_backend svm_backend;

/* CPUID says this CPU has SVM with nested paging. */
bool svm_supported(void);
int svm_cpu_enable(struct percpu *pc, char *err, size_t errlen);
int svm_vcpu_create(struct vcpu *v, char *err, size_t errlen);
int svm_vcpu_reset(struct vcpu *v, char *err, size_t errlen);
void svm_vcpu_run(struct vcpu *v);
void svm_read_mode(struct vcpu *v, struct guest_mode *m);
void svm_read_segment(struct vcpu *v, enum guest_seg seg, struct guest_segment *out);
void svm_inject_fault(struct vcpu *v, uint8_t vector, uint32_t error_code, uint64_t cr2);
int svm_msr_field_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int svm_msr_field_write(struct vcpu *v, uint32_t msr, uint64_t val);
void svm_set_intercept(struct vcpu *v, enum intercept_kind what, bool on);
void svm_vcpu_cpuid_caps(struct vcpu *v, struct cpuid_backend_caps *caps);
void svm_debug_break_entry(struct vcpu *v, bool control);
void svm_event_state(struct vcpu *v, struct guest_events *out);
void svm_inject_event(struct vcpu *v, bool nmi, uint8_t vector);
void svm_request_window(struct vcpu *v, bool irq, bool nmi);
void svm_wait_interrupt(struct vcpu *v);
struct guest_state;
void svm_snapshot(struct vcpu *v, struct guest_state *st);
struct vm_exit;
void svm_events_exit(struct vcpu *v, struct svm_vcpu *s, struct vm_exit *e);
void svm_events_after_skip(struct vcpu *v, struct svm_vcpu *s);
bool svm_guest_tf(const struct svm_vcpu *s);
/* The gdb stub's single step (svm_gdb.c): start one over the guest's next instruction. */
void svm_step_for_gdb(struct svm_vcpu *s, bool on);
/* svm_gdb.c */
void svm_gdb_regs(struct vcpu *v, struct gdb_regs *r, bool write);
uint64_t svm_gdb_dr_read(struct vcpu *v, unsigned n);
void svm_gdb_dr_write(struct vcpu *v, unsigned n, uint64_t val);
void svm_gdb_arm(struct vcpu *v, bool bp, bool step);
struct vm_exit;
void svm_gdb_swint(struct vcpu *v, struct vm_exit *e);


#endif
