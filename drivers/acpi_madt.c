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

bool acpi_rsdp_valid(const struct acpi_rsdp *rsdp)
{
	return rsdp && !memcmp(rsdp->signature, "RSD PTR ", 8) && checksum_ok(rsdp, 20);
}

const struct acpi_header *acpi_find_table(const struct acpi_rsdp *rsdp, const char sig[4],
				       size_t min_len)
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
		if (t && !memcmp(t->signature, sig, 4) && t->length >= min_len &&
		    checksum_ok(t, t->length))
			return t;
	}
	return NULL;
}

static const struct acpi_header *madt_of(const struct acpi_rsdp *rsdp, char *err, size_t errlen)
{
	if (!acpi_rsdp_valid(rsdp)) {
		hv_snprintf(err, errlen, "ACPI: no valid RSDP");
		return NULL;
	}
	const struct acpi_header *madt = acpi_find_table(rsdp, "APIC", sizeof(struct acpi_header) + 8);
	if (!madt)
		hv_snprintf(err, errlen, "ACPI: no valid MADT (APIC table)");
	return madt;
}

/* Calls each(entry, ctx) for every entry of the RSDP's MADT (type, length, ...), in order.
 * Returns 0, or -1 with err filled when there is no MADT or an entry's length is shorter
 * than its own two header bytes or runs past the table. */
static int madt_each(const struct acpi_rsdp *rsdp, void (*each)(const uint8_t *e, void *ctx),
		     void *ctx, char *err, size_t errlen)
{
	const struct acpi_header *madt = madt_of(rsdp, err, errlen);
	if (!madt)
		return -1;
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8; /* LAPIC address, flags */
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	for (; p + 2 <= end; p += p[1]) {
		if (p[1] < 2 || p + p[1] > end) {
			hv_snprintf(err, errlen, "ACPI: MADT entry at offset %u has bad length %u",
				    (unsigned)(p - (const uint8_t *)madt), p[1]);
			return -1;
		}
		each(p, ctx);
	}
	return 0;
}

struct cpu_list {
	uint32_t *ids;
	int max, count;
};

static void add_cpu(const uint8_t *p, void *ctx)
{
	struct cpu_list *l = ctx;
	uint8_t type = p[0], len = p[1];
	uint32_t id = 0, flags = 0;
	if (type == 0 && len >= sizeof(struct madt_lapic)) {
		struct madt_lapic e;
		memcpy(&e, p, sizeof(e));
		id = e.apic_id;
		flags = e.flags;
	} else if (type == 9 && len >= sizeof(struct madt_x2apic)) {
		struct madt_x2apic e;
		memcpy(&e, p, sizeof(e));
		id = e.x2apic_id;
		flags = e.flags;
	}
	if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)))
		return; /* also every entry that is no CPU (flags 0) */
	bool dup = false;
	for (int i = 0; i < l->count; i++)
		dup |= l->ids[i] == id;
	if (!dup && l->count < l->max)
		l->ids[l->count++] = id;
}

int acpi_madt_cpus(const struct acpi_rsdp *rsdp, uint32_t *ids, int max, char *err, size_t errlen)
{
	struct cpu_list l = { ids, max, 0 };
	if (madt_each(rsdp, add_cpu, &l, err, errlen))
		return -1;
	if (!l.count) {
		hv_snprintf(err, errlen, "ACPI: MADT lists no enabled CPU");
		return -1;
	}
	return l.count;
}

/* MPS INTI flags (ACPI 6.5 table 5.50): polarity 01 active high, 11 active low, 00 "conforms
 * to the bus" (ISA: high); trigger 01 edge, 11 level, 00 conforms (ISA: edge). */
#define INTI_POLARITY(f) ((f) & 3u)
#define INTI_TRIGGER(f) (((f) >> 2) & 3u)

int acpi_madt_isa_irq(const struct acpi_rsdp *rsdp, unsigned irq, struct madt_isa_route *r,
		      char *err, size_t errlen)
{
	const struct acpi_header *madt = madt_of(rsdp, err, errlen);
	if (!madt)
		return -1;
	memset(r, 0, sizeof(*r));
	r->gsi = irq;
	const uint8_t *base = (const uint8_t *)madt + sizeof(*madt) + 8;
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	for (const uint8_t *p = base; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		struct madt_iso o;
		if (p[0] != 2 || p[1] < sizeof(o))
			continue;
		memcpy(&o, p, sizeof(o));
		if (o.bus != 0 || o.source != irq)
			continue;
		r->gsi = o.gsi;
		r->active_low = INTI_POLARITY(o.flags) == 3;
		r->level = INTI_TRIGGER(o.flags) == 3;
	}
	bool found = false;
	for (const uint8_t *p = base; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		struct madt_ioapic io;
		if (p[0] != 1 || p[1] < sizeof(io))
			continue;
		memcpy(&io, p, sizeof(io));
		if (io.gsi_base > r->gsi || (found && io.gsi_base < r->ioapic_gsi_base))
			continue;
		found = true;
		r->ioapic_addr = io.address;
		r->ioapic_gsi_base = io.gsi_base;
		r->ioapic_id = io.ioapic_id;
	}
	if (!found) {
		hv_snprintf(err, errlen, "ACPI: MADT lists no I/O APIC for GSI %u (ISA IRQ %u)", r->gsi, irq);
		return -1;
	}
	return 0;
}

struct ioapic_list {
	struct madt_ioapic_ref *out;
	int max, count;
};

static void add_ioapic(const uint8_t *p, void *ctx)
{
	struct ioapic_list *l = ctx;
	struct madt_ioapic io;
	if (p[0] != 1 || p[1] < sizeof(io))
		return;
	memcpy(&io, p, sizeof(io));
	bool dup = false;
	for (int i = 0; i < l->count; i++)
		dup |= l->out[i].addr == io.address;
	if (!dup && l->count < l->max)
		l->out[l->count++] = (struct madt_ioapic_ref){ .addr = io.address,
							       .gsi_base = io.gsi_base,
							       .id = io.ioapic_id };
}

int acpi_madt_ioapics(const struct acpi_rsdp *rsdp, struct madt_ioapic_ref *out, int max,
		      char *err, size_t errlen)
{
	struct ioapic_list l = { out, max, 0 };
	return madt_each(rsdp, add_ioapic, &l, err, errlen) ? -1 : l.count;
}
