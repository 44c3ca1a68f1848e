/* Starting the application processors ourselves, after ExitBootServices. */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "hv/percpu.h"

/* TSC ticks per microsecond, measured by the boot code against the firmware's Stall. */
extern uint64_t tsc_per_us;
extern uint64_t tsc_khz; /* the boot calibration (tsc_calibrate.h); tsc_per_us rounded down */
void udelay(uint64_t us);

/* Start every CPU in hv_cpus[1..] with INIT-SIPI-SIPI through the trampoline page
 * (below 1 MiB); each runs entry(pc) on its own stack with cr3 loaded. Returns
 * how many came online; CPUs that did not start keep online == 0. late_ap (a CPU
 * index, or HV_NO_DEBUG_FAULT) is [hv] debug_late_ap: the BSP gives up on that CPU
 * before its SIPIs, so it must park itself in the trampoline. */
uint32_t smp_start_aps(uint64_t trampoline_page, uint64_t cr3, void (*entry)(struct percpu *),
		       uint32_t late_ap);

#endif
