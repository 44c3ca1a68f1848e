/* The guest's ACPI tables (see guest_acpi.h): RSDP, XSDT, MADT, FADT; the DSDT's AML is in
 * guest_acpi_dsdt.c. */
#include "hv/guest_acpi.h"
#include "hv/fmt.h"
#include "hv/guest_power.h"
#include "hv/lib.h"
#include "hv/vioapic.h"
#include "hv/vlapic.h"
#include "hv/vrtc.h"

_Static_assert(GUEST_ACPI_XSDT_OFF >= sizeof(struct acpi_rsdp), "RSDP overlaps the XSDT");
_Static_assert(GUEST_ACPI_XSDT_OFF + sizeof(struct acpi_header) + 2 * 8 <= GUEST_ACPI_FADT_OFF,
	       "XSDT overlaps the FADT");
_Static_assert(GUEST_ACPI_FADT_OFF + sizeof(struct acpi_fadt) <= GUEST_ACPI_MADT_OFF,
	       "FADT overlaps the MADT");
_Static_assert(GUEST_ACPI_MADT_OFF + sizeof(struct acpi_madt_fixed) + sizeof(struct madt_lapic) +
			       sizeof(struct madt_ioapic) <= GUEST_ACPI_DSDT_OFF,
	       "MADT overlaps the DSDT");
_Static_assert(GUEST_ACPI_DSDT_OFF + GUEST_ACPI_DSDT_MAX <= GUEST_ACPI_END - GUEST_ACPI_BASE,
	       "DSDT beyond 0xFFFFF");
_Static_assert(GUEST_IOAPIC_GPA == VIOAPIC_BASE && GUEST_IOAPIC_ID == VIOAPIC_ID,
	       "the MADT describes the I/O APIC hv/vioapic.c emulates");
_Static_assert(GUEST_LAPIC_GPA == VLAPIC_DEFAULT_BASE, "the MADT describes the local APIC");
_Static_assert(GUEST_ACPI_RSDP_GPA % 16 == 0, "ACPI 6.5 5.2.5.1: the RSDP is on a 16-byte boundary");

uint8_t guest_acpi_checksum(const void *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((const uint8_t *)p)[i];
	return (uint8_t)-sum;
}

void guest_acpi_header(struct acpi_header *h, const char sig[4], uint32_t length, uint8_t revision)
{
	memcpy(h->signature, sig, 4);
	h->length = length;
	h->revision = revision;
	h->checksum = 0;
	memcpy(h->oem_id, "HVTYPE", 6);
	memcpy(h->oem_table_id, "HVGUEST ", 8);
	h->oem_revision = 1;
	memcpy(&h->creator_id, "HV  ", 4);
	h->creator_revision = 1;
}

static void seal(struct acpi_header *h)
{
	h->checksum = guest_acpi_checksum(h, h->length);
}

static struct acpi_gas io_byte(uint16_t port)
{
	return (struct acpi_gas){ .space_id = ACPI_GAS_IO, .bit_width = 8, .bit_offset = 0,
				  .access_size = ACPI_GAS_BYTE, .address = port };
}

/* 5.2.9: hardware-reduced (4.1), so every PM1/PM2/PM timer/GPE block, SCI and SMI_CMD is 0
 * and FACS is absent (FIRMWARE_CTRL and X_FIRMWARE_CTRL 0 are allowed with HW_REDUCED_ACPI).
 * X_DSDT only: the 32-bit DSDT field stays 0, so no OS has two addresses to choose from. */
static void build_fadt(struct acpi_fadt *f, uint64_t dsdt_gpa)
{
	memset(f, 0, sizeof(*f));
	guest_acpi_header(&f->h, "FACP", sizeof(*f), 6);
	f->flags = FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_RESET_REG_SUP |
		   FADT_HW_REDUCED_ACPI;
	/* The RTC at 0x70/0x71 is there (hv/vrtc.h), with its century byte. */
	f->iapc_boot_arch = FADT_BOOT_VGA_NOT_PRESENT | FADT_BOOT_MSI_NOT_SUPPORTED;
	f->century = VRTC_CENTURY;
	f->reset_reg = io_byte(GUEST_PM_RESET_PORT);
	f->reset_value = GUEST_PM_RESET_VALUE;
	f->minor_version = 5;
	f->x_dsdt = dsdt_gpa;
	f->sleep_control_reg = io_byte(GUEST_PM_SLEEP_CONTROL_PORT);
	f->sleep_status_reg = io_byte(GUEST_PM_SLEEP_STATUS_PORT);
	seal(&f->h);
}

