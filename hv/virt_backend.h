/*
 * What the core asks of a virtualization backend (AMD SVM or Intel VMX). One
 * backend is chosen at boot from CPUID; the core only ever calls through this
 * table, and only on set-up and slow paths (the hot exit path is the backend's
 * own loop calling hv_handle_exit directly).
 */
#ifndef HV_VIRT_BACKEND_H
#define HV_VIRT_BACKEND_H

#include "hv/types.h"

struct vcpu;
struct percpu;
struct cpuid_backend_caps;
struct gdb_regs;
struct guest_state;

/* Intercepts the core switches at run time (the XFD scheme, hv/xstate.c). */
enum intercept_kind {
	INTERCEPT_XFD_WRITE, /* WRMSR to IA32_XFD */
	INTERCEPT_NM,        /* #NM, vector 7 */
};

/* The guest's execution mode, for decoding and policy decisions. */
struct guest_mode {
	uint64_t cr0, cr3, cr4, efer, rflags, rip, cs_base;
	unsigned cs_bits; /* 16, 32 or 64 */
	unsigned cpl;
};

/* Segment registers in the hardware's numbering (SVM IOIO SEG field, VMX instruction
 * information: ES, CS, SS, DS, FS, GS). */
enum guest_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* A segment register's hidden part. attr in the VMX access-rights layout (SDM vol. 3C
 * 24.4.1, table 24-2): type 3:0, S 4, DPL 6:5, P 7, L 13, D/B 14, G 15; limit in bytes. */
struct guest_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t attr;
	bool unusable; /* VMX "segment unusable"; SVM: P clear (a null selector) */
};
#define SEG_ATTR_TYPE(a) ((a) & 0xfu)
#define SEG_ATTR_S BIT(4)
#define SEG_ATTR_P BIT(7)
#define SEG_ATTR_DB BIT(14)

/* What decides whether an event can be injected now (SDM vol. 3A 6.8.3, 6.7.1; vol. 3C
 * 24.4.2; APM vol. 2 15.20-15.21). */
struct guest_events {
	bool if_set;       /* RFLAGS.IF */
	bool shadow;       /* interrupt shadow after STI / MOV SS / POP SS */
	bool nmi_blocked;  /* blocking by NMI (an NMI handler has not yet executed IRET) */
	bool queued;       /* an event is already queued for the next entry (a re-injection) */
};

struct virt_backend {
	const char *name; /* "svm" or "vmx" */
	/* Turn virtualization on for the calling CPU. */
	int (*cpu_enable)(struct percpu *pc, char *err, size_t errlen);
	/* Build the VMCB/VMCS, nested page tables and intercept bitmaps for v
	 * (its partition is loaded and v->boot holds the entry state). */
	int (*vcpu_create)(struct vcpu *v, char *err, size_t errlen);
	/* Back to the start state, for a restart (hv/guest_restart.h): on v's own CPU after its
	 * run ended, the guest state and controls as vcpu_create built them from v->boot (which
	 * the core has rebuilt), reusing the pages vcpu_create allocated: nothing is allocated
	 * or leaked, and the nested page tables stay (the partition does not move). 0, or -1
	 * with err filled. */
	int (*vcpu_reset)(struct vcpu *v, char *err, size_t errlen);
	/* Run v on the calling CPU until the guest ends (v->end is set). */
	void (*vcpu_run)(struct vcpu *v);
	void (*read_mode)(struct vcpu *v, struct guest_mode *m);
	/* MSRs kept in a dedicated VMCB/VMCS field (EFER, PAT, ...): 0, or -1 = #GP. */
	int (*msr_field_read)(struct vcpu *v, uint32_t msr, uint64_t *val);
	int (*msr_field_write)(struct vcpu *v, uint32_t msr, uint64_t val);
	void (*set_intercept)(struct vcpu *v, enum intercept_kind what, bool on);
	/* After vcpu_create: which CPUID-promised instructions really run in v's guest and
	 * which CR4 bits it may set (the CPUID feature table checks its needs against this). */
	void (*cpuid_caps)(struct vcpu *v, struct cpuid_backend_caps *caps);
	/* [hv] debug_bad_entry: make the next VM entry fail its checks, on the guest state
	 * or (control) on a control field, to exercise the entry-failure diagnostics. */
	void (*debug_break_entry)(struct vcpu *v, bool control);

