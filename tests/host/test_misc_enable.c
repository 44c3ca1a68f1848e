/* IA32_MISC_ENABLE as the guest sees it: the bits real CPUs let software change (SDM vol. 4
 * table 2-2) are accepted and take effect on the guest's CPUID; the rest #GP. */
#include "arch/x86/msr_index.h"
#include "hv/msr_policy.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

#define RESET_VALUE (BIT(0) | BIT(11) | BIT(12))

TEST(misc_enable_writable_bits_follow_the_sdm)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	uint64_t val;
	CHECK_EQ(msr_emulate_read(v, MSR_MISC_ENABLE, &val), 0);
	CHECK_EQ(val, RESET_VALUE);
	/* Fast strings (0) and TCC (3): R/W, kept per guest. */
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, RESET_VALUE & ~BIT(0)), 0);
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, RESET_VALUE | BIT(3)), 0);
	CHECK_EQ(msr_emulate_read(v, MSR_MISC_ENABLE, &val), 0);
	CHECK_EQ(val, RESET_VALUE | BIT(3));
	/* Read-only bits and bits whose CPUID condition the guest does not meet: #GP. */
	static const unsigned refused[] = { 1, 2, 4, 7, 11, 12, 13, 16, 18, 23, 24, 35, 38, 63 };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, val ^ BIT(refused[i])), -1);
	CHECK_EQ(msr_emulate_read(v, MSR_MISC_ENABLE, &val), 0);
	CHECK_EQ(val, RESET_VALUE | BIT(3)); /* a refused write changes nothing */
	/* Writing the current value back is always fine. */
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, val), 0);
	fake_vcpu_free(v);
}

TEST(misc_enable_limit_cpuid_and_xd_disable_change_the_guest_cpuid)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	uint32_t max = cpuid_lookup(&v->cpuid, 0, 0).eax;
	REQUIRE(max > 2);
	REQUIRE(cpuid_lookup(&v->cpuid, 0x80000001u, 0).edx & BIT(20));
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, RESET_VALUE | BIT(22)), 0);
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0, 0).eax, 2);
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, RESET_VALUE | BIT(22) | BIT(34)), 0);
	CHECK(!(cpuid_lookup(&v->cpuid, 0x80000001u, 0).edx & BIT(20)));
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, RESET_VALUE), 0);
	CHECK_EQ(cpuid_lookup(&v->cpuid, 0, 0).eax, max);
	CHECK(cpuid_lookup(&v->cpuid, 0x80000001u, 0).edx & BIT(20));
	/* Without NX in the guest's CPUID, XD Bit Disable does not exist. */
	v->cpuid.nx_offered = false;
	v->cpuid.ext[1].edx &= ~BIT(20);
	CHECK_EQ(msr_emulate_write(v, MSR_MISC_ENABLE, RESET_VALUE | BIT(34)), -1);
	fake_vcpu_free(v);
}
