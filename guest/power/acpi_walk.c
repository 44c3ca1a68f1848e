/*
 * The walk an OS makes (ACPI 6.5): RSDP on a 16-byte boundary in 0xE0000..0xFFFFF with a
 * valid checksum (5.2.5.1, 5.2.5.3), its XSDT (5.2.8), the FADT among the XSDT's entries
 * (signature "FACP"), which must be hardware-reduced (5.2.9 flag 20) with a sleep control,
 * sleep status (5.2.9, 4.8.3.7) and reset register (4.8.3.6) in system I/O space, and the
 * DSDT at X_DSDT, whose \_S5 object (7.4.2.5) gives the S5 sleep type. The DSDT is not
 * interpreted: like small OSes do, the walk looks for the bytes NameOp "\_S5_" PackageOp and
 * reads the package's first element (20.2.3: BytePrefix n, ZeroOp or OneOp).
 */
#include "acpi_walk.h"
#include "printf.h"
#include "string.h"

static uint8_t sum(const uint8_t *p, uint32_t n)
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

/* A table below 4 GiB (paging is off) with signature sig and a valid checksum, or NULL. */
static const uint8_t *table(uint64_t addr, const char *sig)
{
	if (!addr || addr >= 0xffff0000ull)
		return NULL;
	const uint8_t *t = (const uint8_t *)(uintptr_t)addr;
	if (memcmp(t, sig, 4)) {
		printf("power: no %s at 0x%llx\n", sig, addr);
		return NULL;
	}
	uint32_t len = rd32(t + 4);
	if (len < 36 || sum(t, len)) {
		printf("power: %s at 0x%llx: bad length %u or checksum\n", sig, addr, len);
		return NULL;
	}
	return t;
}

static const uint8_t *find_rsdp(void)
{
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)a;
		if (!memcmp(p, "RSD PTR ", 8) && !sum(p, 20) && p[15] >= 2 && !sum(p, 36))
			return p;
	}
	return NULL;
}

/* The GAS at g (5.2.3.2): a byte-wide system I/O register. */
static int io_port(const uint8_t *g, const char *what, uint16_t *port)
{
	uint64_t a = rd64(g + 4);
	if (g[0] != 1 || g[1] != 8 || g[2] != 0 || !a || a > 0xffff) {
		printf("power: FADT %s is not an 8-bit I/O port (space %u, width %u, address 0x%llx)\n",
		       what, g[0], g[1], a);
		return -1;
	}
	*port = (uint16_t)a;
	return 0;
}

static int find_s5(const uint8_t *dsdt, uint8_t *typ)
{
	uint32_t len = rd32(dsdt + 4);
	static const uint8_t pat[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12 };
	for (uint32_t i = 36; i + sizeof(pat) + 3 < len; i++) {
		if (memcmp(dsdt + i, pat, sizeof(pat)))
			continue;
		const uint8_t *p = dsdt + i + sizeof(pat);
		p += 1 + (*p >> 6); /* PkgLength: lead byte and its extra bytes */
		p++;                /* NumElements */
		if (*p == 0x0a)
			*typ = p[1];
		else if (*p <= 0x01)
			*typ = *p; /* ZeroOp, OneOp */
		else
			break;
		return 0;
	}
	printf("power: no \\_S5 package in the DSDT\n");
	return -1;
}

int acpi_power_find(struct acpi_power *out)
{
	const uint8_t *rsdp = find_rsdp();
	if (!rsdp) {
		printf("power: no RSDP in 0xE0000..0xFFFFF\n");
		return -1;
	}
	const uint8_t *xsdt = table(rd64(rsdp + 24), "XSDT"), *fadt = NULL;
	if (!xsdt)
		return -1;
	for (uint32_t off = 36; off + 8 <= rd32(xsdt + 4) && !fadt; off += 8) {
		uint64_t a = rd64(xsdt + off);
		if (a && a < 0xffff0000ull && !memcmp((const void *)(uintptr_t)a, "FACP", 4))
			fadt = table(a, "FACP");
	}
	if (!fadt) {
		printf("power: no FADT in the XSDT\n");
		return -1;
	}
	if (rd32(fadt + 4) < 268 || !(rd32(fadt + 112) & (1u << 20)) || !(rd32(fadt + 112) & (1u << 10))) {
		printf("power: FADT (length %u, flags 0x%x) is not hardware-reduced with a reset register\n",
		       rd32(fadt + 4), rd32(fadt + 112));
		return -1;
	}
	if (io_port(fadt + 244, "SLEEP_CONTROL_REG", &out->sleep_control) ||
	    io_port(fadt + 256, "SLEEP_STATUS_REG", &out->sleep_status) ||
	    io_port(fadt + 116, "RESET_REG", &out->reset_port))
		return -1;
	out->reset_value = fadt[128];
	const uint8_t *dsdt = table(rd64(fadt + 140), "DSDT");
	if (!dsdt)
		return -1;
	return find_s5(dsdt, &out->slp_typ_s5);
}
