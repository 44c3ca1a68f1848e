/* The host's I/O APIC (Intel 82093AA datasheet): one redirection entry programmed, for the
 * console UART's interrupt (arch/x86/console_irq.c). */
#ifndef DRIVERS_IOAPIC_H
#define DRIVERS_IOAPIC_H

#include "hv/types.h"

/* Pin pin of the I/O APIC at MMIO address base: fixed delivery of vector to the local APIC
 * with ID dest (physical destination mode), edge or level, active high or low, unmasked.
 * Returns -1 with err filled when the pin does not exist (version register: maximum
 * redirection entry) or the I/O APIC does not answer (all ones). */
int ioapic_route(uint64_t base, unsigned pin, uint8_t vector, uint8_t dest, bool level,
		 bool active_low, char *err, size_t errlen);

#endif
