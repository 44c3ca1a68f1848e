/*
 * What happens on every SVM #VMEXIT: svm_run_loop (svm_run.asm) calls
 * svm_exit_fast_*(), which finishes CPUID, hypercall and port I/O exits on its
 * own; anything else goes to svm_exit_slow(), which turns the VMCB's exit
 * information into a struct vm_exit for the core and applies its answer.
 *
 * Host state. The guest's FS, GS, TR, LDTR, KERNEL_GS_BASE, STAR, LSTAR, CSTAR,
 * SFMASK and SYSENTER MSRs are loaded once with VMLOAD before the first VMRUN
 * and then simply stay in the CPU: VMRUN and #VMEXIT do not touch them (APM
 * vol. 2 15.5.2, 15.6), and this core runs nothing else. The hot path (the run
 * loop and svm_exit_fast_*) executes no VMSAVE, VMLOAD, RDMSR or WRMSR. This is
 * safe because the hypervisor never consumes that state: it runs at CPL 0 only
 * (no SYSCALL/SYSRET/SYSENTER, no SWAPGS), uses no FS/GS-relative addressing
 * (per-CPU data hangs off the stack, hv/percpu.h), and runs with GIF = 0, so no
 * interrupt or NMI arrives unasked and a machine check is held or shuts the CPU
 * down (APM vol. 2 15.17, table 15-10). The one exception is TR: #DF, NMI and #MC
 * are delivered on stacks named by the TSS's IST (arch/x86/cpu_tables.c), read
 * from whatever TSS TR holds. So svm_exit_slow, before it runs the core, saves
 * the guest's state with VMSAVE and loads the host's TR (LTR), and puts the
 * guest's back with VMLOAD before the next VMRUN; the NMI window it opens is
 * then served from the host's TSS. In the hot path only a #DF could consult the
 * guest's TSS, and only a fault while delivering another exception in that short
 * path raises one: docs/host-faults.md. GS-based per-CPU data, a ring-3 host
 * component or host interrupts with a privilege change would need the same
 * treatment for the state they consume.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/exc_error_code.h"
#include "arch/x86/smp.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/svm/svm_guest_code.h"
#include "hv/console.h"
#include "hv/exit_fast.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/vcpu.h"
#include "hv/vintr.h"
#include "hv/vio.h"

int svm_exit_slow(struct vcpu *v);
int svm_run_loop(struct vcpu *v, uint64_t vmcb_pa, int (*fast)(struct vcpu *, struct vmcb *));

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
	/* An event injected at the last VMRUN has been delivered: the exits finished here
	 * (CPUID, VMMCALL, IOIO intercepts) are taken at an instruction, never in the middle of
	 * an event delivery, and any other exit goes to the slow path, which queues a cut-off
	 * event again from EXITINTINFO (svm_events.c). */
	vmcb->control.event_inj = 0;
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


static uint64_t code_vector(const struct vmcb *vmcb)
{
	return (vmcb->control.exit_code - SVM_EXIT_EXCP_BASE) & 0x1f;
}

/*
 * The slow path runs on the host's TR (header comment, docs/host-faults.md): VMSAVE puts
 * the guest's FS, GS, TR, LDTR, KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK and SYSENTER
 * state into the VMCB (APM vol. 2 15.5.2), LTR loads the host's TSS, and VMLOAD brings
 * the guest's state back before the run loop's next VMRUN.
 */
static void host_tr_load(struct svm_vcpu *s)
{
	ACCT_HW(ACCT_VMSAVE);
	__asm__ __volatile__("vmsave %%rax" ::"a"(s->vmcb_pa) : "memory");
	cpu_tables_load_tr(s->cpu->tables);
}

static void guest_state_reload(struct svm_vcpu *s)
{
	ACCT_HW(ACCT_VMLOAD);
	__asm__ __volatile__("vmload %%rax" ::"a"(s->vmcb_pa) : "memory");
}

