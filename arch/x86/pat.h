/* The page attribute table MSR (Intel SDM vol. 3A 11.12.2; AMD APM vol. 2 7.8.1). */
#ifndef ARCH_X86_PAT_H
#define ARCH_X86_PAT_H

#include "hv/types.h"

#define PAT_POWER_ON 0x0007040600070406ull /* WB, WT, UC-, UC; twice */

/* Every entry is UC(0), WC(1), WT(4), WP(5), WB(6) or UC-(7): a WRMSR of anything
 * else raises #GP on both vendors. Shared by the SVM and VMX field-MSR code. */
bool pat_valid(uint64_t pat);

#endif