/* 5.2.12: the one local APIC, enabled; the I/O APIC when there is one. ISA IRQ 4 reaches
 * GSI 4 without an interrupt source override (5.2.12.5: ISA IRQs are identity-mapped to
 * GSIs, edge-triggered, active high, unless overridden), which is what COM1 needs. */
static uint32_t build_madt(uint8_t *t, const struct guest_acpi_params *p)
{
	struct acpi_madt_fixed m = { .lapic_address = GUEST_LAPIC_GPA, .flags = 0 };
	struct madt_lapic l = { .type = MADT_TYPE_LAPIC, .length = sizeof(l), .processor_uid = 0,
				.apic_id = 0, .flags = MADT_ENABLED };
	struct madt_ioapic io = { .type = MADT_TYPE_IOAPIC, .length = sizeof(io),
				  .ioapic_id = GUEST_IOAPIC_ID, .address = GUEST_IOAPIC_GPA,
				  .gsi_base = 0 };
	uint32_t len = sizeof(m) + sizeof(l) + (p->ioapic ? sizeof(io) : 0);
	guest_acpi_header(&m.h, "APIC", len, 5);
	memcpy(t, &m, sizeof(m));
	memcpy(t + sizeof(m), &l, sizeof(l));
	if (p->ioapic)
		memcpy(t + sizeof(m) + sizeof(l), &io, sizeof(io));
	seal((struct acpi_header *)t);
	return len;
}

int guest_acpi_build(struct guest_mem *mem, const struct guest_acpi_params *p, char *err,
		     size_t errlen)
{
	if (mem->size < GUEST_ACPI_END) {
		hv_snprintf(err, errlen, "ACPI tables: the guest's memory ends below 0x%llx",
			    (unsigned long long)GUEST_ACPI_END);
		return -1;
	}
	uint8_t *base = mem->base + GUEST_ACPI_BASE;
	memset(base, 0, GUEST_ACPI_END - GUEST_ACPI_BASE);
	uint64_t xsdt_gpa = GUEST_ACPI_BASE + GUEST_ACPI_XSDT_OFF;
	uint64_t fadt_gpa = GUEST_ACPI_BASE + GUEST_ACPI_FADT_OFF;
	uint64_t madt_gpa = GUEST_ACPI_BASE + GUEST_ACPI_MADT_OFF;
	uint64_t dsdt_gpa = GUEST_ACPI_BASE + GUEST_ACPI_DSDT_OFF;

	size_t dsdt_len = guest_acpi_dsdt(base + GUEST_ACPI_DSDT_OFF, GUEST_ACPI_DSDT_MAX, p);
	if (!dsdt_len) {
		hv_snprintf(err, errlen, "ACPI tables: the DSDT does not fit in %u bytes",
			    GUEST_ACPI_DSDT_MAX);
		return -1;
	}
	seal((struct acpi_header *)(base + GUEST_ACPI_DSDT_OFF));
	build_madt(base + GUEST_ACPI_MADT_OFF, p);
	struct acpi_fadt fadt;
	build_fadt(&fadt, dsdt_gpa);
	memcpy(base + GUEST_ACPI_FADT_OFF, &fadt, sizeof(fadt));

	/* 5.2.8: the XSDT's entries are 64-bit addresses, FADT first by convention. */
	struct acpi_header x;
	uint64_t entries[2] = { fadt_gpa, madt_gpa };
	guest_acpi_header(&x, "XSDT", sizeof(x) + sizeof(entries), 1);
	memcpy(base + GUEST_ACPI_XSDT_OFF, &x, sizeof(x));
	memcpy(base + GUEST_ACPI_XSDT_OFF + sizeof(x), entries, sizeof(entries));
	seal((struct acpi_header *)(base + GUEST_ACPI_XSDT_OFF));

	/* 5.2.5.3: revision 2; the checksum covers the first 20 bytes (the ACPI 1.0 part), the
	 * extended checksum all 36. No RSDT: RsdtAddress 0, XsdtAddress set. */
	struct acpi_rsdp r = { .revision = 2, .rsdt_address = 0, .length = sizeof(r),
			       .xsdt_address = xsdt_gpa };
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, "HVTYPE", 6);
	r.checksum = guest_acpi_checksum(&r, 20);
	r.ext_checksum = guest_acpi_checksum(&r, sizeof(r));
	memcpy(base, &r, sizeof(r));
	return 0;
}
