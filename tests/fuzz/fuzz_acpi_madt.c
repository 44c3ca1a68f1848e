/*
 * libFuzzer target: the ACPI MADT walk (drivers/acpi_madt.c) over firmware tables built
 * from the input. Input: 1 flags byte, then W bytes of "physical memory" (36 <= W <=
 * 64 KiB) with the RSDP at its start. Firmware tables are read in place through their
 * physical addresses (identity-mapped), so the memory lives below 2 GiB (MAP_32BIT: the
 * RSDT's 32-bit pointers can reach it) and ends right before a PROT_NONE page: a read
 * past the last table is a crash.
 * The harness makes the memory firmware-shaped, as a real machine's is, and leaves the
 * rest to the input:
 * - every nonzero table pointer (RSDP.RsdtAddress/XsdtAddress, root entries) is turned
 *   into an address inside the memory with room for a 36-byte header (value % room);
 * - the root table's and each APIC table's length is reduced modulo what is left of
 *   the memory after it (a table never runs past the end of memory);
 * - flags bit 0/1/2: make the RSDP's / the root table's / every APIC table's checksum
 *   right (otherwise they are what the input says); bits 4-7: max = 1 + (flags >> 4).
 * Inputs whose fix-ups collide (a checksum byte landing in a pointer) are skipped.
 * Properties (drivers/acpi_madt.h; ACPI 6.5 5.2.5, 5.2.8, 5.2.12):
 * - the result equals an independent walk: the first APIC table in the root with a valid
 *   checksum and room for its fixed fields; entries of type 0 (8+ bytes) and 9 (16+
 *   bytes) with Enabled or Online Capable, each APIC ID once, in table order; a bad entry
 *   length anywhere is an error, and so are no tables or no CPU;
 * - with a smaller max, the same error or the first max IDs of the same list;
 * - a failure is one printable line starting "ACPI: "; the memory is not written;
 * - acpi_madt_ioapics over the same tables: no error where the CPU walk found CPUs, at
 *   most max I/O APICs, each address once.
 */
#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include "drivers/acpi_madt.h"
#include "tests/fuzz/fuzz_util.h"

#define WINDOW_MAX 65536u
#define HDR 36u

static uint8_t *region; /* WINDOW_MAX bytes, then a PROT_NONE page */

