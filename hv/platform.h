/* What the core needs from the platform layer (boot/ and arch/x86/) once guests run. */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include "hv/config.h"

/* Stop this CPU for good (halted, no busy loop). */
NORETURN void platform_park(void);
/* Every guest has ended: power off, reboot or halt as configured. */
NORETURN void platform_finish(enum hv_on_finish how);

#endif
