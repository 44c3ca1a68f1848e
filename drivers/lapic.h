/* The local APIC, for starting application processors (xAPIC MMIO or x2APIC MSRs). */
#ifndef DRIVERS_LAPIC_H
#define DRIVERS_LAPIC_H

#include "hv/types.h"

void lapic_init(void);
uint32_t lapic_id(void);
/* Send INIT, SIPI(vector) to apic_id; waits for the ICR to be accepted. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi(uint32_t apic_id);
/* Mask the LAPIC timer and LINT0/1 left running by the firmware. */
void lapic_quiesce(void);

#endif
