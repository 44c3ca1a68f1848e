/*
 * The guest's ACPI tables (hv/guest_acpi.c) read back independently: the RSDP found where
 * an OS looks (0xE0000, and the legacy 16-byte scan of 0xE0000..0xFFFFF), every checksum,
 * the FADT fields at the byte offsets ACPI 6.5 5.2.9 table 5.9 gives (read raw, not through
 * the struct under test), the MADT through the hypervisor's own parser (drivers/
 * acpi_madt.c, which follows the tables' addresses as pointers: so the 128 KiB at
 * guest-physical 0xE0000 is also mapped at host address 0xE0000, the same pages), the DSDT's
 * AML against bytes written out by hand from ACPI 6.5 chapter 20 and 6.4.2, and the power
 * registers' decoding against what the tables promise. The tables are also written to
 * $HV_TEST_BUILD/acpi/ for tests/host/acpi_iasl.sh (ACPICA's disassembler, `make unit`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "hv/guest_acpi.h"
#include "hv/guest_power.h"
#include "tests/host/harness.h"

#define GUEST_SIZE GUEST_ACPI_END /* the tables' window is the top of this guest */

static uint8_t *guest;   /* guest-physical 0 */
static int guest_fd = -1;

/* Guest memory in a memfd; its 0xE0000..0xFFFFF also at host 0xE0000 (see above). */
static int map_guest(void)
{
	if (guest)
		return 0;
	guest_fd = memfd_create("guest", 0);
	if (guest_fd < 0 || ftruncate(guest_fd, GUEST_SIZE))
		return -1;
	void *g = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, guest_fd, 0);
	void *w = mmap((void *)(uintptr_t)GUEST_ACPI_BASE, GUEST_ACPI_END - GUEST_ACPI_BASE,
		       PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, guest_fd, GUEST_ACPI_BASE);
	if (g == MAP_FAILED || w != (void *)(uintptr_t)GUEST_ACPI_BASE) {
		fprintf(stderr, "test_guest_acpi: cannot map the window at 0x%llx: %s\n",
			(unsigned long long)GUEST_ACPI_BASE, strerror(errno));
		return -1;
	}
	guest = g;
	return 0;
}

static int build(bool ioapic)
{
	if (map_guest())
		return -1;
	memset(guest, 0, GUEST_SIZE);
	struct guest_mem mem = { guest, GUEST_SIZE };
	struct guest_acpi_params p = { .ioapic = ioapic };
	char err[160];
	return guest_acpi_build(&mem, &p, err, sizeof(err));
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* A table by guest-physical address, its signature and checksum checked. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	if (gpa < GUEST_ACPI_BASE || gpa + 36 > GUEST_SIZE)
		return NULL;
	const uint8_t *t = guest + gpa;
	uint32_t len = rd32(t + 4);
	if (memcmp(t, sig, 4) || len < 36 || gpa + len > GUEST_SIZE || sum(t, len))
		return NULL;
	return t;
}

/* The XSDT's entry with this signature (5.2.8), or NULL. */
static const uint8_t *find(const char *sig)
{
	const uint8_t *x = table(rd64(guest + GUEST_ACPI_RSDP_GPA + 24), "XSDT");
	if (!x)
		return NULL;
	for (uint32_t off = 36; off + 8 <= rd32(x + 4); off += 8) {
		uint64_t a = rd64(x + off);
		if (a + 4 <= GUEST_SIZE && !memcmp(guest + a, sig, 4))
			return table(a, sig);
	}
	return NULL;
}

TEST(guest_acpi_rsdp_where_an_os_looks)
{
	REQUIRE(build(true) == 0);
	/* 5.2.5.1: on a 16-byte boundary in 0xE0000..0xFFFFF; the first one found is ours. */
	uint64_t found = 0;
	for (uint64_t a = GUEST_ACPI_BASE; a < GUEST_ACPI_END && !found; a += 16)
		if (!memcmp(guest + a, "RSD PTR ", 8) && !sum(guest + a, 20))
			found = a;
	CHECK_EQ(found, 0xE0000);
	const uint8_t *r = guest + 0xE0000;
	CHECK_EQ(r[15], 2);               /* revision 2 (ACPI 2.0+) */
	CHECK_EQ(rd32(r + 20), 36);       /* length */
	CHECK_EQ(sum(r, 20), 0);          /* checksum: first 20 bytes */
	CHECK_EQ(sum(r, 36), 0);          /* extended checksum: all 36 */
	CHECK(table(rd64(r + 24), "XSDT") != NULL);
	const uint8_t *x = table(rd64(r + 24), "XSDT");
	REQUIRE(x);
	CHECK_EQ(rd32(x + 4), 36 + 2 * 8); /* FADT and MADT */
}

