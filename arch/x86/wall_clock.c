/* The host's wall clock (see wall_clock.h). */
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/wall_clock.h"
#include "hv/platform.h"

static uint64_t base_seconds, base_tsc;

void wall_clock_set(uint64_t seconds)
{
	base_tsc = rdtsc();
	base_seconds = seconds;
}

uint64_t platform_rtc_seconds(void)
{
	uint64_t hz = tsc_khz * 1000;
	return base_seconds + (hz ? (rdtsc() - base_tsc) / hz : 0);
}
