/* Masking every I/O APIC pin at takeover (drivers/ioapic.h, arch/x86/host_ioapics.c) against
 * a model of the 82093AA's registers (datasheet 3.1, 3.2.4): IOREGSEL selects, the version
 * register (0x01) gives the last pin in bits 23:16, redirection entries at 0x10 + 2 * pin
 * with delivery status (bit 12) and remote IRR (bit 14) read-only. And the MADT's I/O APIC
 * list (drivers/acpi_madt.h). */
#include <string.h>
#include "drivers/acpi_madt.h"
#include "drivers/ioapic.h"
#include "tests/host/acpi_test_util.h"
#include "tests/host/harness.h"

#define RO_BITS ((1u << 12) | (1u << 14))

struct model {
	uint32_t version;
	uint32_t rte[2 * 24];
	unsigned writes;
};

static uint32_t m_rd(void *ctx, uint32_t index)
{
	struct model *m = ctx;
	if (index == 0x01)
		return m->version;
	unsigned pins = ((m->version >> 16) & 0xff) + 1;
	if (index >= 0x10 && index < 0x10 + 2 * pins)
		return m->rte[index - 0x10];
	return 0;
}

static void m_wr(void *ctx, uint32_t index, uint32_t value)
{
	struct model *m = ctx;
	unsigned pins = ((m->version >> 16) & 0xff) + 1;
	m->writes++;
	if (index < 0x10 || index >= 0x10 + 2 * pins)
		return;
	uint32_t *r = &m->rte[index - 0x10];
	*r = (index & 1) ? value : (value & ~RO_BITS) | (*r & RO_BITS);
}

TEST(ioapic_mask_all_masks_every_pin_and_keeps_the_rest)
{
	struct model m = { .version = 0x00170020 }; /* 24 pins */
	for (unsigned pin = 0; pin < 24; pin++)
		m.rte[2 * pin] = 1u << 16; /* masked, as after reset */
	m.rte[2 * 0] = 0x30;                          /* timer, edge, unmasked */
	m.rte[2 * 9] = 0x41 | (1u << 15) | (1u << 13) | (1u << 14); /* SCI: level, low, remote IRR */
	m.rte[2 * 9 + 1] = 3u << 24;
	m.rte[2 * 23] = 0x99;
	const struct ioapic_io io = { m_rd, m_wr, &m };
	unsigned pins = 0;
	CHECK_EQ(ioapic_mask_all_io(&io, &pins), 3);
	CHECK_EQ(pins, 24);
	for (unsigned pin = 0; pin < 24; pin++)
		CHECK(m.rte[2 * pin] & (1u << 16));
	CHECK_EQ(m.rte[2 * 0], 0x30u | (1u << 16));
	CHECK_EQ(m.rte[2 * 9], 0x41u | (1u << 15) | (1u << 13) | (1u << 14) | (1u << 16));
	CHECK_EQ(m.rte[2 * 9 + 1], 3u << 24); /* destination untouched */
	CHECK_EQ(m.rte[2 * 23], 0x99u | (1u << 16));
	CHECK_EQ(m.writes, 3); /* entries already masked are not written */
	/* Again: nothing left to mask. */
	CHECK_EQ(ioapic_mask_all_io(&io, &pins), 0);
	CHECK_EQ(m.writes, 3);
}

TEST(ioapic_mask_all_follows_the_pin_count_and_a_silent_chip)
{
	struct model m = { .version = 0x000f0011 }; /* 16 pins */
	memset(m.rte, 0, sizeof(m.rte));            /* all unmasked */
	const struct ioapic_io io = { m_rd, m_wr, &m };
	unsigned pins = 0;
	CHECK_EQ(ioapic_mask_all_io(&io, &pins), 16);
	CHECK_EQ(pins, 16);
	CHECK_EQ(m.rte[2 * 16], 0u); /* past the last pin: never written */
	m.version = 0xffffffffu;     /* nothing answers: all ones */
	m.writes = 0;
	CHECK_EQ(ioapic_mask_all_io(&io, &pins), -1);
	CHECK_EQ(m.writes, 0);
}

struct fake_acpi {
	struct acpi_rsdp rsdp;
	uint8_t xsdt[36 + 8];
	uint8_t madt[128];
};

static void build(struct fake_acpi *a, const uint8_t *entries, size_t n)
{
	memset(a, 0, sizeof(*a));
	struct acpi_header *m = (struct acpi_header *)a->madt;
	memcpy(m->signature, "APIC", 4);
	m->length = (uint32_t)(sizeof(*m) + 8 + n);
	memcpy(a->madt + sizeof(*m) + 8, entries, n);
	fix_checksum(m, m->length, &m->checksum);
	struct acpi_header *x = (struct acpi_header *)a->xsdt;
	memcpy(x->signature, "XSDT", 4);
	x->length = sizeof(a->xsdt);
	uint64_t addr = (uint64_t)(uintptr_t)a->madt;
	memcpy(a->xsdt + 36, &addr, 8);
	fix_checksum(x, x->length, &x->checksum);
	memcpy(a->rsdp.signature, "RSD PTR ", 8);
	a->rsdp.revision = 2;
	a->rsdp.xsdt_address = (uint64_t)(uintptr_t)a->xsdt;
	fix_checksum(&a->rsdp, 20, &a->rsdp.checksum);
}

TEST(madt_lists_every_ioapic_once)
{
	static struct fake_acpi a;
	const uint8_t e[] = {
		0, 8, 0, 0, 1, 0, 0, 0,                       /* a CPU */
		1, 12, 2, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0,    /* I/O APIC 2 at 0xFEC00000, GSI 0 */
		2, 10, 0, 0, 2, 0, 0, 0, 0, 0,                /* an override: not an I/O APIC */
		1, 12, 3, 0, 0, 0x10, 0xc0, 0xfe, 24, 0, 0, 0, /* I/O APIC 3 at 0xFEC01000, GSI 24 */
		1, 12, 2, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0,    /* the first again: once */
	};
	build(&a, e, sizeof(e));
	struct madt_ioapic_ref io[4];
	char err[128];
	REQUIRE(acpi_madt_ioapics(&a.rsdp, io, 4, err, sizeof(err)) == 2);
	CHECK_EQ(io[0].addr, 0xfec00000ull);
	CHECK_EQ(io[0].id, 2);
	CHECK_EQ(io[0].gsi_base, 0u);
	CHECK_EQ(io[1].addr, 0xfec01000ull);
	CHECK_EQ(io[1].id, 3);
	CHECK_EQ(io[1].gsi_base, 24u);
	CHECK_EQ(acpi_madt_ioapics(&a.rsdp, io, 1, err, sizeof(err)), 1); /* at most max */
	const uint8_t none[] = { 0, 8, 0, 0, 1, 0, 0, 0 };
	build(&a, none, sizeof(none));
	CHECK_EQ(acpi_madt_ioapics(&a.rsdp, io, 4, err, sizeof(err)), 0);
	const uint8_t bad[] = { 1, 12, 2, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0, 0, 40, 0, 0 };
	build(&a, bad, sizeof(bad));
	CHECK_EQ(acpi_madt_ioapics(&a.rsdp, io, 4, err, sizeof(err)), -1);
	CHECK(strstr(err, "bad length") != NULL);
	CHECK_EQ(acpi_madt_ioapics(NULL, io, 4, err, sizeof(err)), -1);
}
