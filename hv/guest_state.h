/*
 * A guest's architectural state as one struct, for the hypervisor's own inspectors (the
 * serial monitor, the gdb stub): general registers, RIP/RFLAGS, control registers, every
 * segment register with its hidden part, the descriptor tables, the MSRs the hardware keeps
 * for the guest, the event that is queued for the next entry and the interruptibility, the
 * extended-state registers, and the current values of the MSRs the policy table emulates.
 *
 * It can only be taken on the guest's own CPU, in its slow path: VMREAD works only on the
 * CPU whose VMCS is current, on SVM FS/GS/TR/LDTR and the SYSCALL MSRs are in the VMCB only
 * after the slow path's VMSAVE, CR2 (VMX), KERNEL_GS_BASE (VMX) and XINUSE are live in that
 * CPU's registers. Another CPU asks for it with vcpu_request_snapshot (hv/vcpu_request.h).
 */
#ifndef HV_GUEST_STATE_H
#define HV_GUEST_STATE_H

#include "hv/types.h"
#include "hv/virt_backend.h"

struct vcpu;

/* Segment registers in the order of enum guest_seg, then LDTR and TR. */
#define GUEST_SEG_LDTR 6
#define GUEST_SEG_TR 7
#define GUEST_SEG_COUNT 8

struct guest_state_seg {
	uint16_t sel;
	struct guest_segment hidden; /* attr in the VMX access-rights layout (virt_backend.h) */
};

struct guest_state_table {
	uint64_t base;
	uint32_t limit;
};

/* The event the next VM entry injects (SVM EVENTINJ, APM vol. 2 15.20; VMX VM-entry
 * interruption information, SDM vol. 3C 24.8.3), in the VMX layout: vector 7:0, type 10:8
 * (0 external interrupt, 2 NMI, 3 hardware exception, 4 software interrupt, 6 software
 * exception), error code valid 11, valid 31. */
struct guest_state_event {
	uint32_t info;
	uint32_t error_code;
};
#define GUEST_EVENT_VALID BIT(31)
#define GUEST_EVENT_HAS_ERROR BIT(11)
#define GUEST_EVENT_TYPE(info) (((info) >> 8) & 7)
#define GUEST_EVENT_VECTOR(info) ((info) & 0xff)

/* Highest number of MSR policy rules the snapshot keeps a value for (hv/msr_policy.c). */
#define GUEST_STATE_MSR_RULES 64

struct guest_state {
	/* General registers (rsp from the VMCB/VMCS, the rest as the exit stubs saved them). */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer, pat, dr6, dr7;
	struct guest_state_seg seg[GUEST_SEG_COUNT]; /* ES CS SS DS FS GS LDTR TR */
	struct guest_state_table gdtr, idtr;
	uint64_t kernel_gs_base, star, lstar, cstar, sfmask;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	unsigned cpl;
	unsigned cs_bits; /* 16, 32 or 64 */
	/* Events: the queued injection, the interrupt shadow (STI / MOV SS), blocking by NMI,
	 * and whether the guest waits in HLT. */
	struct guest_state_event queued;
	bool shadow, nmi_blocked, halted;
	/* Virtual local APIC: an NMI pending, the highest vector requested (-1: none). */
	bool nmi_pending;
	int irq_pending;
	/* Extended state (hv/xstate.h, SDM vol. 1 13): XCR0, IA32_XSS as the guest has it,
	 * IA32_XFD / IA32_XFD_ERR (when the CPU has XFD), XINUSE = XGETBV(1) (when the CPU
	 * has it: CPUID.(0xD,1).EAX[2]). */
	uint64_t xcr0, xss, xfd, xfd_err, xinuse;
	bool has_xfd, has_xinuse;
	/* MSR policy rules (hv/msr_policy.c msr_rules[], same index) that cover one MSR read
	 * emulated or from a VMCB/VMCS field: its current value when msr_ok[i]. */
	uint64_t msr_val[GUEST_STATE_MSR_RULES];
	bool msr_ok[GUEST_STATE_MSR_RULES];
	/* The host TSC when it was taken. */
	uint64_t taken_tsc;
};

/* On v's own CPU, in its slow path: the whole snapshot (the backend's part through its
 * snapshot op, the core's part here). */
void guest_state_take(struct vcpu *v, struct guest_state *st);
/* The guest's paging mode out of a snapshot (hv/guest_walk.h). */
void guest_state_mode(const struct guest_state *st, struct guest_mode *m);

#endif