/* The core's answer, applied to the VMCB. 0: re-enter the guest; 1: the guest has ended. */
static int apply_exit(struct vcpu *v, struct svm_vcpu *s, struct vm_exit *e)
{
	struct vmcb *vmcb = s->vmcb;
	enum exit_action act = hv_handle_exit(v, e);
	vmcb->save.rax = v->gprs.rax;
	switch (act) {
	case ACT_SKIP:
		vmcb->save.rip += e->insn_len;
		vmcb->control.interrupt_shadow = 0;
		svm_events_after_skip(v, s);
		if (svm_guest_tf(s)) {
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
		/* #GP(0); in real mode without an error code, as on VMX (exc_error_code.h). */
		vmcb->control.event_inj = 13 | SVM_EVTINJ_EXCEPTION | SVM_EVTINJ_VALID;
		if (exc_has_error_code(13, vmcb->save.cr0))
			vmcb->control.event_inj |= SVM_EVTINJ_ERROR_VALID;
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

/*
 * #VMEXIT(NMI) and #VMEXIT(INTR) leave the event pending, held by GIF = 0 (APM vol. 2
 * 15.13, 15.21.9 table 15-13). GIF is opened until the host's handler has taken it (the
 * count moves: this CPU's NMIs or maskable interrupts, arch/x86/crash.c), then closed
 * again. The APM does not say that a held event is recognised at the very next
 * instruction boundary after STGI, so the window stays open until it is, for at most
 * HELD_EVENT_US; a window that closed too early would exit again at the next VMRUN. The
 * host's IF is 1 here (svm_vcpu_run), so both kinds can arrive in either window. Slow path
 * only.
 */
#define HELD_EVENT_US 100
static void take_held_event(uint64_t *count, const char *what)
{
	static bool bound_logged;
	uint64_t before = __atomic_load_n(count, __ATOMIC_RELAXED);
	__asm__ __volatile__("stgi" ::: "memory");
	if (__atomic_load_n(count, __ATOMIC_RELAXED) == before) {
		uint64_t end = rdtsc() + HELD_EVENT_US * tsc_per_us;
		while (__atomic_load_n(count, __ATOMIC_RELAXED) == before && rdtsc() < end)
			cpu_relax();
	}
	bool missed = __atomic_load_n(count, __ATOMIC_RELAXED) == before;
	__asm__ __volatile__("clgi" ::: "memory");
	if (missed && !__atomic_exchange_n(&bound_logged, true, __ATOMIC_RELAXED))
		hv_printf("hv: cpu %u: a held %s was not taken within %u us of STGI (logged once)\n",
			  this_cpu()->index, what, HELD_EVENT_US);
}

/*
 * Console lines queued on any CPU (hv/console.h) go out here, a FIFO's worth at most and
 * without waiting, with GIF = 1 so SMIs and NMIs are not held meanwhile (APM vol. 2 15.17)
 * and IF = 0 so a physical interrupt stays pending for the next VMRUN's INTR intercept. The
 * host's TR is loaded (host_tr_load), so an NMI here finds the host's NMI stack. Slow path
 * only, and only when something is queued.
 */
static void drain_console(void)
{
	if (!console_pending())
		return;
	__asm__ __volatile__("cli; stgi" ::: "memory");
	console_drain();
	__asm__ __volatile__("clgi; sti" ::: "memory");
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
	svm_decode_exit(s, v, &e); /* reads the VMCB and the guest's code bytes, nothing else */
	svm_events_exit(v, s, &e); /* re-queues a cut-off event; windows and the NMI step */
#ifdef HV_BENCH
	v->cur_kind = e.kind; /* the VMSAVE and VMLOAD are this exit's */
#endif
	host_tr_load(s);
	if ((uint32_t)vmcb->control.exit_code == SVM_EXIT_NMI)
		/* Let the held NMI be taken by the host's handler (on the NMI stack the host's TSS
		 * names), then close GIF again. */
		take_held_event(&this_cpu()->nmis, "NMI");
	else if ((uint32_t)vmcb->control.exit_code == SVM_EXIT_INTR)
		/* The same for a physical interrupt: its handler ends it (EOI). */
		take_held_event(&this_cpu()->host_irqs, "interrupt");
	int ended = apply_exit(v, s, &e);
	if (!ended)
		ended = vcpu_deliver_events(v); /* interrupts, NMIs, HLT-wait (hv/vintr.c) */
	if (!ended) {
		drain_console();
		guest_state_reload(s);
	}
	return ended;
}

void svm_vcpu_run(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	/* GIF = 0 holds every event while the hypervisor runs; IF = 1 from here on is what
	 * VMRUN saves as the host's IF, which lets physical interrupts be recognised while the
	 * guest runs, to exit by the INTR intercept (APM vol. 2 15.21.1, 15.13.1). */
	__asm__ __volatile__("clgi; sti" ::: "memory");
	ACCT_HW(ACCT_VMLOAD);
	__asm__ __volatile__("vmload %%rax" ::"a"(s->vmcb_pa) : "memory");
	exit_acct_start(v); /* what follows is the exit path */
	svm_run_loop(v, s->vmcb_pa, s->nrip ? svm_exit_fast_nrip : svm_exit_fast_decode);
	/* The guest has ended: IF back to 0 and GIF back to 1, or SMIs, NMIs and INIT aimed at
	 * this core would stay pending for good (APM vol. 2 15.17) and firmware SMI rendezvous,
	 * such as a reset or power-off done through SMM, would wait for it. */
	__asm__ __volatile__("cli; stgi" ::: "memory");
}

const struct virt_backend svm_backend = {
	.name = "svm",
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_reset = svm_vcpu_reset,
	.vcpu_run = svm_vcpu_run,
	.read_mode = svm_read_mode,
	.msr_field_read = svm_msr_field_read,
	.msr_field_write = svm_msr_field_write,
	.set_intercept = svm_set_intercept,
	.cpuid_caps = svm_vcpu_cpuid_caps,
	.debug_break_entry = svm_debug_break_entry,
	.event_state = svm_event_state,
	.inject_event = svm_inject_event,
	.request_window = svm_request_window,
	.wait_interrupt = svm_wait_interrupt,
	.read_segment = svm_read_segment,
	.inject_fault = svm_inject_fault,
	.snapshot = svm_snapshot,
	.gdb_regs = svm_gdb_regs,
	.gdb_dr_read = svm_gdb_dr_read,
	.gdb_dr_write = svm_gdb_dr_write,
	.gdb_arm = svm_gdb_arm,
};
