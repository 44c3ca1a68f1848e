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

#define MADT_ENABLED BIT(0)
#define MADT_ONLINE_CAPABLE BIT(1)

/* Collect APIC IDs of usable CPUs (enabled or online-capable), at most max, in MADT order.
 * Returns the count, or -1 with err filled when the tables are missing or corrupt. */
int acpi_madt_cpus(const struct acpi_rsdp *rsdp, uint32_t *ids, int max, char *err, size_t errlen);

#endif
