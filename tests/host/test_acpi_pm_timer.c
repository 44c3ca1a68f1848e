/* The ACPI PM timer's FADT lookup and arithmetic (drivers/acpi_pm_timer.h), against FADTs
 * laid out from the ACPI 6.5 table 5.9 offsets, not from the code's constants. */
#include <string.h>
#include "drivers/acpi_pm_timer.h"
#include "tests/host/acpi_test_util.h"
#include "tests/host/harness.h"

struct fake_tables {
	struct acpi_rsdp rsdp;
	uint8_t xsdt[36 + 16];
	uint8_t other[40];
	uint8_t fadt[276]; /* ACPI 6.5 FADT length */
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* An FADT of len bytes: PM_TMR_BLK (offset 76) = blk, PM_TMR_LEN (91) = tlen, Flags (112)
 * = flags, X_PM_TMR_BLK (208: space id byte, then the address at 212) = xspace / xaddr. */
static void build(struct fake_tables *t, uint32_t len, uint32_t blk, uint8_t tlen, uint32_t flags,
		  uint8_t xspace, uint64_t xaddr)
{
	memset(t, 0, sizeof(*t));
	struct acpi_header *o = (struct acpi_header *)t->other;
	memcpy(o->signature, "SSDT", 4);
	o->length = sizeof(t->other);
	fix_checksum(o, o->length, &o->checksum);
	struct acpi_header *f = (struct acpi_header *)t->fadt;
	memcpy(f->signature, "FACP", 4);
	f->length = len;
	put32(t->fadt + 76, blk);
	t->fadt[91] = tlen;
	put32(t->fadt + 112, flags);
	if (len >= 220) {
		t->fadt[208] = xspace;
		t->fadt[209] = 32; /* register bit width */
		put64(t->fadt + 212, xaddr);
	}
	fix_checksum(f, f->length, &f->checksum);
	struct acpi_header *x = (struct acpi_header *)t->xsdt;
	memcpy(x->signature, "XSDT", 4);
	x->length = sizeof(t->xsdt);
	put64(t->xsdt + 36, (uint64_t)(uintptr_t)t->other);
	put64(t->xsdt + 44, (uint64_t)(uintptr_t)t->fadt);
	fix_checksum(x, x->length, &x->checksum);
	memcpy(t->rsdp.signature, "RSD PTR ", 8);
	t->rsdp.revision = 2;
	t->rsdp.xsdt_address = (uint64_t)(uintptr_t)t->xsdt;
	fix_checksum(&t->rsdp, 20, &t->rsdp.checksum);
}

TEST(acpi_pm_timer_found_in_fadt)
{
	static struct fake_tables t;
	struct acpi_pm_timer pm;
	/* OVMF on q35: PM_TMR_BLK 0x608, X_PM_TMR_BLK system I/O 0x608, 24-bit. */
	build(&t, 276, 0x608, 4, 0, 1, 0x608);
	REQUIRE(acpi_pm_timer_find(&t.rsdp, &pm) == 0);
	CHECK_EQ(pm.port, 0x608);
	CHECK(!pm.wide);
	/* X_PM_TMR_BLK wins over PM_TMR_BLK; TMR_VAL_EXT (flags bit 8) makes it 32-bit. */
	build(&t, 276, 0x408, 4, 1u << 8, 1, 0xb008);
	REQUIRE(acpi_pm_timer_find(&t.rsdp, &pm) == 0);
	CHECK_EQ(pm.port, 0xb008);
	CHECK(pm.wide);
	/* An ACPI 1.0 FADT (116 bytes) has no X_ field: PM_TMR_BLK. */
	build(&t, 116, 0x808, 4, 0, 0, 0);
	REQUIRE(acpi_pm_timer_find(&t.rsdp, &pm) == 0);
	CHECK_EQ(pm.port, 0x808);
}

TEST(acpi_pm_timer_absent_or_unusable)
{
	static struct fake_tables t;
	struct acpi_pm_timer pm;
	build(&t, 276, 0, 0, 0, 0, 0); /* no timer */
	CHECK(acpi_pm_timer_find(&t.rsdp, &pm) == -1);
	build(&t, 276, 0x608, 4, 1u << 20, 1, 0x608); /* HW_REDUCED_ACPI (flags bit 20) */
	CHECK(acpi_pm_timer_find(&t.rsdp, &pm) == -1);
	build(&t, 276, 0x608, 4, 0, 0, 0xfed00000); /* X_ field in memory space */
	CHECK(acpi_pm_timer_find(&t.rsdp, &pm) == -1);
	build(&t, 276, 0x608, 2, 0, 1, 0x608); /* PM_TMR_LEN must be 4 */
	CHECK(acpi_pm_timer_find(&t.rsdp, &pm) == -1);
	build(&t, 276, 0x608, 4, 0, 1, 0x608);
	t.fadt[100] ^= 1; /* bad checksum: the table is not used */
	CHECK(acpi_pm_timer_find(&t.rsdp, &pm) == -1);
	build(&t, 276, 0x608, 4, 0, 1, 0x608);
	t.rsdp.signature[0] = 'X';
	CHECK(acpi_pm_timer_find(&t.rsdp, &pm) == -1);
	CHECK(acpi_pm_timer_find(NULL, &pm) == -1);
}

TEST(acpi_pm_timer_arithmetic)
{
	struct acpi_pm_timer narrow = { 0x608, false }, wide = { 0x608, true };
	CHECK_EQ(acpi_pm_ticks(&narrow, 100, 300), 200);
	CHECK_EQ(acpi_pm_ticks(&narrow, 0xfffff0, 0x10), 0x20); /* 24-bit wrap */
	CHECK_EQ(acpi_pm_ticks(&wide, 0xfffffff0u, 0x10), 0x20);
	CHECK_EQ(acpi_pm_ticks(&wide, 0xfffff0, 0x1000010), 0x20);
	/* 20 ms = 71591 ticks; a 2.5 GHz TSC counts 50,000,000 in 20 ms. */
	CHECK_EQ(acpi_pm_tsc_khz(50000000, 71591), 2499997);
	CHECK_EQ(acpi_pm_tsc_khz(3579545, 3579545), 3580); /* TSC at the timer's own rate */
	CHECK_EQ(acpi_pm_tsc_khz(123, 0), 0);
}
