/* Which injected exceptions carry an error code (arch/x86/exc_error_code.h), as both
 * backends inject them: SDM vol. 3A table 6-1, APM vol. 2 table 8-1; none in real mode. */
#include "arch/x86/exc_error_code.h"
#include "tests/host/harness.h"

TEST(exc_error_code_protected_mode_table)
{
	const uint64_t pe = CR0_PE | BIT(31);
	uint32_t with = 0;
	for (unsigned v = 0; v < 32; v++)
		if (exc_has_error_code(v, pe))
			with |= BIT(v);
	/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX */
	CHECK_EQ(with, BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17) | BIT(21) |
			       BIT(29) | BIT(30));
	CHECK(!exc_has_error_code(32, pe));
	CHECK(!exc_has_error_code(255, CR0_PE));
}

TEST(exc_error_code_none_in_real_mode)
{
	for (unsigned v = 0; v < 32; v++)
		CHECK(!exc_has_error_code(v, 0));
	/* CR0.PE alone decides: paging bits or others do not matter. */
	CHECK(!exc_has_error_code(13, ~(uint64_t)CR0_PE));
	CHECK(exc_has_error_code(13, CR0_PE));
}
