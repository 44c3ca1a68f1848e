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

struct virt_backend {
	const char *name; /* "svm" or "vmx" */
	/* Turn virtualization on for the calling CPU. */
	int (*cpu_enable)(struct percpu *pc, char *err, size_t errlen);
	/* Build the VMCB/VMCS, nested page tables and intercept bitmaps for v
	 * (its partition is loaded and v->boot holds the entry state). */
	int (*vcpu_create)(struct vcpu *v, char *err, size_t errlen);
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
};

#endif
