/* Masking every I/O APIC pin at takeover (drivers/ioapic.h, arch/x86/host_ioapics.c) against
 * a model of the 82093AA's registers (datasheet 3.1, 3.2.4): IOREGSEL selects, the version
 * register (0x01) gives the last pin in bits 23:16, redirection entries at 0x10 + 2 * pin
 * with delivery status (bit 12) and remote IRR (bit 14) read-only. The MADT's I/O APIC list
 * is tested in test_acpi_madt.c. */
#include <string.h>
#include "drivers/ioapic.h"
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
