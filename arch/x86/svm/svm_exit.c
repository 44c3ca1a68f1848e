/*
 * What happens on every SVM #VMEXIT: svm_run_loop (svm_run.asm) calls
 * svm_exit_fast_*(), which finishes CPUID, hypercall and port I/O exits on its
 * own; anything else goes to svm_exit_slow(), which turns the VMCB's exit
 * information into a struct vm_exit for the core and applies its answer.
 *
 * Host state. The guest's FS, GS, TR, LDTR, KERNEL_GS_BASE, STAR, LSTAR, CSTAR,
 * SFMASK and SYSENTER MSRs are loaded once with VMLOAD before the first VMRUN
 * and then simply stay in the CPU: VMRUN and #VMEXIT do not touch them (APM
 * vol. 2 15.5.2, 15.6), and this core runs nothing else. No exit path executes
 * VMSAVE, VMLOAD, RDMSR or WRMSR. This is safe because the hypervisor never
 * consumes any of that state: it runs at CPL 0 only (no SYSCALL/SYSRET/SYSENTER,
 * no SWAPGS), uses no FS/GS-relative addressing (per-CPU data hangs off the
 * stack, hv/percpu.h), takes exceptions through IST-free gates on its current
 * stack (so the guest's TR is never consulted), and runs with GIF = 0 so no
 * interrupt or NMI arrives unasked. Using IST stacks, GS-based per-CPU data, a
 * ring-3 host component, or host interrupts with a privilege change would break
 * it: each would need the host's values back (VMSAVE guest, VMLOAD host) first.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "hv/exit_fast.h"
#include "hv/lib.h"
#include "hv/vcpu.h"
#include "hv/vio.h"

int svm_exit_slow(struct vcpu *v);
int svm_run_loop(struct vcpu *v, uint64_t vmcb_pa, int (*fast)(struct vcpu *, struct vmcb *));

/*
 * Advance RIP past an intercepted instruction whose encoding is known. With NRIP
 * save (APM vol. 2 15.7.1) the CPU says where the next instruction is. Without it
 * (QEMU TCG) the bytes at CS:RIP are compared with the expected encoding while the
 * guest runs with paging off; anything else (prefixes, paging on) is left to the
 * general path, which decodes the instruction.
 */
static inline bool encoding_at_rip(struct vmcb *vmcb, struct vcpu *v, uint32_t code, uint32_t len)
{
	if (vmcb->save.cr0 & CR0_PG)
		return false;
	uint64_t lin = (vmcb->save.cs.base + vmcb->save.rip) & 0xffffffffull;
	if (lin + 4 > v->mem.size)
		return false;
	uint32_t bytes;
	/* __builtin_memcpy: -ffreestanding would otherwise make this a call. */
	__builtin_memcpy(&bytes, v->mem.base + lin, 4);
	return (bytes & ((1u << (8 * len)) - 1)) == code;
}

/* Can the instruction be skipped without decoding it? Checked before the fast path changes
 * any guest state: an exit it cannot finish must reach the slow path untouched. */
static inline bool can_skip(bool nrip, struct vmcb *vmcb, struct vcpu *v, uint32_t code, uint32_t len)
{
	return nrip || encoding_at_rip(vmcb, v, code, len);
}

static inline void skip(bool nrip, struct vmcb *vmcb, uint32_t len)
{
	vmcb->control.interrupt_shadow = 0;
	if (nrip)
		vmcb->save.rip = vmcb->control.next_rip;
	else
		vmcb->save.rip += len;
}

/* Port I/O: EXITINFO1 (APM vol. 2 15.10.2); EXITINFO2 is always the next RIP. Kept out of
 * svm_exit_fast() so that one stays a leaf function with no stack frame. */
