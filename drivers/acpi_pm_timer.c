/* Finding the ACPI PM timer in the FADT (see acpi_pm_timer.h). */
#include "drivers/acpi_pm_timer.h"
#include "hv/lib.h"

/* The FADT fields read here (ACPI 6.5 5.2.9, table 5.9), at their byte offsets. */
#define FADT_PM_TMR_BLK 76   /* uint32_t, system I/O port */
#define FADT_PM_TMR_LEN 91   /* uint8_t, 4 when there is a timer */
#define FADT_FLAGS 112       /* uint32_t */
#define FADT_X_PM_TMR_BLK 208 /* Generic Address Structure, 12 bytes (ACPI 6.5 5.2.3.2) */
#define FADT_FLAG_TMR_VAL_EXT BIT(8)
#define FADT_FLAG_HW_REDUCED BIT(20)
#define GAS_SYSTEM_IO 1

int acpi_pm_timer_find(const struct acpi_rsdp *rsdp, struct acpi_pm_timer *t)
{
	if (!acpi_rsdp_valid(rsdp))
		return -1;
	/* Up to and including PM_TMR_LEN and the flags: every FADT revision has them. */
	const struct acpi_header *h = acpi_find_table(rsdp, "FACP", FADT_FLAGS + 4);
	if (!h)
		return -1;
	const uint8_t *f = (const uint8_t *)h;
	uint32_t flags, blk;
	memcpy(&flags, f + FADT_FLAGS, 4);
	memcpy(&blk, f + FADT_PM_TMR_BLK, 4);
	if (flags & FADT_FLAG_HW_REDUCED)
		return -1;
	uint64_t port = blk;
	if (h->length >= FADT_X_PM_TMR_BLK + 12) {
		uint64_t xaddr;
		memcpy(&xaddr, f + FADT_X_PM_TMR_BLK + 4, 8);
		if (xaddr) {
			if (f[FADT_X_PM_TMR_BLK] != GAS_SYSTEM_IO)
				return -1;
			port = xaddr;
		}
	}
	if (!port || port > 0xfffc || f[FADT_PM_TMR_LEN] != 4)
		return -1;
	t->port = (uint16_t)port;
	t->wide = flags & FADT_FLAG_TMR_VAL_EXT;
	return 0;
}