TEST(guest_acpi_fadt_is_hardware_reduced_with_sleep_and_reset_registers)
{
	REQUIRE(build(true) == 0);
	const uint8_t *f = find("FACP");
	REQUIRE(f);
	CHECK_EQ(rd32(f + 4), 276); /* 5.2.9 table 5.9: revision 6 length */
	CHECK_EQ(f[8], 6);
	CHECK_EQ(f[131], 5);                      /* minor version */
	CHECK_EQ(rd32(f + 40), 0);                /* DSDT: X_DSDT only */
	CHECK(table(rd64(f + 140), "DSDT") != NULL);
	CHECK_EQ(rd32(f + 36), 0);                /* no FACS (allowed when HW-reduced) */
	CHECK_EQ(rd64(f + 132), 0);
	uint32_t flags = rd32(f + 112);
	CHECK(flags & (1u << 20));                /* HW_REDUCED_ACPI */
	CHECK(flags & (1u << 10));                /* RESET_REG_SUP */
	uint16_t boot = (uint16_t)(f[109] | f[110] << 8);
	CHECK(!(boot & (1u << 5)));               /* CMOS RTC present (hv/vrtc.h) */
	CHECK_EQ(f[108], 0x32);                   /* CENTURY: the RTC's century register */
	CHECK(boot & (1u << 2));                  /* VGA not present */
	CHECK(!(boot & (1u << 1)));               /* no 8042 */
	CHECK_EQ(rd32(f + 46) & 0xffff, 0);       /* SCI_INT: none */
	CHECK_EQ(rd32(f + 76), 0);                /* PM_TMR_BLK: none */
	/* GAS (5.2.3.2): space 1 = system I/O, 8 bits at offset 0, byte access, address. */
	const struct { unsigned off; uint16_t port; } gas[] = {
		{ 116, GUEST_PM_RESET_PORT },
		{ 244, GUEST_PM_SLEEP_CONTROL_PORT },
		{ 256, GUEST_PM_SLEEP_STATUS_PORT },
	};
	for (size_t i = 0; i < 3; i++) {
		const uint8_t *g = f + gas[i].off;
		CHECK_EQ(g[0], 1);
		CHECK_EQ(g[1], 8);
		CHECK_EQ(g[2], 0);
		CHECK_EQ(g[3], 1);
		CHECK_EQ(rd64(g + 4), gas[i].port);
	}
	CHECK_EQ(f[128], GUEST_PM_RESET_VALUE);
	CHECK_EQ(guest_power_decode(GUEST_PM_RESET_PORT, f[128]), POWER_RESET);
}

TEST(guest_acpi_madt_read_by_the_hypervisors_parser)
{
	const struct acpi_rsdp *rsdp = (const struct acpi_rsdp *)(uintptr_t)GUEST_ACPI_RSDP_GPA;
	uint32_t ids[4];
	char err[160];
	struct madt_isa_route route;
	for (int io = 0; io <= 1; io++) {
		REQUIRE(build(io) == 0);
		const uint8_t *m = find("APIC");
		REQUIRE(m);
		CHECK_EQ(rd32(m + 36), 0xFEE00000);  /* local APIC address */
		CHECK_EQ(rd32(m + 40) & 1, 0);       /* no PCAT_COMPAT: no 8259 */
		CHECK_EQ(rd32(m + 4), 44 + 8 + (io ? 12 : 0));
		/* type 0: UID 0, APIC ID 0, enabled */
		CHECK(m[44] == 0 && m[45] == 8 && m[46] == 0 && m[47] == 0 && rd32(m + 48) == 1);
		REQUIRE(acpi_madt_cpus(rsdp, ids, 4, err, sizeof(err)) == 1);
		CHECK_EQ(ids[0], 0);
		int rc = acpi_madt_isa_irq(rsdp, 4, &route, err, sizeof(err));
		if (!io) {
			CHECK_EQ(rc, -1); /* no I/O APIC listed */
			continue;
		}
		REQUIRE(rc == 0);
		CHECK_EQ(route.gsi, 4); /* COM1's IRQ 4, no override: GSI 4, edge, high */
		CHECK(!route.level && !route.active_low);
		CHECK_EQ(route.ioapic_addr, 0xFEC00000);
		CHECK_EQ(route.ioapic_gsi_base, 0);
		CHECK_EQ(route.ioapic_id, GUEST_IOAPIC_ID);
	}
}

