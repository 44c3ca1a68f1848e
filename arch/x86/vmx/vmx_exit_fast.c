/*
 * The VMX fast path, the mirror of svm_exit_fast_*() (arch/x86/svm/svm_exit.c):
 * vmx_run_loop (vmx_run.asm) calls it on every VM exit with the guest's volatile
 * GPRs saved; it finishes CPUID, hypercall and port I/O exits on its own and
 * returns 0 to resume the guest, or 1 for vmx_exit_slow(). Its only VMCS accesses
 * are the VMREADs of the exit information and the one VMWRITE that advances the
 * guest's RIP: no host state, no MSR, no extended state.
 */
#include "arch/x86/vmx/vmx.h"
#include "hv/exit_fast.h"
#include "hv/vcpu.h"
#include "hv/vio.h"

int vmx_exit_fast(struct vcpu *v);

#ifdef HV_BENCH
/* The autoload list entries the CPU processes at every VM exit (store the guest list
 * without its load-only tail, load the host list) and VM entry (load the guest list): SDM
 * vol. 3C 27.4, 27.6, 26.4. Each costs about an RDMSR/WRMSR; counted apart from the
 * hypervisor's own MSR accesses (autoload=N in the bench lines). */
void vmx_acct_exit(struct vcpu *v, enum exit_kind kind)
{
	const struct vmx_vcpu *x = v->arch;
	v->cur_kind = kind;
	/* Straight into the counter (this runs only on the exit path, with accounting live):
	 * the same few instructions whether the lists are empty or not, so the bench lines
	 * with and without them differ only by what the lists really change. */
	v->costs[kind].autoload += x->autoload_per_exit;
}
#endif

/* Past the instruction that exited; its length is in the VMCS for every instruction
 * exit (27.2.5). */
static inline __attribute__((always_inline)) void skip(struct vcpu *v)
{
	vmx_advance_rip(v->arch, vmread(VMCS_EXIT_INSN_LEN));
}

int vmx_exit_fast(struct vcpu *v)
{
	/* Basic exit reasons only: an entry failure (bit 31) never matches. */
	uint64_t reason = vmread(VMCS_EXIT_REASON);
#ifdef HV_BENCH
	if (v->floor_left && reason == VMX_EXIT_CPUID) {
		/* the do-nothing exit the benchmark compares against (a CPUID loop) */
		v->floor_left--;
		v->cur_kind = EXIT_UNKNOWN; /* its VMWRITE is charged to no reported kind */
		vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + v->floor_len);
		return 0;
	}
#endif
	if (reason == VMX_EXIT_CPUID) {
		ACCT_EXIT(v, EXIT_CPUID);
		/* CPUID.1:ECX.OSXSAVE mirrors CR4.OSXSAVE, a bit the guest owns (vmx_cr.c). */
		uint64_t cr4 = (uint32_t)v->gprs.rax == 1 ? vmread(VMCS_GUEST_CR4) : 0;
		if (!hv_fast_cpuid(v, &v->gprs.rax, cr4))
			return 1;
		skip(v);
		return 0;
	}
	if (reason == VMX_EXIT_VMCALL) {
		ACCT_EXIT(v, EXIT_HYPERCALL);
		if (!hv_fast_hypercall(v, &v->gprs.rax))
			return 1;
		skip(v);
		return 0;
	}
	if (reason == VMX_EXIT_IO) {
		/* Exit qualification for I/O instructions (table 27-5): string and REP forms
		 * need the general path. */
		uint64_t q = vmread(VMCS_EXIT_QUALIFICATION);
		if (q & (BIT(4) | BIT(5)))
			return 1;
		ACCT_EXIT(v, EXIT_IO);
		if (vio_access(v, &v->gprs.rax, (uint16_t)(q >> 16), (unsigned)(q & 7) + 1, q & BIT(3)) !=
		    ACT_SKIP)
			return 1; /* the exit port: the slow path sees the guest has ended */
		v->exits[EXIT_IO]++;
		skip(v);
		return 0;
	}
	return 1;
}
