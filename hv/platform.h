/* What the core needs from the platform layer (boot/ and arch/x86/) once guests run. */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include "hv/config.h"

/* Stop this CPU for good (halted, no busy loop). */
NORETURN void platform_park(void);
/* Every guest has ended: power off, reboot or halt as configured. */
NORETURN void platform_finish(enum hv_on_finish how);
/* An NMI to the CPU with this local APIC ID; a busy wait. For [hv] debug_nmi_cpu. */
void platform_send_nmi(uint32_t apic_id);
void platform_delay_us(uint64_t us);

#endif