/* The DSDT's AML, assembled by hand from ACPI 6.5 20.2 and 6.4.2 (see hv/guest_acpi_dsdt.c
 * for the ASL): Scope(\_SB) { Device(COM1) {...} Device(RTC) {...} } and
 * Name(\_S5, Package(){5, 5}). */
static const uint8_t com1_body[] = {
	'C', 'O', 'M', '1',
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01, /* EisaId("PNP0501") */
	0x08, '_', 'U', 'I', 'D', 0x01,              /* One */
	0x08, '_', 'S', 'T', 'A', 0x0a, 0x0f,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x00, 0x0a, 0x00, /* Buffer(patched) { */
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, /* IO (Decode16, 0x3F8, 0x3F8, 1, 8) */
};
static const uint8_t irq4[] = { 0x22, 0x10, 0x00 }; /* IRQNoFlags () {4} */
static const uint8_t end_tag[] = { 0x79, 0x00 };
static const uint8_t rtc_body[] = {
	'R', 'T', 'C', '_',
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0b, 0x00, /* EisaId("PNP0B00") */
	0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a, /* Buffer (10 bytes) { */
	0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02, /* IO (Decode16, 0x70, 0x70, 1, 2) */
	0x79, 0x00,                                     /* EndTag } */
};
static const uint8_t s5[] = {
	0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05,
};

/* op, then PkgLength (20.2.4: one byte to 63, else two: 0x40 | low nibble, then the rest)
 * counting itself, then body. Returns the bytes written. */
static size_t pkg(uint8_t *out, const uint8_t *op, size_t oplen, const uint8_t *body, size_t n)
{
	size_t k = 0;
	memcpy(out, op, oplen);
	k = oplen;
	if (n + 1 <= 63) {
		out[k++] = (uint8_t)(n + 1);
	} else {
		out[k++] = (uint8_t)(0x40 | ((n + 2) & 0xf));
		out[k++] = (uint8_t)((n + 2) >> 4);
	}
	memcpy(out + k, body, n);
	return k + n;
}

TEST(guest_acpi_dsdt_aml_as_assembled_by_hand)
{
	static const uint8_t dev_op[] = { 0x5b, 0x82 }, scope_op[] = { 0x10 };
	for (int io = 0; io <= 1; io++) {
		REQUIRE(build(io) == 0);
		const uint8_t *f = find("FACP");
		REQUIRE(f);
		const uint8_t *d = table(rd64(f + 140), "DSDT");
		REQUIRE(d);
		CHECK_EQ(d[8], 2); /* revision 2: 64-bit integers */
		uint8_t com1[96], sb[192], want[256];
		size_t n = sizeof(com1_body);
		memcpy(com1, com1_body, n);
		if (io) {
			memcpy(com1 + n, irq4, sizeof(irq4));
			n += sizeof(irq4);
		}
		memcpy(com1 + n, end_tag, sizeof(end_tag));
		n += sizeof(end_tag);
		size_t crs = io ? 13 : 10;          /* resource bytes */
		com1[35] = (uint8_t)crs;            /* BufferSize */
		com1[33] = (uint8_t)(crs + 3);      /* Buffer PkgLength: itself, size, data */
		size_t k = 0;
		memcpy(sb, "\\_SB_", 5);
		k = 5;
		k += pkg(sb + k, dev_op, 2, com1, n);
		k += pkg(sb + k, dev_op, 2, rtc_body, sizeof(rtc_body));
		size_t w = pkg(want, scope_op, 1, sb, k);
		memcpy(want + w, s5, sizeof(s5));
		w += sizeof(s5);
		CHECK_EQ(rd32(d + 4), 36 + w);
		CHECK(rd32(d + 4) == 36 + w && !memcmp(d + 36, want, w));
		/* \_S5's SLP_TYPa, written with SLP_EN as an OS does (ACPI 6.5 7.4.2.5, 4.8.3.7),
		 * is what the sleep control register takes as power-off. */
		uint8_t slp_typ = d[36 + w - 3];
		CHECK_EQ(guest_power_decode(GUEST_PM_SLEEP_CONTROL_PORT,
					    (uint8_t)(slp_typ << 2 | 1u << 5)), POWER_OFF);
	}
}

