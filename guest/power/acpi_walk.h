/* What a guest OS reads from its firmware tables to turn itself off or reset (ACPI 6.5). */
#ifndef GUEST_POWER_ACPI_WALK_H
#define GUEST_POWER_ACPI_WALK_H

#include "guest.h"

struct acpi_power {
	uint16_t sleep_control, sleep_status; /* FADT SLEEP_CONTROL_REG / SLEEP_STATUS_REG ports */
	uint16_t reset_port;                  /* FADT RESET_REG */
	uint8_t reset_value;
	uint8_t slp_typ_s5;                   /* \_S5's SLP_TYPa from the DSDT */
};

/* Find the RSDP by the legacy scan of 0xE0000..0xFFFFF, then XSDT -> FADT -> DSDT, every
 * checksum checked, as an OS does. 0, or -1 after printing what was wrong. */
int acpi_power_find(struct acpi_power *out);

#endif
