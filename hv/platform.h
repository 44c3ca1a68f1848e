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
/* [hv] debug_pending_irq: a fixed interrupt to this CPU itself, left requested in its local
 * APIC (interrupts are off); whether it is pending there. */
bool platform_leave_irq_pending(uint8_t vector);
#define HV_DEBUG_IRQ_VECTOR 0xe1 /* any fixed vector 32-255 that is not the spurious one */

#endif
