/*
 * Host I/O APIC (drivers/ioapic.h). Registers are reached indirectly: the index goes to
 * IOREGSEL (base + 0x00), the 32-bit value through IOWIN (base + 0x10) (82093AA datasheet
 * 3.0, 3.1). Register 0x01 is the version (bits 23:16 the maximum redirection entry); the
 * redirection table is 0x10 + 2 * pin (bits 31:0) and the next index (bits 63:32) (3.2.4).
 */
#include "drivers/ioapic.h"
#include "hv/fmt.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define IOREDTBL(pin) (0x10u + 2u * (pin))

/* Redirection entry bits (82093AA 3.2.4): vector 7:0, delivery mode 10:8 (000 fixed),
 * destination mode 11 (0 physical), polarity 13 (1 low), trigger mode 15 (1 level), mask 16,
 * destination 63:56 (physical mode: an APIC ID in bits 59:56; xAPIC systems use all 8). */
#define RTE_ACTIVE_LOW BIT(13)
#define RTE_LEVEL BIT(15)
#define RTE_MASKED BIT(16)

static volatile uint32_t *reg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}

static uint32_t rd(uint64_t base, uint32_t index)
{
	*reg(base, IOREGSEL) = index;
	return *reg(base, IOWIN);
}

static void wr(uint64_t base, uint32_t index, uint32_t v)
{
	*reg(base, IOREGSEL) = index;
	*reg(base, IOWIN) = v;
}

static uint32_t mmio_rd(void *ctx, uint32_t index)
{
	return rd((uint64_t)(uintptr_t)ctx, index);
}

static void mmio_wr(void *ctx, uint32_t index, uint32_t value)
{
	wr((uint64_t)(uintptr_t)ctx, index, value);
}

int ioapic_mask_all_io(const struct ioapic_io *io, unsigned *pins)
{
	uint32_t ver = io->rd(io->ctx, IOAPIC_VER);
	if (ver == 0xffffffffu)
		return -1;
	*pins = ((ver >> 16) & 0xff) + 1;
	int was_open = 0;
	for (unsigned pin = 0; pin < *pins; pin++) {
		/* Bits 12 (delivery status) and 14 (remote IRR) are read-only: writing the value
		 * back with the mask set changes nothing else (82093AA 3.2.4). */
		uint32_t lo = io->rd(io->ctx, IOREDTBL(pin));
		if (lo & RTE_MASKED)
			continue;
		io->wr(io->ctx, IOREDTBL(pin), lo | RTE_MASKED);
		was_open++;
	}
	return was_open;
}

int ioapic_mask_all(uint64_t base, unsigned *pins)
{
	const struct ioapic_io io = { mmio_rd, mmio_wr, (void *)(uintptr_t)base };
	return ioapic_mask_all_io(&io, pins);
}

int ioapic_route(uint64_t base, unsigned pin, uint8_t vector, uint8_t dest, bool level,
		 bool active_low, char *err, size_t errlen)
{
	uint32_t ver = rd(base, IOAPIC_VER);
	if (ver == 0xffffffffu) {
		hv_snprintf(err, errlen, "I/O APIC at 0x%llx does not answer", (unsigned long long)base);
		return -1;
	}
	unsigned max = (ver >> 16) & 0xff;
	if (pin > max) {
		hv_snprintf(err, errlen, "I/O APIC at 0x%llx has pins 0-%u, not %u",
			    (unsigned long long)base, max, pin);
		return -1;
	}
	uint32_t lo = vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);
	/* Masked while the destination changes, then unmasked with the rest in one write. */
	wr(base, IOREDTBL(pin), lo | RTE_MASKED);
	wr(base, IOREDTBL(pin) + 1, (uint32_t)dest << 24);
	wr(base, IOREDTBL(pin), lo);
	return 0;
}
