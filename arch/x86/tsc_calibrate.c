/* TSC frequency at boot (see tsc_calibrate.h). */
#include "arch/x86/tsc_calibrate.h"
#include "arch/x86/cpu.h"
#include "drivers/acpi_pm_timer.h"

#define MEASURE_TICKS (ACPI_PM_TIMER_HZ / 50) /* 20 ms */
#define EDGE_TRIES 1000000u                   /* a timer that never moves: give up */

/* TSC kHz over one MEASURE_TICKS interval, starting on a counter edge; 0 if it is stuck. */
static uint64_t measure(const struct acpi_pm_timer *t)
{
	uint32_t p0 = inl(t->port), p = p0;
	for (uint32_t i = 0; p == p0; i++) {
		if (i == EDGE_TRIES)
			return 0;
		p = inl(t->port);
	}
	uint64_t t0 = rdtsc();
	p0 = p;
	uint32_t d = 0;
	/* The counter wraps every 4.7 s (24 bits): reads far more often than that. */
	for (uint64_t i = 0; d < MEASURE_TICKS; i++) {
		if (i == (uint64_t)EDGE_TRIES * 1000)
			return 0;
		d = acpi_pm_ticks(t, p0, inl(t->port));
	}
	return acpi_pm_tsc_khz(rdtsc() - t0, d);
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	if (a > b) {
		uint64_t x = a;
		a = b;
		b = x;
	}
	return c <= a ? a : c >= b ? b : c;
}

static uint64_t cpuid_crystal_khz(void)
{
	if (cpuid(0, 0).eax < 0x15)
		return 0;
	struct cpuid_regs r = cpuid(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax / 1000;
}

uint64_t tsc_calibrate_khz(const struct acpi_rsdp *rsdp, const char **how)
{
	struct acpi_pm_timer t;
	if (!acpi_pm_timer_find(rsdp, &t)) {
		uint64_t k = median3(measure(&t), measure(&t), measure(&t));
		if (k) {
			*how = "ACPI PM timer";
			return k;
		}
	}
	uint64_t k = cpuid_crystal_khz();
	*how = k ? "CPUID leaf 0x15" : "";
	return k;
}
