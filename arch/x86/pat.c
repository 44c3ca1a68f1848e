/* PAT validation shared by both backends (see pat.h). */
#include "arch/x86/pat.h"

bool pat_valid(uint64_t pat)
{
	/* Types 2 and 3 and anything above 7 are reserved (SDM vol. 3A table 11-10, APM vol. 2 7.8.1). */
	for (int i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(pat >> (8 * i));
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}
