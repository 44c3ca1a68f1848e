/*
 * The ACPI power-management timer (ACPI 6.5 4.8.3.3): a free-running counter at 3.579545 MHz
 * whatever the CPU's clocks do, 24 bits wide, or 32 when the FADT's TMR_VAL_EXT flag is set.
 * The boot measures the TSC against it (arch/x86/tsc_calibrate.c). The FADT lookup and the
 * arithmetic live here, apart from the port reads, so the host tests check them.
 */
#ifndef DRIVERS_ACPI_PM_TIMER_H
#define DRIVERS_ACPI_PM_TIMER_H

#include "drivers/acpi_madt.h"

#define ACPI_PM_TIMER_HZ 3579545u

struct acpi_pm_timer {
	uint16_t port; /* I/O port of the 32-bit TMR_VAL register */
	bool wide;     /* 32-bit counter (FADT flags bit 8, TMR_VAL_EXT); else 24-bit */
};

/*
 * From the FADT (ACPI 6.5 5.2.9, table 5.9): X_PM_TMR_BLK when it names a system-I/O
 * address (address space 1), else PM_TMR_BLK; PM_TMR_LEN must be 4. 0, or -1 when there
 * is no valid RSDP or FADT, or the FADT names no timer (a HW-reduced platform has none),
 * or names it in memory space.
 */
int acpi_pm_timer_find(const struct acpi_rsdp *rsdp, struct acpi_pm_timer *t);

/* Timer ticks from reading a to reading b, one wrap at most. */
static inline uint32_t acpi_pm_ticks(const struct acpi_pm_timer *t, uint32_t a, uint32_t b)
{
	uint32_t mask = t->wide ? 0xffffffffu : 0xffffffu;
	return (b - a) & mask;
}

/* TSC frequency in kHz from tsc TSC ticks over pm timer ticks (0 when pm is 0). */
static inline uint64_t acpi_pm_tsc_khz(uint64_t tsc, uint32_t pm)
{
	if (!pm)
		return 0;
	/* tsc / (pm / HZ) / 1000, rounded; tsc < 2^40 over a calibration, so no overflow. */
	return (tsc * ACPI_PM_TIMER_HZ + (uint64_t)pm * 500) / ((uint64_t)pm * 1000);
}

#endif
