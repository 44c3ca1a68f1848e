/* Checking a generated MSR permission map against the policy table, MSR by MSR. */
#ifndef TESTS_HOST_MSR_MAP_CHECK_H
#define TESTS_HOST_MSR_MAP_CHECK_H

#include "hv/msr_policy.h"

typedef bool (*msr_map_intercepts_fn)(const uint8_t *map, uint32_t msr, bool write);

/* Over the 8K-MSR ranges starting at each of bases[0..n): how many (MSR, direction)
 * pairs the map intercepts differently from msr_handling_for(). */
static inline unsigned msr_map_mismatches(const uint8_t *map, msr_map_intercepts_fn intercepts,
					  const uint32_t *bases, int n)
{
	unsigned mismatches = 0;
	for (int b = 0; b < n; b++)
		for (uint32_t msr = bases[b]; msr < bases[b] + 0x2000; msr++)
			for (int w = 0; w < 2; w++)
				mismatches += intercepts(map, msr, w) !=
					      (msr_handling_for(msr, w) != MSR_PASSTHROUGH);
	return mismatches;
}

#endif
