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
/* A host interrupt (HV_KICK_VECTOR) to the CPU with this local APIC ID: its guest exits to
 * the hypervisor's slow path, or its halt ends (hv/vcpu_request.c). */
void platform_kick(uint32_t apic_id);
#define HV_KICK_VECTOR 0xed
void platform_delay_us(uint64_t us);
/* The host TSC frequency the boot calibration measured (tsc_per_us), in kHz: the guests'
 * TSC and APIC timer frequency (hv/vlapic.h, CPUID leaves 0x15, 0x16, 0x40000010). */
uint64_t platform_tsc_khz(void);
/* [hv] debug_pending_irq: a fixed interrupt to this CPU itself, left requested in its local
 * APIC (interrupts are off); whether it is pending there. */
bool platform_leave_irq_pending(uint8_t vector);
/* The host timer of this CPU (drivers/lapic.c): one interrupt, vector HV_TIMER_VECTOR, at
 * or after host TSC host_tsc_deadline; 0 disarms it. Returns the host TSC from which the
 * timer counts as expired (the deadline; earlier when the deadline lies beyond what the
 * hardware can count to, so the caller re-arms once that has passed). hv/vintr.c arms it
 * to the guest's next virtual APIC timer deadline. */
uint64_t platform_timer_arm(uint64_t host_tsc_deadline);
#define HV_TIMER_VECTOR 0xee /* the host timer's vector: any fixed vector 32-254 the host owns */
#define HV_DEBUG_IRQ_VECTOR 0xe1 /* any fixed vector 32-255 that is not the spurious one */

#endif
