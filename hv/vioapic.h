/*
 * The I/O APIC every guest sees at 0xFEC00000 (Intel 82093AA datasheet): 24 pins, version
 * 0x11, ID VIOAPIC_ID, GSI base 0 (the guest's ACPI MADT lists it: hv/guest_acpi.c). Its
 * registers are reached through IOREGSEL (offset 0x00) and IOWIN (0x10): ID (0x00), VER
 * (0x01), ARB (0x02) and the redirection table (0x10-0x3F, two 32-bit halves per pin).
 * Fixed and lowest-priority messages go to the guest's one local APIC when the destination
 * names it; NMI sets its pending NMI; SMI, INIT and ExtINT are not delivered. Edge pins
 * deliver on a rising edge; level pins while asserted, setting remote IRR until the guest's
 * EOI of that vector reaches them (hv/vlapic.c level_eoi). Masked pins deliver nothing; an
 * asserted level pin delivers when it is unmasked. Pure logic: unit-tested natively. The
 * page is absent from the guest's nested page tables (arch/x86/guest_ram_map.c): accesses
 * exit and are decoded like the local APIC's (hv/apic_mmio.c).
 */
#ifndef HV_VIOAPIC_H
#define HV_VIOAPIC_H

#include "hv/types.h"

struct vcpu;
struct vlapic;

#define VIOAPIC_BASE 0xfec00000ull
#define VIOAPIC_PAGE_SIZE 0x1000u
#define VIOAPIC_PINS 24
#define VIOAPIC_ID 1
#define VIOAPIC_VERSION 0x11

/* Redirection entry bits (82093AA 3.2.4). */
#define RTE_VECTOR 0xffull
#define RTE_DELMODE_SHIFT 8
#define RTE_DEST_LOGICAL BIT(11)
#define RTE_DELIVS BIT(12)
#define RTE_POLARITY_LOW BIT(13)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_LEVEL BIT(15)
#define RTE_MASKED BIT(16)
#define RTE_DEST_SHIFT 56

struct vioapic {
	uint32_t regsel; /* IOREGSEL (bits 7:0) */
	uint32_t id;     /* ID register bits 27:24 */
	uint64_t rte[VIOAPIC_PINS];
	uint32_t asserted; /* the input lines' levels, one bit per pin */
	uint64_t delivered; /* messages sent to the local APIC (for tests and the monitor) */
};

void vioapic_init(struct vioapic *io);
/* Is gpa inside the I/O APIC's page? */
static inline bool vioapic_mmio_covers(uint64_t gpa)
{
	return gpa >= VIOAPIC_BASE && gpa - VIOAPIC_BASE < VIOAPIC_PAGE_SIZE;
}
/* An access of size bytes at offset (0..0xfff) of the page. IOREGSEL and IOWIN are 32-bit
 * registers; narrower accesses reach their low bytes, other offsets read 0 and ignore
 * writes. A write of a redirection entry may deliver to lapic (an asserted level pin). */
uint64_t vioapic_mmio_read(struct vioapic *io, uint32_t offset, unsigned size);
void vioapic_mmio_write(struct vioapic *io, struct vlapic *lapic, uint32_t offset,
			unsigned size, uint64_t val);
/* Pin gsi's input line is now level (true: asserted). Edge pins deliver on 0 -> 1. */
void vioapic_line(struct vioapic *io, struct vlapic *lapic, unsigned gsi, bool level);
/* The local APIC's EOI of a level-triggered vector: remote IRR of every level entry with
 * that vector cleared, and one still asserted delivered again. */
void vioapic_eoi(struct vioapic *io, struct vlapic *lapic, uint8_t vector);
/* Could pin gsi deliver an interrupt if its line rose (unmasked)? */
bool vioapic_pin_open(const struct vioapic *io, unsigned gsi);

/* At guest setup, after vlapic_init (and again after any re-init of v->lapic): reset
 * v->ioapic and connect the local APIC's level EOIs to it. */
void vioapic_attach(struct vcpu *v);
/* The core's entry, on the guest's own CPU: v->ioapic, v->lapic. */
void vioapic_set_irq(struct vcpu *v, unsigned gsi, bool level);

#endif
