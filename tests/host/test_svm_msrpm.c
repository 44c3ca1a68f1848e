#include <string.h>
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

/* The layout, from AMD APM vol. 2 15.11 "MSR Intercepts", with offsets written here and not
 * taken from the writer: bytes 0x000-0x7FF cover MSRs 0000_0000-0000_1FFF, 0x800-0xFFF
 * C000_0000-C000_1FFF, 0x1000-0x17FF C001_0000-C001_1FFF; two bits per MSR, the read bit
 * (even) then the write bit (odd), MSR n of a range at bit 2n of its vector. The rest of the
 * 8 KiB (0x1800-0x1FFF) covers no MSR and is left all ones (intercept) as the writer intends. */
TEST(svm_msrpm_raw_layout_apm_15_11)
{
	static const struct { uint32_t first; uint32_t byte_offset; } apm[] = {
		{ 0x00000000u, 0x000 }, { 0xc0000000u, 0x800 }, { 0xc0010000u, 0x1000 },
	};
	static uint8_t expect[SVM_MSRPM_SIZE];
	REQUIRE(SVM_MSRPM_SIZE == 0x2000);
	memset(expect, 0xff, sizeof(expect));
	unsigned passthrough_bits = 0;
	for (int r = 0; r < 3; r++)
		for (uint32_t n = 0; n < 0x2000; n++)
			for (int w = 0; w < 2; w++) {
				if (msr_handling_for(apm[r].first + n, w) != MSR_PASSTHROUGH)
					continue;
				uint32_t bit = 2 * n + (uint32_t)w;
				expect[apm[r].byte_offset + bit / 8] &= (uint8_t)~(1u << (bit % 8));
				passthrough_bits++;
			}
	CHECK(passthrough_bits >= 20); /* the table passes some through: the walk is not empty */
	memset(msrpm, 0, sizeof(msrpm)); /* nothing left over from an earlier build */
	svm_msrpm_build(msrpm);
	unsigned bad = 0;
	for (uint32_t i = 0; i < SVM_MSRPM_SIZE; i++)
		if (msrpm[i] != expect[i] && bad++ < 8)
			printf("    msrpm byte 0x%x: 0x%02x, expected 0x%02x\n", i, msrpm[i], expect[i]);
	CHECK_EQ(bad, 0);
	/* A few by hand: LSTAR C000_0082 both ways at byte 0x800 + 0x82 * 2 / 8 = 0x820, bits 4, 5;
	 * TSC (0x10) read passed, write intercepted: byte 4, bit 0 clear, bit 1 set;
	 * SYSENTER_CS (0x174): byte 0x5d, bits 0 and 1 clear; the unused tail all ones. */
	CHECK_EQ(msrpm[0x820] & 0x30, 0);
	CHECK_EQ(msrpm[0x004] & 0x03, 0x02);
	CHECK_EQ(msrpm[0x05d] & 0x03, 0);
	CHECK_EQ(msrpm[0x1800], 0xff);
	CHECK_EQ(msrpm[0x1fff], 0xff);
}
