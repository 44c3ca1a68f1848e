/* XCR0 rules shared by the XSETBV handler and guest configuration checks. */
#include "hv/xcr0_policy.h"

static bool all_or_none(uint64_t val, uint64_t group)
{
	return (val & group) == 0 || (val & group) == group;
}

bool xcr0_valid(uint64_t val, uint64_t allowed)
{
	if (val & ~allowed)
		return false;
	if (!(val & XFEATURE_X87)) /* x87 state can never be disabled */
		return false;
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return false;
	if ((val & XFEATURE_AVX512) && (!all_or_none(val, XFEATURE_AVX512) || !(val & XFEATURE_AVX)))
		return false;
	if (!all_or_none(val, XFEATURE_MPX))
		return false;
	if (!all_or_none(val, XFEATURE_AMX))
		return false;
	return true;
}

uint64_t xcr0_guest_allowed(uint64_t supported, bool configured, uint64_t configured_bits)
{
	uint64_t want = configured ? configured_bits : ~XFEATURE_AMX;
	return (want & supported) | (supported & XFEATURE_X87);
}
