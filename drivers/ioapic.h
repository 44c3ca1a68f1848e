/* The host's I/O APIC (Intel 82093AA datasheet): every redirection entry masked at takeover
 * (arch/x86/host_ioapics.c), then one entry programmed per UART the hypervisor takes
 * interrupts from (arch/x86/console_irq.c, arch/x86/gdb_irq.c). */
#ifndef DRIVERS_IOAPIC_H
#define DRIVERS_IOAPIC_H

#include "hv/types.h"

/* Pin pin of the I/O APIC at MMIO address base: fixed delivery of vector to the local APIC
 * with ID dest (physical destination mode), edge or level, active high or low, unmasked.
 * Returns -1 with err filled when the pin does not exist (version register: maximum
 * redirection entry) or the I/O APIC does not answer (all ones). */
int ioapic_route(uint64_t base, unsigned pin, uint8_t vector, uint8_t dest, bool level,
		 bool active_low, char *err, size_t errlen);

/* Register access through IOREGSEL/IOWIN: MMIO on the machine, a model in host tests. */
struct ioapic_io {
	uint32_t (*rd)(void *ctx, uint32_t index);
	void (*wr)(void *ctx, uint32_t index, uint32_t value);
	void *ctx;
};

/* Mask every redirection entry (bit 16), keeping its other bits. *pins = the pin count
 * (version register). Returns how many entries were unmasked before, or -1 when the I/O
 * APIC does not answer (version reads all ones). */
int ioapic_mask_all_io(const struct ioapic_io *io, unsigned *pins);
int ioapic_mask_all(uint64_t base, unsigned *pins);

#endif