	/* Event delivery into the guest (hv/vintr.c decides, the backend carries out). Slow
	 * path only: the core calls vcpu_deliver_events() right before every VM entry the
	 * slow path makes. */
	void (*event_state)(struct vcpu *v, struct guest_events *s);
	/* Queue an external interrupt (vector) or, when nmi, an NMI for the next VM entry. */
	void (*inject_event)(struct vcpu *v, bool nmi, uint8_t vector);
	/* Exit as soon as an interrupt (irq) / an NMI (nmi) could be injected: SVM V_IRQ with
	 * the VINTR intercept / IRET intercept, VMX interrupt-window / NMI-window exiting.
	 * false turns the request off. The exits come back as EXIT_IRQ_WINDOW/EXIT_NMI_WINDOW. */
	void (*request_window)(struct vcpu *v, bool irq, bool nmi);
	/* Halt this CPU until an interrupt reaches it (the host's handler runs and ends it),
	 * with whatever GIF/IF dance the backend needs (SVM: STGI around the wait). */
	void (*wait_interrupt)(struct vcpu *v);

	/* The hidden part of segment register seg (slow path only: on SVM FS and GS are
	 * current only after the slow path's VMSAVE). */
	void (*read_segment)(struct vcpu *v, enum guest_seg seg, struct guest_segment *s);
	/* Queue a fault for the next VM entry at the current RIP: vector, its error code
	 * (delivered where the guest's mode has one, exc_error_code.h) and, for #PF, CR2. */
	void (*inject_fault)(struct vcpu *v, uint8_t vector, uint32_t error_code, uint64_t cr2);
	/* Slow path, on v's own CPU only (VMREAD needs the current VMCS; on SVM the VMSAVE state
	 * is in the VMCB only there): the backend's part of a snapshot (hv/guest_state.h), i.e.
	 * rsp, rip, rflags, control and debug registers, EFER, PAT, segments, descriptor tables,
	 * the SYSCALL/SYSENTER MSRs and KERNEL_GS_BASE, cpl, the queued event and the
	 * interruptibility. The core fills the rest (guest_state_take). */
	void (*snapshot)(struct vcpu *v, struct guest_state *st);

	/* The gdb stub (hv/gdb_*.c). Slow path, on v's own CPU only. */
	/* Read or write the general registers, RIP, RFLAGS (without the stub's own single-step
	 * TF) and the segment selectors (written selectors are ignored). */
	void (*gdb_regs)(struct vcpu *v, struct gdb_regs *r, bool write);
	/* Debug register n (0-3: live in this CPU; 6, 7: the VMCB/VMCS fields). */
	uint64_t (*gdb_dr_read)(struct vcpu *v, unsigned n);
	void (*gdb_dr_write)(struct vcpu *v, unsigned n, uint64_t val);
	/* Intercept #BP (bp); single-step the guest's next instruction (step: SVM RFLAGS.TF with
	 * the guest's own TF kept, VMX the monitor trap flag). The end of the step comes back
	 * through gdb_step_done (hv/gdb_stop.h). */
	void (*gdb_arm)(struct vcpu *v, bool bp, bool step);
	/* How a guest's own INT3 goes back to it while #BP is intercepted: true, ACT_REFLECT
	 * delivers it (VMX: the software exception again, with the exit's instruction length,
	 * SDM vol. 3C 24.8.3); false, the core moves RIP past it and injects #BP (SVM). */
	bool gdb_bp_reflects;
};

#endif
