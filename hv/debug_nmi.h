/* [hv] debug_nmi_cpu: NMIs sent to a CPU while its guest runs (hv/debug_nmi.c). */
#ifndef HV_DEBUG_NMI_H
#define HV_DEBUG_NMI_H

#include "hv/types.h"

/* Is `self` the CPU that sends them: the lowest-numbered CPU without a guest? */
bool debug_nmi_sender(uint32_t self, uint32_t target);
/* Send NMIs to `target` from its guest's start to its end, then report. */
void debug_nmi_storm(uint32_t self, uint32_t target);
/* Before the end-of-run summary: while a storm is still sending or counting, wait for its
 * report (bounded), so it is printed before the machine powers off. */
void debug_nmi_wait_report(void);
/* [hv] debug_stop_cpu (hv/debug_stop.c), sent by the same CPU: ask `target`'s hypervisor
 * to stop its guest, then wait (bounded) for it to end. */
void debug_stop_request(uint32_t self, uint32_t target);

#endif
