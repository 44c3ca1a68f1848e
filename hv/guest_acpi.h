/*
 * The guest's firmware tables: ACPI 6.5 RSDP, XSDT, MADT, FADT and DSDT, built per guest
 * from its configuration into its own memory at guest-physical 0xE0000..0xFFFFF (inside
 * the legacy hole that its memory map reports reserved). The RSDP is at 0xE0000, so both
 * a Linux zero page's acpi_rsdp_addr and the legacy scan of 0xE0000..0xFFFFF (5.2.5.1)
 * find it.
 *
 * What the tables describe: one processor (local APIC ID 0, UID 0) at 0xFEE00000 and no
 * 8259 (MADT flags without PCAT_COMPAT), an I/O APIC at 0xFEC00000 (GSI base 0) when the
 * guest has one; a hardware-reduced platform (FADT HW_REDUCED_ACPI: no PM timer, no SCI,
 * no fixed events) without CMOS RTC, VGA, 8042 or MSI, whose sleep control/status and
 * reset registers are the I/O ports of hv/guest_power.h; a DSDT with COM1 (PNP0501, I/O
 * 0x3F8-0x3FF, IRQ 4 only when an I/O APIC delivers it) and \_S5.
 */
#ifndef HV_GUEST_ACPI_H
#define HV_GUEST_ACPI_H

#include "drivers/acpi_madt.h"
#include "hv/multiboot_load.h"
#include "hv/types.h"

#define GUEST_ACPI_BASE 0xE0000ull
#define GUEST_ACPI_END 0x100000ull
#define GUEST_ACPI_RSDP_GPA GUEST_ACPI_BASE
/* Where each table goes (offsets from GUEST_ACPI_BASE; checked against their sizes). */
#define GUEST_ACPI_XSDT_OFF 0x040
#define GUEST_ACPI_FADT_OFF 0x100
#define GUEST_ACPI_MADT_OFF 0x300
#define GUEST_ACPI_DSDT_OFF 0x400
#define GUEST_ACPI_DSDT_MAX 0x400

#define GUEST_LAPIC_GPA 0xFEE00000u
#define GUEST_IOAPIC_GPA 0xFEC00000u
#define GUEST_IOAPIC_ID 1 /* the I/O APIC's ID register reads this (hv/vioapic.c) */
#define GUEST_COM1_IRQ 4  /* ISA IRQ 4 = GSI 4: identity, so no interrupt source override */

struct guest_acpi_params {
	bool ioapic; /* the guest has an I/O APIC: MADT entry, COM1's IRQ in the DSDT */
};

/* ACPI 6.5 5.2.3.2 Generic Address Structure. */
struct PACKED acpi_gas {
	uint8_t space_id;     /* 0 system memory, 1 system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;  /* 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
};
_Static_assert(sizeof(struct acpi_gas) == 12, "ACPI 6.5 5.2.3.2: GAS is 12 bytes");
#define ACPI_GAS_IO 1
#define ACPI_GAS_BYTE 1

/* ACPI 6.5 5.2.9 table 5.9: FADT, revision 6 (minor 5), 276 bytes. */
struct PACKED acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl, dsdt;
	uint8_t reserved0, preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len;
	uint8_t gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
};
_Static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 6.5 5.2.9: FADT revision 6 is 276 bytes");
_Static_assert(offsetof(struct acpi_fadt, dsdt) == 40, "FADT DSDT at 40");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "FADT SCI_INT at 46");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "FADT PM_TMR_BLK at 76");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT IAPC_BOOT_ARCH at 109");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags at 112");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT RESET_REG at 116");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "FADT RESET_VALUE at 128");
_Static_assert(offsetof(struct acpi_fadt, minor_version) == 131, "FADT minor version at 131");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT at 140");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_evt_blk) == 148, "FADT X_PM1a_EVT_BLK at 148");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT SLEEP_CONTROL_REG at 244");
_Static_assert(offsetof(struct acpi_fadt, sleep_status_reg) == 256, "FADT SLEEP_STATUS_REG at 256");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268, "FADT vendor id at 268");

/* 5.2.9 table 5.10, fixed feature flags. */
#define FADT_WBINVD BIT(0)
#define FADT_PWR_BUTTON BIT(4) /* no fixed-feature power button */
#define FADT_SLP_BUTTON BIT(5) /* no fixed-feature sleep button */
#define FADT_RESET_REG_SUP BIT(10)
#define FADT_HW_REDUCED_ACPI BIT(20)
/* 5.2.9.3 table 5.11, IA-PC boot architecture flags. LEGACY_DEVICES (0) and 8042 (1) clear:
 * no ISA devices beyond what the DSDT lists, no keyboard controller. */
#define FADT_BOOT_VGA_NOT_PRESENT BIT(2)
#define FADT_BOOT_MSI_NOT_SUPPORTED BIT(3)
#define FADT_BOOT_CMOS_RTC_NOT_PRESENT BIT(5)

/* 5.2.12 table 5.19: the MADT's fixed part. The local APIC (5.2.12.2, type 0) and I/O APIC
 * (5.2.12.3, type 1) structures are drivers/acpi_madt.h's madt_lapic and madt_ioapic. */
struct PACKED acpi_madt_fixed {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags; /* bit 0 PCAT_COMPAT: clear, no 8259 to mask */
};
_Static_assert(sizeof(struct acpi_madt_fixed) == 44, "ACPI 6.5 5.2.12: MADT entries start at 44");
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1

/* Write the tables into mem (which must reach GUEST_ACPI_END). 0, or -1 with err filled. */
int guest_acpi_build(struct guest_mem *mem, const struct guest_acpi_params *p, char *err,
		     size_t errlen);

/* hv/guest_acpi_dsdt.c: the DSDT's AML (ACPI 6.5 chapter 20) for p into buf (at most max
 * bytes, header included, checksum left 0). Returns its length, or 0 if it does not fit. */
size_t guest_acpi_dsdt(uint8_t *buf, size_t max, const struct guest_acpi_params *p);
/* Fill a table header (5.2.6) with our OEM fields; the checksum is set by acpi_checksum. */
void guest_acpi_header(struct acpi_header *h, const char sig[4], uint32_t length, uint8_t revision);
/* The byte that makes the n bytes at p sum to zero (5.2.5.3, 5.2.6). */
uint8_t guest_acpi_checksum(const void *p, size_t n);

#endif
