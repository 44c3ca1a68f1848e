/* How fast the TSC counts, measured once at boot (before the APs start). */
#ifndef ARCH_X86_TSC_CALIBRATE_H
#define ARCH_X86_TSC_CALIBRATE_H

#include "drivers/acpi_madt.h"

/*
 * The TSC frequency in kHz, or 0 when neither way below works (the caller then times a
 * firmware delay). First the ACPI PM timer named by the FADT: the median of three 20 ms
 * measurements against its fixed 3.579545 MHz, which holds however late the firmware's own
 * delay returns or the CPU gets descheduled (a 10 ms UEFI Stall under a loaded emulator was
 * seen to measure 2.8 GHz in one run and 4.5 GHz in the next). Without one (HW-reduced
 * platforms): CPUID leaf 0x15 where it names the crystal (Intel SDM vol. 2A, CPUID, leaf
 * 15H: TSC Hz = ECX * EBX / EAX). *how names the source, for the boot log.
 */
uint64_t tsc_calibrate_khz(const struct acpi_rsdp *rsdp, const char **how);

#endif
