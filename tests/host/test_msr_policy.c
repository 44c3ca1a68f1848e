/* The MSR policy table itself: well-formed, documented, and its emulated MSRs behave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86/msr_index.h"
#include "hv/msr_policy.h"
#include "tests/host/doc_check.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

TEST(msr_table_sorted_disjoint_and_complete)
{
	for (size_t i = 0; i < msr_rule_count; i++) {
		const struct msr_rule *r = &msr_rules[i];
		CHECK(r->first <= r->last);
		CHECK(r->name && r->svm && r->vmx && r->why);
		if (i)
			CHECK(msr_rules[i - 1].last < r->first);
	}
	/* The MSRs the hypervisor itself depends on are never given to a guest. */
	static const uint32_t host_owned[] = { MSR_VM_CR, MSR_VM_HSAVE_PA, MSR_FEATURE_CONTROL,
					       MSR_VMX_BASIC, 0x48b, 0x79, 0x9e, 0xc0010112 };
	for (size_t i = 0; i < sizeof(host_owned) / sizeof(host_owned[0]); i++) {
		CHECK_EQ(msr_handling_for(host_owned[i], false), MSR_DENY);
		CHECK_EQ(msr_handling_for(host_owned[i], true), MSR_DENY);
	}
	CHECK_EQ(msr_handling_for(0x12345678, false), MSR_DENY);
}

TEST(msr_doc_matches_table)
{
	bool same = false;
	char *gen = doc_generate_and_compare("docs/msr-policy.md", msr_policy_markdown, &same);
	REQUIRE(gen != NULL); /* run from the repository root */
	CHECK(same); /* if this fails: make msr-doc */
	CHECK(strstr(gen, "| 0xe1 | UMWAIT_CONTROL | emulated | emulated |") != NULL);
	free(gen);
}

TEST(msr_umwait_control_is_emulated_never_loaded)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	uint64_t val;
	CHECK_EQ(msr_emulate_read(v, 0xe1, &val), 0);
	CHECK_EQ(val, 0x186a0);
	CHECK_EQ(msr_emulate_write(v, 0xe1, 0x1000 | 1), 0);
	CHECK_EQ(msr_emulate_read(v, 0xe1, &val), 0);
	CHECK_EQ(val, 0x1001);
	CHECK_EQ(msr_emulate_write(v, 0xe1, 2), -1);         /* reserved bit 1 */
	CHECK_EQ(msr_emulate_write(v, 0xe1, 1ull << 32), -1); /* reserved high half */
	CHECK_EQ(fake_msr[0] | fake_msr[1], 0);               /* no hardware MSR touched */
	/* PMU MSRs: read 0, writes dropped; an emulated MSR without a handler is refused. */
	CHECK_EQ(msr_emulate_write(v, 0xc1, 1234), 0);
	CHECK_EQ(msr_emulate_read(v, 0xc1, &val), 0);
	CHECK_EQ(val, 0);
	CHECK_EQ(msr_emulate_read(v, 0x12345678, &val), -1);
	fake_vcpu_free(v);
}

/* AMD's Interrupt Pending Message register (C001_0055h): Linux reads it with a plain RDMSR
 * (arch_post_acpi_subsys_init) where its erratum-400 table names the CPU: it must read 0
 * (C1E on compare-halt off) and take writes without a #GP. */
TEST(msr_amd_int_pending_reads_zero)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	uint64_t val = 0xdead;
	CHECK_EQ(msr_handling_for(0xc0010055, false), MSR_EMULATED);
	CHECK_EQ(msr_handling_for(0xc0010055, true), MSR_EMULATED);
	CHECK_EQ(msr_emulate_read(v, 0xc0010055, &val), 0);
	CHECK_EQ(val, 0);
	CHECK_EQ(msr_emulate_write(v, 0xc0010055, 3ull << 27), 0);
	CHECK_EQ(msr_emulate_read(v, 0xc0010055, &val), 0);
	CHECK_EQ(val, 0);
	CHECK_EQ(fake_msr[0] | fake_msr[1], 0); /* no hardware MSR touched */
	fake_vcpu_free(v);
}
