/* What each backend reports to the CPUID feature table: which promised instructions run in
 * its guests and which CR4 bits they may set (svm_intercepts.c, vmx_controls.c). */
#include <string.h>
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm_intercepts.h"
#include "arch/x86/vmx/vmx_controls.h"
#include "arch/x86/vmx/vmx_vmcs.h"
#include "hv/cpuid_features.h"
#include "tests/host/harness.h"

TEST(svm_intercepts_invlpgb_tlbsync_where_the_cpu_has_them)
{
	struct vmcb_control c;
	memset(&c, 0, sizeof(c));
	svm_intercepts_init(&c, true);
	CHECK_EQ(c.intercept_misc3, SVM_INTERCEPT3_INVLPGB | SVM_INTERCEPT3_INVLPGB_ILLEGAL |
					    SVM_INTERCEPT3_TLBSYNC);
	CHECK((c.intercept_misc2 & (SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT)) ==
	      (SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT));
	memset(&c, 0, sizeof(c));
	svm_intercepts_init(&c, false);
	CHECK_EQ(c.intercept_misc3, 0); /* reserved on CPUs without INVLPGB */
}

TEST(svm_cpuid_caps_follow_the_intercepts)
{
	struct vmcb_control c;
	struct cpuid_backend_caps caps;
	memset(&c, 0, sizeof(c));
	svm_intercepts_init(&c, true);
	svm_cpuid_caps(&c, &caps);
	CHECK_EQ(caps.insns, CPUID_INSN_RDTSCP | CPUID_INSN_RDPID | CPUID_INSN_INVPCID | CPUID_INSN_XSAVES);
	CHECK_EQ(caps.cr4, ~0ull); /* CR4 writes are not intercepted */
	c.intercept_misc2 &= ~(SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT);
	c.intercept_misc2 |= SVM_INTERCEPT_RDTSCP;
	c.intercept_misc3 |= SVM_INTERCEPT3_INVPCID;
	svm_cpuid_caps(&c, &caps);
	CHECK_EQ(caps.insns, CPUID_INSN_RDPID | CPUID_INSN_XSAVES | CPUID_INSN_MONITOR | CPUID_INSN_MONITORX);
}

TEST(vmx_cpuid_caps_follow_the_enabling_controls)
{
	struct vmx_controls c = { .proc = PROC_MONITOR_EXITING | PROC_MWAIT_EXITING };
	struct cpuid_backend_caps caps;
	vmx_cpuid_caps(&c, ~0ull, &caps);
	CHECK_EQ(caps.insns, 0);
	CHECK_EQ(caps.cr4, ~(uint64_t)CR4_VMXE);
	static const struct {
		uint32_t proc2, insns;
	} one[] = {
		{ PROC2_ENABLE_RDTSCP, CPUID_INSN_RDTSCP | CPUID_INSN_RDPID },
		{ PROC2_ENABLE_INVPCID, CPUID_INSN_INVPCID },
		{ PROC2_ENABLE_XSAVES, CPUID_INSN_XSAVES },
		{ PROC2_ENABLE_USER_WAIT_PAUSE, CPUID_INSN_WAITPKG },
		{ PROC2_ENABLE_PCONFIG, CPUID_INSN_PCONFIG },
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		c.proc2 = one[i].proc2;
		vmx_cpuid_caps(&c, 0x7ff, &caps);
		CHECK_EQ(caps.insns, one[i].insns);
		CHECK_EQ(caps.cr4, 0x7ff);
	}
	/* INVPCID exits when "INVLPG exiting" is set; TPAUSE/UMWAIT when "RDTSC exiting" is. */
	c.proc2 = PROC2_ENABLE_INVPCID | PROC2_ENABLE_USER_WAIT_PAUSE;
	c.proc |= PROC_INVLPG_EXITING | PROC_RDTSC_EXITING;
	vmx_cpuid_caps(&c, 0, &caps);
	CHECK_EQ(caps.insns, 0);
}

TEST(vmx_computed_controls_enable_rdtscp_invpcid_xsaves_not_waitpkg)
{
	struct vmx_caps caps = {
		.basic = 1ull << 55,
		.pin = ~0ull << 32,
		.proc = ~0ull << 32,
		.proc2 = ~0ull << 32,
		.exit = ~0ull << 32,
		.entry = ~0ull << 32,
		.ept_vpid = EPT_CAP_WALK_4 | EPT_CAP_WB | EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL |
			    VPID_CAP_INVVPID | VPID_CAP_INVVPID_ALL,
	};
	struct vmx_controls c;
	char err[128];
	REQUIRE(vmx_controls_compute(&caps, &c, err, sizeof(err)) == 0);
	struct cpuid_backend_caps cc;
	vmx_cpuid_caps(&c, ~0ull, &cc);
	CHECK_EQ(cc.insns, CPUID_INSN_RDTSCP | CPUID_INSN_RDPID | CPUID_INSN_INVPCID | CPUID_INSN_XSAVES);
	/* Without the optional controls, the instructions are not promised. */
	caps.proc2 &= ~((uint64_t)(PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID | PROC2_ENABLE_XSAVES) << 32);
	REQUIRE(vmx_controls_compute(&caps, &c, err, sizeof(err)) == 0);
	vmx_cpuid_caps(&c, ~0ull, &cc);
	CHECK_EQ(cc.insns, 0);
}
