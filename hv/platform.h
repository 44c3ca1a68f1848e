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
/* The host's real-time clock, in seconds since 1970-01-01 00:00 as its RTC counts them (the
 * firmware's time at boot, UEFI GetTime, advanced by the TSC): the guests' RTC (hv/vrtc.h). */
uint64_t platform_rtc_seconds(void);
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
/* The console UART's receive interrupt (arch/x86/console_irq.c), routed through the host's
 * I/O APIC to the console CPU, which processes serial input (hv/console_input.h). */
#define HV_CONSOLE_VECTOR 0xec
#define HV_CONSOLE_CPU 0
/* COM2's receive interrupt, for the gdb stub (arch/x86/gdb_irq.c), also to the console CPU. */
#define HV_GDB_VECTOR 0xe3
/* Wait for the next host interrupt with interrupts let in for the wait only (STI; HLT;
 * CLI): the idle loop of the console CPU once it has no guest to run (hv/guest_run.c). */
void platform_wait_interrupt(void);

#endif