static uint8_t *memory_of(size_t w)
{
	if (!region) {
		uint8_t *r = mmap(NULL, WINDOW_MAX + 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		FUZZ_CHECK(r != MAP_FAILED && (uintptr_t)r + WINDOW_MAX + 4096 <= 0xffffffffu);
		FUZZ_CHECK(!mprotect(r + WINDOW_MAX, 4096, PROT_NONE));
		region = r;
	}
	return region + WINDOW_MAX - w;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t get_ptr(const uint8_t *p, size_t width)
{
	uint64_t v = 0;
	memcpy(&v, p, width);
	return v;
}

static void put_ptr(uint8_t *p, size_t width, uint64_t v)
{
	memcpy(p, &v, width);
}

static void fix_checksum(uint8_t *t, size_t len, size_t at)
{
	uint8_t sum = 0;
	t[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum += t[i];
	t[at] = (uint8_t)-sum;
}

static bool sum_ok(const uint8_t *t, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += t[i];
	return sum == 0;
}

/* The memory seen as firmware tables: base, size, and which root the RSDP selects. */
struct mem {
	uint8_t *b;
	size_t w;
};

/* Offset of a table pointer inside the memory, or -1 (zero, or cannot hold a header). */
static long offset_of(const struct mem *m, uint64_t ptr)
{
	uint64_t base = (uintptr_t)m->b;
	if (!ptr || ptr < base || ptr - base > m->w - HDR)
		return -1;
	return (long)(ptr - base);
}

static uint64_t patch(const struct mem *m, uint64_t v)
{
	return v ? (uintptr_t)m->b + v % (m->w - HDR + 1) : 0;
}

static void clamp_length(const struct mem *m, size_t off)
{
	uint32_t len = get32(m->b + off + 4) % (uint32_t)(m->w - off + 1);
	memcpy(m->b + off + 4, &len, 4);
}

static bool root_of(const struct mem *m, size_t *width, long *off)
{
	const struct acpi_rsdp *r = (const struct acpi_rsdp *)m->b;
	bool x = r->revision >= 2 && r->xsdt_address;
	*width = x ? 8 : 4;
	*off = offset_of(m, x ? r->xsdt_address : r->rsdt_address);
	return *off >= 0;
}

/* Every table the walk can reach lies inside the memory (what firmware guarantees). */
static bool firmware_shaped(const struct mem *m)
{
	const struct acpi_rsdp *r = (const struct acpi_rsdp *)m->b;
	size_t width;
	long root;
	if ((r->xsdt_address && offset_of(m, r->xsdt_address) < 0) ||
	    (r->rsdt_address && offset_of(m, r->rsdt_address) < 0))
		return false;
	if (!root_of(m, &width, &root))
		return true;
	uint32_t len = get32(m->b + root + 4);
	if (len < HDR)
		return true;
	if (len > m->w - (size_t)root)
		return false;
	for (size_t i = 0; i < (len - HDR) / width; i++) {
		uint64_t p = get_ptr(m->b + root + HDR + i * width, width);
		long t = offset_of(m, p);
		if (p && t < 0)
			return false;
		if (t >= 0 && !memcmp(m->b + t, "APIC", 4) && get32(m->b + t + 4) > m->w - (size_t)t)
			return false;
	}
	return true;
}

/* The independent walk: count, or -1. */
static int expected(const struct mem *m, uint32_t *ids, int max)
{
	const struct acpi_rsdp *r = (const struct acpi_rsdp *)m->b;
	if (memcmp(r->signature, "RSD PTR ", 8) || !sum_ok(m->b, 20))
		return -1;
	size_t width;
	long root;
	if (!root_of(m, &width, &root))
		return -1;
	uint32_t len = get32(m->b + root + 4);
	if (len < HDR || !sum_ok(m->b + root, len))
		return -1;
	const uint8_t *madt = NULL;
	for (size_t i = 0; i < (len - HDR) / width && !madt; i++) {
		long t = offset_of(m, get_ptr(m->b + root + HDR + i * width, width));
		if (t >= 0 && !memcmp(m->b + t, "APIC", 4) && get32(m->b + t + 4) >= HDR + 8 &&
		    sum_ok(m->b + t, get32(m->b + t + 4)))
			madt = m->b + t;
	}
	if (!madt)
		return -1;
	uint32_t mlen = get32(madt + 4);
	int count = 0;
	for (uint32_t off = HDR + 8; off + 2 <= mlen;) {
		uint8_t type = madt[off], elen = madt[off + 1];
		if (elen < 2 || elen > mlen - off)
			return -1;
		uint32_t id = 0, flags = 0;
		bool cpu = false;
		if (type == 0 && elen >= 8) {
			id = madt[off + 3];
			flags = get32(madt + off + 4);
			cpu = true;
		} else if (type == 9 && elen >= 16) {
			id = get32(madt + off + 4);
			flags = get32(madt + off + 8);
			cpu = true;
		}
		if (cpu && (flags & 3)) {
			bool seen = false;
			for (int i = 0; i < count; i++)
				seen |= ids[i] == id;
			if (!seen && count < max)
				ids[count++] = id;
		}
		off += elen;
	}
	return count ? count : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[WINDOW_MAX];
	if (size < 1 + HDR || size - 1 > WINDOW_MAX)
		return 0;
	uint8_t flags = data[0];
	struct mem m = { memory_of(size - 1), size - 1 };
	memcpy(m.b, data + 1, m.w);

	/* Pointers into the memory, lengths inside it. */
	struct acpi_rsdp *r = (struct acpi_rsdp *)m.b;
	uint64_t x = patch(&m, r->xsdt_address);
	memcpy(&r->xsdt_address, &x, 8);
	uint32_t rs = (uint32_t)patch(&m, r->rsdt_address);
	memcpy(&r->rsdt_address, &rs, 4);
	size_t width;
	long root;
	if (root_of(&m, &width, &root)) {
		clamp_length(&m, (size_t)root);
		uint32_t len = get32(m.b + root + 4);
		for (size_t i = 0; len >= HDR && i < (len - HDR) / width; i++) {
			uint8_t *e = m.b + root + HDR + i * width;
			put_ptr(e, width, patch(&m, get_ptr(e, width)));
		}
		for (size_t i = 0; len >= HDR && i < (len - HDR) / width; i++) {
			long t = offset_of(&m, get_ptr(m.b + root + HDR + i * width, width));
			if (t < 0 || memcmp(m.b + t, "APIC", 4))
				continue;
			clamp_length(&m, (size_t)t);
			uint32_t tl = get32(m.b + t + 4);
			if ((flags & 4) && tl >= 10)
				fix_checksum(m.b + t, tl, 9);
		}
		if ((flags & 2) && len >= 10)
			fix_checksum(m.b + root, len, 9);
	}
	if (flags & 1)
		fix_checksum(m.b, 20, 8);
	if (!firmware_shaped(&m))
		return 0;

	uint32_t want[64], got[64], part[16];
	char err[128];
	int max = 1 + (flags >> 4);
	memcpy(before, m.b, m.w);
	int e = expected(&m, want, 64);
	memset(err, 'x', sizeof(err));
	int n = acpi_madt_cpus(r, got, 64, err, sizeof(err));
	FUZZ_CHECK(n == e);
	if (n < 0) {
		FUZZ_CHECK(fuzz_printable_line(err, sizeof(err)) && !strncmp(err, "ACPI: ", 6));
	} else {
		FUZZ_CHECK(n >= 1 && n <= 64 && !memcmp(got, want, (size_t)n * 4));
	}
	if (fuzz_verbose())
		fprintf(stderr, "acpi_madt: %d CPUs (max %d: %s)\n", n, max, n < 0 ? err : "ok");
	int k = acpi_madt_cpus(r, part, max, err, sizeof(err));
	FUZZ_CHECK(k == (n < 0 ? n : n < max ? n : max));
	if (k > 0)
		FUZZ_CHECK(!memcmp(part, got, (size_t)k * 4));
	/* The I/O APIC list walks the same entries: the same table errors; with a table and
	 * sound entries a count within max; each address once. */
	struct madt_ioapic_ref io[16];
	memset(err, 'x', sizeof(err));
	int ni = acpi_madt_ioapics(r, io, max < 16 ? max : 16, err, sizeof(err));
	if (ni < 0)
		FUZZ_CHECK(fuzz_printable_line(err, sizeof(err)) && !strncmp(err, "ACPI: ", 6));
	else
		FUZZ_CHECK(ni <= max && ni <= 16);
	if (n > 0) /* a MADT with sound entries */
		FUZZ_CHECK(ni >= 0);
	for (int i = 0; i < ni; i++)
		for (int j = 0; j < i; j++)
			FUZZ_CHECK(io[i].addr != io[j].addr);
	FUZZ_CHECK(!memcmp(before, m.b, m.w));
	return 0;
}
