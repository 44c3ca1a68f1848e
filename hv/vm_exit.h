/*
 * The narrow interface between a virtualization backend (arch/x86/svm,
 * arch/x86/vmx) and the architecture-neutral core: the backend turns its
 * VMCB/VMCS exit information into a struct vm_exit, the core decides what
 * happens and answers with an exit_action, and the backend applies it.
 * Nothing in hv/ knows which backend runs.
 */
#ifndef HV_VM_EXIT_H
#define HV_VM_EXIT_H

#include "hv/types.h"

enum exit_kind {
	EXIT_CPUID,
	EXIT_HYPERCALL, /* VMMCALL or VMCALL */
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_HLT,
	EXIT_XSETBV,
	EXIT_SHUTDOWN,   /* triple fault */
	EXIT_NPF,        /* nested page fault / EPT violation */
	EXIT_FORBIDDEN,  /* an instruction the guest may not execute (VMRUN, VMXON, ...) */
	EXIT_EXCEPTION,  /* an intercepted guest exception (#NM for XFD) */
	EXIT_HOST_EVENT, /* a host NMI/SMI ended the guest's slice: just resume */
	EXIT_HOST_IRQ,   /* a physical interrupt, the host's: ended (EOI) by the backend, resume */
	EXIT_BAD_STATE,  /* VM entry refused the guest state */
	EXIT_UNKNOWN,    /* an exit the core has no handler for */
	EXIT_HIDDEN_INSN, /* an instruction whose feature CPUID hides (MONITOR/MWAIT): #UD */
	EXIT_WBINVD,     /* WBINVD or WBNOINVD: write back the guest's own partition (hv/cache_pmu_insn.c) */
	EXIT_INVD,       /* INVD: carried out as a write-back of the partition, never a discard */
	EXIT_RDPMC,      /* RDPMC: answered from the MSR policy (counters read 0, others #GP) */
	EXIT_IRQ_WINDOW, /* the guest can take an interrupt now (requested, hv/vintr.c) */
	EXIT_NMI_WINDOW, /* the guest can take an NMI now (requested, hv/vintr.c) */
	EXIT_KIND_COUNT
};

struct vm_exit {
	enum exit_kind kind;
	/* Length of the exiting instruction, or 0 when the backend does not know it
	 * (SVM without NRIP save): the core then decodes it from guest memory. */
	uint32_t insn_len;
	uint64_t arch_code; /* the raw SVM exit code / VMX exit reason, for messages */
	const char *name;   /* the arch's name for the exit (EXIT_FORBIDDEN/UNKNOWN/BAD_STATE) */
	union {
		struct {
			uint16_t port;
			uint8_t size; /* 1, 2 or 4 */
			bool in;
			bool string; /* INS/OUTS (hv/io_string.c) */
			bool rep;
			/* INS/OUTS only. addr_size: 2, 4 or 8 bytes, 0 = unknown; seg: the
			 * segment of OUTS's source (enum guest_seg), -1 = unknown (the core then
			 * decodes the instruction's prefixes). has_linear: linear is the CPU's
			 * linear address of the first element (VMX guest-linear address). */
			uint8_t addr_size;
			int8_t seg;
			bool has_linear;
			uint64_t linear;
		} io;
		struct {
			uint32_t index;
		} msr;
		struct {
			uint64_t gpa;
			bool write, fetch, present;
		} npf;
		struct {
			uint64_t qualification; /* diagnostic detail for BAD_STATE */
		} bad;
		struct {
			uint8_t vector;
		} exc;
	};
};

enum exit_action {
	ACT_RESUME,      /* re-enter at the same RIP */
	ACT_SKIP,        /* advance RIP past the exiting instruction, then re-enter */
	ACT_INJECT_GP,   /* #GP(0) at the exiting instruction */
	ACT_INJECT_UD,   /* #UD at the exiting instruction */
	ACT_INJECT_NM,   /* #NM at the exiting instruction (reflected XFD fault) */
	ACT_REFLECT,     /* deliver the intercepted exception (#DB, #AC) to the guest as is */
	ACT_STOP,        /* the guest has ended (see vcpu->end) */
};

const char *exit_kind_name(enum exit_kind k);

#endif
