#include <string.h>
#include "arch/x86/msr_index.h"
#include "arch/x86/vmx/vmx_msr_bitmap.h"
#include "hv/msr_policy.h"
#include "tests/host/harness.h"
#include "tests/host/msr_map_check.h"

static uint8_t bitmap[VMX_MSR_BITMAP_SIZE];

static bool in_vmx_ranges(uint32_t msr)
{
	return msr < 0x2000 || (msr >= 0xc0000000u && msr < 0xc0002000u);
}

/* The generated bitmap must say exactly what the policy table says, MSR by MSR (SDM vol. 3C 24.6.9). */
TEST(vmx_msr_bitmap_matches_policy_table_bit_for_bit)
{
	vmx_msr_bitmap_build(bitmap);
	static const uint32_t bases[] = { 0, 0xc0000000u };
	CHECK_EQ(msr_map_mismatches(bitmap, vmx_msr_bitmap_intercepts, bases, 2), 0);
	CHECK(!vmx_msr_bitmap_intercepts(bitmap, MSR_LSTAR, false));
	CHECK(!vmx_msr_bitmap_intercepts(bitmap, MSR_LSTAR, true));
	CHECK(!vmx_msr_bitmap_intercepts(bitmap, MSR_TSC, false));
	CHECK(vmx_msr_bitmap_intercepts(bitmap, MSR_TSC, true));
	CHECK(vmx_msr_bitmap_intercepts(bitmap, MSR_EFER, false));
	CHECK(vmx_msr_bitmap_intercepts(bitmap, MSR_FEATURE_CONTROL, true));
	CHECK(vmx_msr_bitmap_intercepts(bitmap, MSR_VMX_BASIC, false));
	CHECK(vmx_msr_bitmap_intercepts(bitmap, MSR_VM_HSAVE_PA, true)); /* outside: always exits */
	CHECK(vmx_msr_bitmap_intercepts(bitmap, 0x12345678, false));
}

/* The four 1 KiB vectors sit where the SDM puts them: read-low, read-high, write-low, write-high. */
TEST(vmx_msr_bitmap_layout)
{
	vmx_msr_bitmap_build(bitmap);
	/* LSTAR (0xC0000082) is passthrough both ways: bit 0x82 of the read-high and write-high vectors. */
	CHECK_EQ(bitmap[1024 + 0x82 / 8] & (1u << (0x82 % 8)), 0);
	CHECK_EQ(bitmap[3072 + 0x82 / 8] & (1u << (0x82 % 8)), 0);
	/* TSC (0x10): read passthrough in read-low, write intercepted in write-low. */
	CHECK_EQ(bitmap[0x10 / 8] & (1u << (0x10 % 8)), 0);
	CHECK(bitmap[2048 + 0x10 / 8] & (1u << (0x10 % 8)));
	/* SYSENTER_CS (0x174): passthrough in both low vectors. */
	CHECK_EQ(bitmap[0x174 / 8] & (1u << (0x174 % 8)), 0);
	CHECK_EQ(bitmap[2048 + 0x174 / 8] & (1u << (0x174 % 8)), 0);
}

/* An MSR outside the two bitmap ranges always exits (SDM vol. 3C 25.1.3): a passthrough rule
 * there would make the core stop the guest as a hypervisor bug. */
TEST(vmx_msr_policy_has_no_passthrough_outside_the_bitmap)
{
	for (size_t i = 0; i < msr_rule_count; i++) {
		const struct msr_rule *r = &msr_rules[i];
		bool pass = r->read == MSR_PASSTHROUGH || r->write == MSR_PASSTHROUGH;
		if (pass) {
			CHECK(in_vmx_ranges(r->first));
			CHECK(in_vmx_ranges(r->last));
		}
	}
}

TEST(vmx_io_bitmaps_intercept_every_port)
{
	static uint8_t a[VMX_IO_BITMAP_SIZE], b[VMX_IO_BITMAP_SIZE], ones[VMX_IO_BITMAP_SIZE];
	memset(ones, 0xff, sizeof(ones));
	vmx_io_bitmaps_build(a, b);
	CHECK(memcmp(a, ones, sizeof(ones)) == 0);
	CHECK(memcmp(b, ones, sizeof(ones)) == 0);
}