static __attribute__((noinline)) int exit_io(struct vcpu *v, struct vmcb *vmcb)
{
	uint64_t info1 = vmcb->control.exit_info1;
	if (info1 & BIT(2)) /* INS/OUTS */
		return 1;
#ifdef HV_BENCH
	v->cur_kind = EXIT_IO;
#endif
	unsigned size = (info1 & BIT(4)) ? 1 : (info1 & BIT(5)) ? 2 : 4;
	if (vio_access(v, &vmcb->save.rax, (uint16_t)(info1 >> 16), size, info1 & 1) != ACT_SKIP)
		return 1; /* the exit port: the slow path sees the guest has ended and counts the exit */
	v->exits[EXIT_IO]++;
	vmcb->save.rip = vmcb->control.exit_info2;
	vmcb->control.interrupt_shadow = 0;
	return 0;
}

/*
 * 0: handled, re-enter the guest; 1: take the slow path. The hottest exits are
 * tested first. The VMCB arrives from the run loop (identity mapped, so its
 * physical address is its address) and there is one variant per NRIP ability,
 * chosen once in svm_vcpu_run: every instruction here is paid on every exit.
 */
static inline int exit_fast(struct vcpu *v, struct vmcb *vmcb, const bool nrip)
{
	vmcb->control.event_inj = 0; /* an event injected at the last VMRUN has been delivered */
#ifdef HV_BENCH
	if (v->floor_left && vmcb->control.exit_code == SVM_EXIT_CPUID) {
		/* the do-nothing exit the benchmark compares against (a CPUID loop) */
		v->floor_left--;
		vmcb->save.rip += v->floor_len;
		return 0;
	}
#endif
	if (__builtin_expect(vmcb->save.rflags & RFLAGS_TF, 0))
		return 1; /* single-stepping: the slow path adds the #DB after the instruction */
	uint64_t code = vmcb->control.exit_code;
	if (code == SVM_EXIT_VMMCALL) {
#ifdef HV_BENCH
		v->cur_kind = EXIT_HYPERCALL;
#endif
		if (!can_skip(nrip, vmcb, v, 0xd9010f, 3) || !hv_fast_hypercall(v, &vmcb->save.rax))
			return 1;
		skip(nrip, vmcb, 3);
		return 0;
	}
	if (code == SVM_EXIT_CPUID) {
#ifdef HV_BENCH
		v->cur_kind = EXIT_CPUID;
#endif
		if (!can_skip(nrip, vmcb, v, 0xa20f, 2) ||
		    !hv_fast_cpuid(v, &vmcb->save.rax, vmcb->save.cr4))
			return 1;
		skip(nrip, vmcb, 2);
		return 0;
	}
	if (code == SVM_EXIT_IOIO)
		return exit_io(v, vmcb);
	return 1;
}

int svm_exit_fast_nrip(struct vcpu *v, struct vmcb *vmcb);
int svm_exit_fast_nrip(struct vcpu *v, struct vmcb *vmcb)
{
	return exit_fast(v, vmcb, true);
}

int svm_exit_fast_decode(struct vcpu *v, struct vmcb *vmcb);
int svm_exit_fast_decode(struct vcpu *v, struct vmcb *vmcb)
{
	return exit_fast(v, vmcb, false);
}

static const char *forbidden_name(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_VMRUN:
		return "VMRUN";
	case SVM_EXIT_VMLOAD:
		return "VMLOAD";
	case SVM_EXIT_VMSAVE:
		return "VMSAVE";
	case SVM_EXIT_STGI:
		return "STGI";
	case SVM_EXIT_CLGI:
		return "CLGI";
	case SVM_EXIT_SKINIT:
		return "SKINIT";
	case SVM_EXIT_INVLPGA:
		return "INVLPGA";
	case SVM_EXIT_INVD:
		return "INVD";
	case SVM_EXIT_RSM:
		return "RSM";
	default:
		return NULL;
	}
}

/* The length of the unprefixed encoding of an intercepted instruction, if that is what the
 * guest executed; 0 otherwise. */
