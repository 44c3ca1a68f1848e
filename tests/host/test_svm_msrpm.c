#include "arch/x86/msr_index.h"
#include "arch/x86/svm/svm_msrpm.h"
#include "hv/msr_policy.h"
#include "tests/host/harness.h"
#include "tests/host/msr_map_check.h"

static uint8_t msrpm[SVM_MSRPM_SIZE];

/* The generated map must say exactly what the policy table says, MSR by MSR. */
TEST(svm_msrpm_matches_policy_table_bit_for_bit)
{
	svm_msrpm_build(msrpm);
	static const uint32_t bases[] = { 0, 0xc0000000u, 0xc0010000u };
	CHECK_EQ(msr_map_mismatches(msrpm, svm_msrpm_intercepts, bases, 3), 0);
	CHECK(!svm_msrpm_intercepts(msrpm, MSR_LSTAR, false));
	CHECK(!svm_msrpm_intercepts(msrpm, MSR_LSTAR, true));
	CHECK(!svm_msrpm_intercepts(msrpm, MSR_TSC, false));
	CHECK(svm_msrpm_intercepts(msrpm, MSR_TSC, true));
	CHECK(svm_msrpm_intercepts(msrpm, MSR_EFER, false));
	CHECK(svm_msrpm_intercepts(msrpm, MSR_VM_HSAVE_PA, true));
	CHECK(svm_msrpm_intercepts(msrpm, 0x12345678, false)); /* outside the map */
}
