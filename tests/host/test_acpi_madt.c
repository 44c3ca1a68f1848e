#include <string.h>
#include "drivers/acpi_madt.h"
#include "tests/host/acpi_test_util.h"
#include "tests/host/harness.h"

struct fake_acpi {
	struct acpi_rsdp rsdp;
	uint8_t xsdt[36 + 8];
	uint8_t madt[256];
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

TEST(madt_lists_enabled_and_online_capable_cpus)
{
	static struct fake_acpi a;
	const uint8_t e[] = {
		0, 8, 0, 0, 1, 0, 0, 0,     /* APIC 0 enabled */
		0, 8, 1, 2, 0, 0, 0, 0,     /* APIC 2 disabled: skipped */
		1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0, /* IOAPIC: ignored */
		0, 8, 2, 4, 2, 0, 0, 0,     /* APIC 4 online-capable */
		9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, /* x2APIC 256 */
		0, 8, 3, 0, 1, 0, 0, 0,     /* duplicate APIC 0 */
	};
	build(&a, e, sizeof(e));
	uint32_t ids[8];
	char err[128];
	REQUIRE(acpi_madt_cpus(&a.rsdp, ids, 8, err, sizeof(err)) == 3);
	CHECK_EQ(ids[0], 0);
	CHECK_EQ(ids[1], 4);
	CHECK_EQ(ids[2], 256);
}

TEST(madt_rejects_corruption)
{
	static struct fake_acpi a;
	const uint8_t bad_len[] = { 0, 8, 0, 0, 1, 0, 0, 0, 0, 40, 1, 1, 1, 0, 0, 0 };
	uint32_t ids[8];
	char err[128];
	build(&a, bad_len, sizeof(bad_len));
	CHECK(acpi_madt_cpus(&a.rsdp, ids, 8, err, sizeof(err)) == -1);
	CHECK(strstr(err, "bad length") != NULL);
	const uint8_t ok[] = { 0, 8, 0, 0, 1, 0, 0, 0 };
	build(&a, ok, sizeof(ok));
	a.madt[20] ^= 1; /* break the MADT checksum */
	CHECK(acpi_madt_cpus(&a.rsdp, ids, 8, err, sizeof(err)) == -1);
	CHECK(strstr(err, "no valid MADT") != NULL);
	CHECK(acpi_madt_cpus(NULL, ids, 8, err, sizeof(err)) == -1);
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