static uint32_t known_len(struct vmcb *vmcb, struct vcpu *v, uint64_t code)
{
	static const struct {
		uint16_t exit;
		uint8_t len;
		uint32_t bytes;
	} known[] = {
		{ SVM_EXIT_CPUID, 2, 0xa20f },	  { SVM_EXIT_VMMCALL, 3, 0xd9010f },
		{ SVM_EXIT_MSR, 2, 0x320f },	  { SVM_EXIT_MSR, 2, 0x300f },
		{ SVM_EXIT_HLT, 1, 0xf4 },	  { SVM_EXIT_XSETBV, 3, 0xd1010f },
	};
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (known[i].exit == code && encoding_at_rip(vmcb, v, known[i].bytes, known[i].len))
			return known[i].len;
	return 0;
}

static void decode_exit(struct svm_vcpu *s, struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vmcb = s->vmcb;
	uint64_t code = vmcb->control.exit_code;
	uint64_t info1 = vmcb->control.exit_info1, info2 = vmcb->control.exit_info2;
	memset(e, 0, sizeof(*e));
	e->arch_code = code;
	/* nRIP when the CPU saves it; else the plain encoding if that is what sits at RIP;
	 * else 0 and the core decodes the instruction. */
	if (s->nrip && vmcb->control.next_rip > vmcb->save.rip)
		e->insn_len = (uint32_t)(vmcb->control.next_rip - vmcb->save.rip);
	else if (known_len(vmcb, v, code))
		e->insn_len = known_len(vmcb, v, code);
	/* VMEXIT_INVALID is -1 in the 64-bit EXITCODE (APM vol. 2 15.5.1, appendix C); QEMU
	 * 7.2 TCG stores it zero-extended from 32 bits. Either way it is the failed VMRUN. */
	if ((uint32_t)code == (uint32_t)SVM_EXIT_INVALID)
		code = SVM_EXIT_INVALID;
	switch (code) {
	case SVM_EXIT_CPUID:
		e->kind = EXIT_CPUID;
		return;
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		return;
	case SVM_EXIT_IOIO:
		e->kind = EXIT_IO;
		e->io.in = info1 & 1;
		e->io.string = info1 & BIT(2);
		e->io.rep = info1 & BIT(3);
		e->io.size = (info1 & BIT(4)) ? 1 : (info1 & BIT(5)) ? 2 : 4;
		e->io.port = (uint16_t)(info1 >> 16);
		e->insn_len = (uint32_t)(info2 - vmcb->save.rip);
		return;
	case SVM_EXIT_MSR:
		e->kind = info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (uint32_t)v->gprs.rcx;
		return;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		return;
	case SVM_EXIT_XSETBV:
		e->kind = EXIT_XSETBV;
		return;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_SHUTDOWN;
		return;
	case SVM_EXIT_NPF:
		/* EXITINFO1 is a #PF-style error code, EXITINFO2 the faulting guest-physical address. */
		e->kind = EXIT_NPF;
		e->npf.gpa = info2;
		e->npf.present = info1 & BIT(0);
		e->npf.write = info1 & BIT(1);
		e->npf.fetch = info1 & BIT(4);
		return;
	case SVM_EXIT_NMI:
		/* Let the NMI be taken by the host's handler, then close GIF again. */
		__asm__ __volatile__("stgi; clgi" ::: "memory");
		e->kind = EXIT_HOST_EVENT;
		return;
	case SVM_EXIT_INVALID:
		e->kind = EXIT_BAD_STATE;
		e->name = "VMRUN consistency checks failed (APM vol. 2 15.5.1)";
		e->bad.qualification = info1;
		return;
	case SVM_EXIT_INIT:
		e->kind = EXIT_UNKNOWN;
		e->name = "INIT signal";
		return;
	case SVM_EXIT_EXCP_BASE + 1:  /* #DB */
	case SVM_EXIT_EXCP_BASE + 7:  /* #NM, intercepted only while the guest's XFD is live */
	case SVM_EXIT_EXCP_BASE + 17: /* #AC */
		e->kind = EXIT_EXCEPTION;
		e->exc.vector = (uint8_t)(code - SVM_EXIT_EXCP_BASE);
		return;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_ARMED:
		e->kind = EXIT_HIDDEN_INSN;
		e->name = code == SVM_EXIT_MONITOR ? "MONITOR" : "MWAIT";
		return;
	default:
		e->name = forbidden_name(code);
		e->kind = e->name ? EXIT_FORBIDDEN : EXIT_UNKNOWN;
		if (!e->name)
			e->name = code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_INTR ? "exception intercept"
										: "SVM exit";
		return;
	}
}

