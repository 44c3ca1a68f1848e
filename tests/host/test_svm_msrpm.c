#include "arch/x86/msr_index.h"
#include "arch/x86/svm/svm_msrpm.h"
#include "hv/msr_policy.h"
#include "tests/host/harness.h"

static uint8_t msrpm[SVM_MSRPM_SIZE];

/* The generated map must say exactly what the policy table says, MSR by MSR. */
TEST(svm_msrpm_matches_policy_table_bit_for_bit)
{
	svm_msrpm_build(msrpm);
	static const uint32_t bases[] = { 0, 0xc0000000u, 0xc0010000u };
	unsigned mismatches = 0;
	for (int b = 0; b < 3; b++) {
		for (uint32_t msr = bases[b]; msr < bases[b] + 0x2000; msr++) {
			for (int w = 0; w < 2; w++) {
				bool want = msr_handling_for(msr, w) != MSR_PASSTHROUGH;
				if (svm_msrpm_intercepts(msrpm, msr, w) != want)
					mismatches++;
			}
		}
	}
	CHECK_EQ(mismatches, 0);
	CHECK(!svm_msrpm_intercepts(msrpm, MSR_LSTAR, false));
	CHECK(!svm_msrpm_intercepts(msrpm, MSR_LSTAR, true));
	CHECK(!svm_msrpm_intercepts(msrpm, MSR_TSC, false));
	CHECK(svm_msrpm_intercepts(msrpm, MSR_TSC, true));
	CHECK(svm_msrpm_intercepts(msrpm, MSR_EFER, false));
	CHECK(svm_msrpm_intercepts(msrpm, MSR_VM_HSAVE_PA, true));
	CHECK(svm_msrpm_intercepts(msrpm, 0x12345678, false)); /* outside the map */
}