TEST(guest_power_register_decoding)
{
	CHECK_EQ(guest_power_decode(GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2), POWER_NONE); /* no SLP_EN */
	CHECK_EQ(guest_power_decode(GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2 | 0x20), POWER_OFF);
	CHECK_EQ(guest_power_decode(GUEST_PM_SLEEP_CONTROL_PORT, 5 << 2 | 0x20 | 0xc3), POWER_OFF);
	for (unsigned t = 0; t < 8; t++)
		if (t != 5)
			CHECK_EQ(guest_power_decode(GUEST_PM_SLEEP_CONTROL_PORT, (uint8_t)(t << 2 | 0x20)),
				 POWER_BAD_SLEEP);
	CHECK_EQ(guest_power_decode(GUEST_PM_RESET_PORT, 0x0e), POWER_RESET);
	CHECK_EQ(guest_power_decode(GUEST_PM_RESET_PORT, 0x0f), POWER_NONE);
	CHECK_EQ(guest_power_decode(GUEST_PM_RESET_PORT, 0x00), POWER_NONE);
	CHECK_EQ(guest_power_decode(GUEST_PM_SLEEP_STATUS_PORT, 0xff), POWER_NONE);
	CHECK_EQ(guest_power_read(GUEST_PM_SLEEP_STATUS_PORT), 0); /* WAK_STS clear */
	CHECK(guest_power_port(0x604) && guest_power_port(0x606));
	CHECK(!guest_power_port(0x603) && !guest_power_port(0x607));
}

static int dump(const char *dir, const char *name, const uint8_t *t)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t len = rd32(t + 4);
	int rc = fwrite(t, 1, len, f) == len ? 0 : -1;
	return fclose(f) || rc ? -1 : 0;
}

/* The tables of a guest with and without an I/O APIC, through ACPICA's disassembler and
 * compiler (tests/host/acpi_iasl.sh: it fails, never skips, when iasl is missing). */
TEST(guest_acpi_tables_read_back_by_iasl)
{
	/* make unit names its build folder (default: build); run from the repository root. */
	const char *b = getenv("HV_TEST_BUILD");
	if (!b || !*b)
		b = "build";
	for (int io = 0; io <= 1; io++) {
		char dir[400];
		snprintf(dir, sizeof(dir), "%s/acpi/%s", b, io ? "ioapic" : "no-ioapic");
		char cmd[480];
		snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
		REQUIRE(system(cmd) == 0);
		REQUIRE(build(io) == 0);
		const uint8_t *f = find("FACP");
		REQUIRE(f);
		CHECK(dump(dir, "facp.dat", f) == 0);
		CHECK(dump(dir, "apic.dat", find("APIC")) == 0);
		CHECK(dump(dir, "dsdt.dat", guest + rd64(f + 140)) == 0);
		CHECK(dump(dir, "xsdt.dat", guest + rd64(guest + GUEST_ACPI_RSDP_GPA + 24)) == 0);
	}
	char cmd[480];
	snprintf(cmd, sizeof(cmd), "tests/host/acpi_iasl.sh '%s/acpi'", b);
	fflush(stdout); /* the script's lines after the ones already printed */
	CHECK(system(cmd) == 0);
}