static uint64_t code_vector(const struct vmcb *vmcb)
{
	return (vmcb->control.exit_code - SVM_EXIT_EXCP_BASE) & 0x1f;
}

/* 0: re-enter the guest; 1: the guest has ended. */
int svm_exit_slow(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	/* Everything the last VMRUN loaded is now cached: mark it clean (APM vol. 2 15.15);
	 * handlers below clear the bits of what they change. No more TLB flushes. */
	vmcb->control.clean = SVM_CLEAN_ALL;
	vmcb->control.tlb_control = 0;
	vmcb->control.event_inj = 0;
	v->gprs.rax = vmcb->save.rax;

	struct vm_exit e;
	decode_exit(s, v, &e);
	enum exit_action act = hv_handle_exit(v, &e);
	vmcb->save.rax = v->gprs.rax;
	switch (act) {
	case ACT_SKIP:
		vmcb->save.rip += e.insn_len;
		vmcb->control.interrupt_shadow = 0;
		if (vmcb->save.rflags & RFLAGS_TF) {
			/* The instruction the hypervisor carried out ends in a single-step trap, as
			 * on bare metal (vol. 3A 17.3.1.4): DR6.BS, then #DB. */
			vmcb->save.dr6 |= DR6_BS;
			vmcb->control.clean &= ~SVM_CLEAN_DR;
			vmcb->control.event_inj = 1 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
		}
		return 0;
	case ACT_REFLECT: {
		/* An intercepted #DB or #AC, back to the guest unchanged. #DB has already updated
		 * the guest's DR6 (APM vol. 2 15.12); #AC's error code is in EXITINFO1. */
		uint64_t vector = code_vector(vmcb);
		vmcb->control.event_inj = vector | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
		if (vector == 17)
			vmcb->control.event_inj |= SVM_EVTINJ_ERROR_VALID | (vmcb->control.exit_info1 << 32);
		return 0;
	}
	case ACT_INJECT_GP:
		vmcb->control.event_inj =
			13 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_ERROR_VALID | SVM_EVTINJ_VALID;
		return 0;
	case ACT_INJECT_UD:
		vmcb->control.event_inj = 6 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
		return 0;
	case ACT_INJECT_NM:
		vmcb->control.event_inj = 7 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
		return 0;
	case ACT_RESUME:
		return 0;
	case ACT_STOP:
	default:
		return 1;
	}
}

void svm_vcpu_run(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	__asm__ __volatile__("clgi" ::: "memory");
	ACCT_HW(ACCT_VMLOAD);
	__asm__ __volatile__("vmload %%rax" ::"a"(s->vmcb_pa) : "memory");
	exit_acct_start(v); /* what follows is the exit path */
	svm_run_loop(v, s->vmcb_pa, s->nrip ? svm_exit_fast_nrip : svm_exit_fast_decode);
	/* The guest has ended: GIF back to 1 (IF stays 0), or SMIs, NMIs and INIT aimed at this
	 * core would stay pending for good (APM vol. 2 15.17) and firmware SMI rendezvous, such
	 * as a reset or power-off done through SMM, would wait for it. */
	__asm__ __volatile__("stgi" ::: "memory");
}

const struct virt_backend svm_backend = {
	.name = "svm",
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_run = svm_vcpu_run,
	.read_mode = svm_read_mode,
	.msr_field_read = svm_msr_field_read,
	.msr_field_write = svm_msr_field_write,
	.set_intercept = svm_set_intercept,
	.debug_break_entry = svm_debug_break_entry,
};
