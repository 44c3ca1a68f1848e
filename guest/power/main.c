/*
 * power: turns itself off or resets itself through the ACPI tables it finds, as an OS does
 * (acpi_walk.c), chosen by "mode=" on the command line:
 *   poweroff  first a sleep type the DSDT does not offer (SLP_TYP 3 with SLP_EN: nothing may
 *             happen), then \_S5's SLP_TYP with SLP_EN to SLEEP_CONTROL_REG after clearing
 *             WAK_STS (ACPI 6.5 4.8.3.7, 7.4.2.5): the hypervisor must end the guest as
 *             "powered off"; running on after it is a failure (0x77)
 *   reset     prints "power: boot N" on every start, N from CPUID 0x40000001 EDX (the
 *             restarts the hypervisor reports, hv/guest_restart.h). On boot 0 it leaves a
 *             mark in RAM and CR4.PSE set, then writes RESET_VALUE to RESET_REG (4.8.3.6);
 *             on boot 1 the mark must be gone (the partition zeroed) and CR4 back at 0 (the
 *             entry state rebuilt): it passes. Any later boot fails (a second restart).
 * Nothing in the guest's own memory can tell it which start it is in (a correct restart
 * zeroes it all), hence the hypervisor's restart count, which the case also checks in the
 * hypervisor's own lines ("rebooted", "after 1 restart").
 */
#include "guest.h"
#include "acpi_walk.h"
#include "cmdline.h"
#include "cpu.h"
#include "io.h"
#include "printf.h"
#include "string.h"

const char guest_name[] = "power";

#define MARK_ADDR 0x300000u /* 3 MiB: above the image, inside any partition (4 MiB minimum) */
#define MARK 0x5a5aa5a5u
#define CR4_PSE (1u << 4)
#define SLP_EN (1u << 5)
#define WAK_STS (1u << 7)
#define NOT_ENDED 0x77u
#define BAD_MODE 0x78u

static inline void write_cr4(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static uint32_t restarts_so_far(void)
{
	struct cpuid_regs sig = cpuid(0x40000000u, 0);
	char id[13];
	memcpy(id, &sig.ebx, 4);
	memcpy(id + 4, &sig.ecx, 4);
	memcpy(id + 8, &sig.edx, 4);
	id[12] = 0;
	if (memcmp(id, "HvTypeOneX86", 12) || sig.eax < 0x40000001u)
		return ~0u; /* not under hv: no restart count */
	return cpuid(0x40000001u, 0).edx;
}

static uint32_t power_off(const struct acpi_power *p)
{
	outb(p->sleep_control, (uint8_t)(3u << 2 | SLP_EN)); /* no \_S3: must do nothing */
	printf("power: SLP_TYP 3 ignored, as it must be\n");
	outb(p->sleep_status, WAK_STS);
	outb(p->sleep_control, (uint8_t)(p->slp_typ_s5 << 2 | SLP_EN));
	printf("power: FAIL still running after the S5 write\n");
	return NOT_ENDED;
}

static uint32_t reset(const struct acpi_power *p, uint32_t boot)
{
	volatile uint32_t *mark = (volatile uint32_t *)(uintptr_t)MARK_ADDR;
	if (*mark) {
		printf("power: FAIL RAM at 0x%x holds 0x%x at boot %u: not zeroed\n", MARK_ADDR, *mark, boot);
		return EXIT_FAIL;
	}
	if (read_cr4()) {
		printf("power: FAIL CR4 is 0x%x at boot %u, not the entry state 0\n", read_cr4(), boot);
		return EXIT_FAIL;
	}
	if (boot == 0) {
		*mark = MARK;
		write_cr4(read_cr4() | CR4_PSE);
		printf("power: mark at 0x%x and CR4.PSE set; resetting\n", MARK_ADDR);
		outb(p->reset_port, p->reset_value);
		printf("power: FAIL still running after the reset write\n");
		return NOT_ENDED;
	}
	if (boot == 1) {
		printf("power: restarted: RAM zeroed, CR4 back at 0\n");
		return EXIT_PASS;
	}
	printf("power: FAIL boot %u: restarted more often than asked\n", boot);
	return EXIT_FAIL;
}

uint32_t guest_main(uint32_t magic, const struct mb_info *mbi)
{
	(void)magic;
	(void)mbi;
	const char *m = cmdline_value("mode");
	char mode[16] = "";
	if (m)
		memcpy(mode, m, strlen(m) < sizeof(mode) ? strlen(m) + 1 : sizeof(mode) - 1);
	uint32_t boot = restarts_so_far();
	printf("power: boot %u (mode %s)\n", boot, mode);
	struct acpi_power p;
	if (acpi_power_find(&p))
		return EXIT_FAIL;
	printf("power: FADT: sleep control 0x%x, status 0x%x, reset 0x%x <- 0x%x; \\_S5 SLP_TYP %u\n",
	       p.sleep_control, p.sleep_status, p.reset_port, p.reset_value, p.slp_typ_s5);
	if (!strcmp(mode, "poweroff"))
		return power_off(&p);
	if (!strcmp(mode, "reset"))
		return reset(&p, boot);
	printf("power: FAIL unknown mode '%s' (poweroff | reset)\n", mode);
	return BAD_MODE;
}
