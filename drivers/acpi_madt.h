/* Finding every enabled CPU's APIC ID in the ACPI MADT (ACPI 6.5, 5.2.5 RSDP, 5.2.8 XSDT, 5.2.12 MADT). */
#ifndef DRIVERS_ACPI_MADT_H
#define DRIVERS_ACPI_MADT_H

#include "hv/types.h"

struct PACKED acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t ext_checksum;
	uint8_t reserved[3];
};
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");

struct PACKED acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
};
_Static_assert(sizeof(struct acpi_header) == 36, "SDT header is 36 bytes");

struct PACKED madt_lapic {
	uint8_t type, length, processor_uid, apic_id;
	uint32_t flags;
};
_Static_assert(sizeof(struct madt_lapic) == 8, "MADT type 0 is 8 bytes");

struct PACKED madt_x2apic {
	uint8_t type, length;
	uint16_t reserved;
	uint32_t x2apic_id, flags, processor_uid;
};
_Static_assert(sizeof(struct madt_x2apic) == 16, "MADT type 9 is 16 bytes");

/* I/O APIC (type 1, ACPI 6.5 5.2.12.3) and interrupt source override (type 2, 5.2.12.5). */
struct PACKED madt_ioapic {
	uint8_t type, length, ioapic_id, reserved;
	uint32_t address, gsi_base;
};
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT type 1 is 12 bytes");

struct PACKED madt_iso {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity 1:0, trigger mode 3:2 (table 5.50) */
};
_Static_assert(sizeof(struct madt_iso) == 10, "MADT type 2 is 10 bytes");

#define MADT_ENABLED BIT(0)
#define MADT_ONLINE_CAPABLE BIT(1)

/* The RSDP's signature and its ACPI 1.0 checksum (first 20 bytes) are right. */
bool acpi_rsdp_valid(const struct acpi_rsdp *rsdp);
/* The first table with signature sig that the RSDP's XSDT (RSDT before ACPI 2.0) lists, at
 * least min_len bytes long, with a correct checksum; NULL when there is none. The RSDP itself
 * is trusted: callers check it first (acpi_madt_cpus does). */
const struct acpi_header *acpi_find_table(const struct acpi_rsdp *rsdp, const char sig[4],
				       size_t min_len);

/* Collect APIC IDs of usable CPUs (enabled or online-capable), at most max, in MADT order.
 * Returns the count, or -1 with err filled when the tables are missing or corrupt. */
int acpi_madt_cpus(const struct acpi_rsdp *rsdp, uint32_t *ids, int max, char *err, size_t errlen);

/* Where ISA IRQ irq arrives: its GSI (irq itself unless an interrupt source override on
 * bus 0 names another), trigger and polarity (ISA default edge, active high; an override's
 * flags may say otherwise: ACPI 6.5 5.2.12.5, table 5.50), and the I/O APIC whose GSI range
 * holds it (its MMIO address, first GSI and pin). */
struct madt_isa_route {
	uint32_t gsi;
	bool level, active_low;
	uint64_t ioapic_addr;
	uint32_t ioapic_gsi_base;
	uint8_t ioapic_id;
};
/* 0, or -1 with err filled (no MADT; no I/O APIC listed; the GSI in no I/O APIC's range is
 * decided later, by its pin count: pin = gsi - ioapic_gsi_base). The I/O APIC chosen is the
 * one with the highest GSI base at or below the GSI. */
int acpi_madt_isa_irq(const struct acpi_rsdp *rsdp, unsigned irq, struct madt_isa_route *r,
		      char *err, size_t errlen);

/* The I/O APICs the MADT lists (type 1, ACPI 6.5 5.2.12.3), at most max, in MADT order; an
 * address listed twice counts once. Returns the count (0 when none is listed), or -1 with
 * err filled when the MADT is missing or an entry's length is corrupt. */
struct madt_ioapic_ref {
	uint64_t addr;
	uint32_t gsi_base;
	uint8_t id;
};
int acpi_madt_ioapics(const struct acpi_rsdp *rsdp, struct madt_ioapic_ref *out, int max,
		      char *err, size_t errlen);

#endif
