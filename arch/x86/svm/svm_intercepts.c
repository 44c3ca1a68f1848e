/* SVM guest intercepts (AMD APM vol. 2 15.9-15.14, appendix B table B-1). */
#include "arch/x86/svm/svm_intercepts.h"
#include "hv/cpuid_features.h"

void svm_intercepts_init(struct vmcb_control *c, bool has_invlpgb)
{
	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID |
			     SVM_INTERCEPT_RSM | SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT |
			     SVM_INTERCEPT_INVLPGA_MISC1 | SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
			     SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_RDPMC;
	/* VMRUN must be intercepted (APM vol. 2 15.5.1); the other SVM instructions would let
	 * the guest touch host state or GIF, so they end the guest. XSETBV is intercepted so
	 * the XCR0 policy holds on hardware (QEMU TCG ignores this intercept). The MONITOR and
	 * MWAIT intercepts also catch MONITORX/MWAITX (APM vol. 3 MONITORX, MWAITX). */
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV | SVM_INTERCEPT_MONITOR |
			     SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_MWAIT_ARMED | SVM_INTERCEPT_WBINVD;
	/* WBINVD/WBNOINVD, INVD and RDPMC are carried out by the core on the guest's own
	 * partition, as on VMX (hv/cache_pmu_insn.c, docs/cache-and-pmu.md). QEMU 7.2 TCG
	 * takes the INVD intercept only with the WBINVD bit set, and reports it as WBINVD. */
	/* INVLPGB/TLBSYNC broadcast TLB invalidations to every core, the other partitions'
	 * included: intercepted (and answered with #UD) where the CPU has them (APM vol. 2
	 * 15.9; the bits are reserved, so left 0, on CPUs without INVLPGB). */
	c->intercept_misc3 = has_invlpgb ? SVM_INTERCEPT3_INVLPGB | SVM_INTERCEPT3_INVLPGB_ILLEGAL |
						   SVM_INTERCEPT3_TLBSYNC
					 : 0;
	/* #DB and #AC: see hv_handle_exit (microcode-loop denial of service). */
	c->intercept_exc = BIT(1) | BIT(17);
	/* Physical interrupts are the host's: the guest's RFLAGS.IF masks only virtual ones
	 * (V_INTR_MASKING, APM vol. 2 15.21.1), the host's IF (1 while a guest runs,
	 * svm_vcpu_run) lets them be recognised, and the INTR intercept turns each into a
	 * #VMEXIT with the interrupt held pending for the host (15.13): never delivered
	 * through the guest's IDT (docs/interrupts-at-takeover.md). */
	c->vintr = SVM_VINTR_MASKING;
}

void svm_cpuid_caps(const struct vmcb_control *c, struct cpuid_backend_caps *out)
{
	/* Without an intercept these run natively in the guest (SVM has no enabling controls
	 * for them); INVLPGB/TLBSYNC are never promised: intercepted, or absent. */
	uint32_t insns = CPUID_INSN_RDTSCP | CPUID_INSN_RDPID | CPUID_INSN_INVPCID |
			 CPUID_INSN_XSAVES | CPUID_INSN_MONITOR | CPUID_INSN_MONITORX;
	if (c->intercept_misc2 & SVM_INTERCEPT_RDTSCP)
		insns &= ~(uint32_t)CPUID_INSN_RDTSCP;
	if (c->intercept_misc3 & SVM_INTERCEPT3_INVPCID)
		insns &= ~(uint32_t)CPUID_INSN_INVPCID;
	if (c->intercept_misc2 & (SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT))
		insns &= ~(uint32_t)(CPUID_INSN_MONITOR | CPUID_INSN_MONITORX);
	out->insns = insns;
	/* CR4 writes are not intercepted (intercept_cr write bit 4): the guest may set every
	 * bit the CPU implements. */
	out->cr4 = (c->intercept_cr & BIT(16 + 4)) ? 0 : ~0ull;
}
