/* The local APIC, for starting application processors (xAPIC MMIO or x2APIC MSRs). */
#ifndef DRIVERS_LAPIC_H
#define DRIVERS_LAPIC_H

#include "hv/types.h"

void lapic_init(void);
uint32_t lapic_id(void);
/* A register by its xAPIC offset (0x20 ID, 0x320 LVT timer, ...), through MMIO or the x2APIC
 * MSR (0x800 + offset / 16). */
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
/* The host timer (drivers/lapic_timer.c): once at takeover on the boot CPU, with every LVT
 * masked; measures the timer's input clock against the TSC where TSC-deadline mode is
 * missing. Then platform_timer_arm (hv/platform.h) on any CPU. */
void lapic_timer_init(void);
/* Send INIT, SIPI(vector) to apic_id; waits for the ICR to be accepted. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi(uint32_t apic_id);
void lapic_send_fixed(uint32_t apic_id, uint8_t vector);
/* Mask every LVT entry the CPU has (timer, LINT0/1, error, performance, thermal, CMCI,
 * AMD's extended LVTs): nothing the firmware armed can raise an interrupt any more. */
void lapic_quiesce(void);
/* With IF = 0, after lapic_quiesce and with the hypervisor's IDT: EOI every in-service
 * interrupt, then take the requested ones (IF briefly 1, bounded). Returns the number of
 * in-service interrupts ended; *left is the highest vector still requested, or -1. */
uint32_t lapic_drain(int *left);
/* A host interrupt was taken (IDT or VMX exit): EOI it unless it was spurious. Returns its
 * vector, or -1 for a spurious interrupt (no ISR bit, no EOI). */
int lapic_end_host_interrupt(void);
/* A fixed self-IPI: with IF = 0 it stays requested. Returns whether IRR shows it. */
bool lapic_leave_pending(uint8_t vector);

#endif
