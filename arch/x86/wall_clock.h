/* The host's wall clock after takeover: the firmware's RTC time read once at boot, advanced
 * by the TSC (hv/platform.h platform_rtc_seconds). */
#ifndef ARCH_X86_WALL_CLOCK_H
#define ARCH_X86_WALL_CLOCK_H

#include "hv/types.h"

/* At boot, once the TSC is calibrated: the RTC read seconds since 1970 at this moment. */
void wall_clock_set(uint64_t seconds);

#endif
