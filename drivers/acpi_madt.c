/* MADT walk (see acpi_madt.h). Tables are read in place: firmware identity-maps them. */
#include "drivers/acpi_madt.h"
#include "hv/fmt.h"
#include "hv/lib.h"

static bool checksum_ok(const void *p, size_t n)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct acpi_header *table(uint64_t addr)
{
	return (const struct acpi_header *)(uintptr_t)addr;
}

static const struct acpi_header *find_madt(const struct acpi_rsdp *rsdp)
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt_address;
	const struct acpi_header *root = table(x ? rsdp->xsdt_address : rsdp->rsdt_address);
	if (!root || root->length < sizeof(*root) || !checksum_ok(root, root->length))
		return NULL;
	size_t width = x ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / width;
	const uint8_t *entries = (const uint8_t *)(root + 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t addr = 0;
		memcpy(&addr, entries + i * width, width);
		const struct acpi_header *t = table(addr);
		if (t && !memcmp(t->signature, "APIC", 4) && t->length >= sizeof(*t) + 8 &&
		    checksum_ok(t, t->length))
			return t;
	}
	return NULL;
}

int acpi_madt_cpus(const struct acpi_rsdp *rsdp, uint32_t *ids, int max, char *err, size_t errlen)
{
	if (!rsdp || memcmp(rsdp->signature, "RSD PTR ", 8) || !checksum_ok(rsdp, 20)) {
		hv_snprintf(err, errlen, "ACPI: no valid RSDP");
		return -1;
	}
	const struct acpi_header *madt = find_madt(rsdp);
	if (!madt) {
		hv_snprintf(err, errlen, "ACPI: no valid MADT (APIC table)");
		return -1;
	}
	int count = 0;
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8; /* LAPIC address, flags */
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end) {
		uint8_t type = p[0], len = p[1];
		if (len < 2 || p + len > end) {
			hv_snprintf(err, errlen, "ACPI: MADT entry at offset %u has bad length %u",
				    (unsigned)(p - (const uint8_t *)madt), len);
			return -1;
		}
		uint32_t id = 0, flags = 0;
		bool cpu = false;
		if (type == 0 && len >= sizeof(struct madt_lapic)) {
			struct madt_lapic e;
			memcpy(&e, p, sizeof(e));
			id = e.apic_id;
			flags = e.flags;
			cpu = true;
		} else if (type == 9 && len >= sizeof(struct madt_x2apic)) {
			struct madt_x2apic e;
			memcpy(&e, p, sizeof(e));
			id = e.x2apic_id;
			flags = e.flags;
			cpu = true;
		}
		if (cpu && (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE))) {
			bool dup = false;
			for (int i = 0; i < count; i++)
				dup |= ids[i] == id;
			if (!dup && count < max)
				ids[count++] = id;
		}
		p += len;
	}
	if (!count) {
		hv_snprintf(err, errlen, "ACPI: MADT lists no enabled CPU");
		return -1;
	}
	return count;
}
