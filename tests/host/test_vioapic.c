/* hv/vioapic.c: the guest's I/O APIC, against the 82093AA datasheet (3.0-3.2) and the local
 * APIC's EOI rules (SDM vol. 3A 11.8.4, 11.8.5). */
#include "hv/vioapic.h"
#include "hv/vlapic.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

static uint32_t rd(struct vcpu *v, uint32_t reg)
{
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0x00, 4, reg);
	return (uint32_t)vioapic_mmio_read(&v->ioapic, 0x10, 4);
}

static void wr(struct vcpu *v, uint32_t reg, uint32_t val)
{
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0x00, 4, reg);
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0x10, 4, val);
}

static bool irr(const struct vcpu *v, unsigned vec)
{
	return v->lapic.irr[vec / 32] & (1u << (vec % 32));
}

static bool tmr(const struct vcpu *v, unsigned vec)
{
	return v->lapic.tmr[vec / 32] & (1u << (vec % 32));
}

/* The guest's local APIC software-enabled (SVR bit 8), as an OS has it. */
static struct vcpu *new_guest(void)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	vlapic_mmio_write(&v->lapic, 0xf0, 4, 0x1ff, 0);
	return v;
}

/* The vector is taken by the guest (IRR -> ISR) and ended with an EOI write. */
static void take_and_eoi(struct vcpu *v, uint8_t vec)
{
	vlapic_accept(&v->lapic, vec);
	vlapic_mmio_write(&v->lapic, 0xb0, 4, 0, 0);
}

TEST(vioapic_registers_as_the_datasheet_says)
{
	struct vcpu *v = new_guest();
	CHECK_EQ(rd(v, 0x00), 0x01000000);             /* ID 1 in bits 27:24 */
	CHECK_EQ(rd(v, 0x01), 0x00170011);             /* 24 entries (max index 23), version 0x11 */
	CHECK_EQ(rd(v, 0x02), 0x01000000);             /* arbitration ID */
	for (unsigned pin = 0; pin < 24; pin++) {
		CHECK_EQ(rd(v, 0x10 + 2 * pin), 0x00010000); /* reset: masked */
		CHECK_EQ(rd(v, 0x11 + 2 * pin), 0);
	}
	CHECK_EQ(rd(v, 0x40), 0); /* past the table */
	CHECK_EQ(vioapic_mmio_read(&v->ioapic, 0x00, 4), 0x40); /* IOREGSEL reads back */
	wr(v, 0x01, 0x12345678); /* VER is read-only */
	CHECK_EQ(rd(v, 0x01), 0x00170011);
	wr(v, 0x00, 0x0f000000);
	CHECK_EQ(rd(v, 0x00), 0x0f000000);
	/* Delivery status (12) and remote IRR (14) are read-only; reserved bits stay 0. */
	wr(v, 0x10 + 8, 0xffffffffu);
	CHECK_EQ(rd(v, 0x10 + 8), 0x1afff);
	wr(v, 0x11 + 8, 0xffffffffu);
	CHECK_EQ(rd(v, 0x11 + 8), 0xff000000u);
	/* A byte write of IOWIN changes the low byte only. */
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0x00, 1, 0x10 + 8);
	vioapic_mmio_write(&v->ioapic, &v->lapic, 0x10, 1, 0x42);
	CHECK_EQ(rd(v, 0x10 + 8), 0x1af42);
	fake_vcpu_free(v);
}

TEST(vioapic_edge_delivers_on_rising_edges_only)
{
	struct vcpu *v = new_guest();
	vioapic_set_irq(v, 4, true); /* masked: lost */
	CHECK(!irr(v, 0x34));
	vioapic_set_irq(v, 4, false);
	wr(v, 0x11 + 8, 0);       /* destination APIC ID 0 */
	wr(v, 0x10 + 8, 0x34);    /* fixed, physical, edge, active high, unmasked */
	vioapic_set_irq(v, 4, true);
	CHECK(irr(v, 0x34));
	CHECK(!tmr(v, 0x34)); /* edge: TMR clear */
	CHECK_EQ(v->ioapic.delivered, 1);
	take_and_eoi(v, 0x34);
	vioapic_set_irq(v, 4, true); /* still high: no edge */
	CHECK(!irr(v, 0x34));
	vioapic_set_irq(v, 4, false);
	vioapic_set_irq(v, 4, true);
	CHECK(irr(v, 0x34));
	CHECK_EQ(v->ioapic.delivered, 2);
	CHECK(!(rd(v, 0x10 + 8) & RTE_REMOTE_IRR));
	fake_vcpu_free(v);
}

TEST(vioapic_level_remote_irr_until_eoi)
{
	struct vcpu *v = new_guest();
	wr(v, 0x11 + 2 * 9, 0);
	wr(v, 0x10 + 2 * 9, 0x8051); /* level (bit 15), vector 0x51 */
	vioapic_set_irq(v, 9, true);
	CHECK(irr(v, 0x51));
	CHECK(tmr(v, 0x51)); /* level: TMR set (SDM 11.8.4) */
	CHECK(rd(v, 0x10 + 2 * 9) & RTE_REMOTE_IRR);
	vlapic_accept(&v->lapic, 0x51);
	vioapic_set_irq(v, 9, true); /* asserted, remote IRR set: nothing new */
	CHECK(!irr(v, 0x51));
	vlapic_mmio_write(&v->lapic, 0xb0, 4, 0, 0); /* EOI: remote IRR cleared, still asserted */
	CHECK(irr(v, 0x51));
	CHECK(rd(v, 0x10 + 2 * 9) & RTE_REMOTE_IRR);
	vlapic_accept(&v->lapic, 0x51);
	vioapic_set_irq(v, 9, false);
	vlapic_mmio_write(&v->lapic, 0xb0, 4, 0, 0);
	CHECK(!(rd(v, 0x10 + 2 * 9) & RTE_REMOTE_IRR));
	CHECK(!irr(v, 0x51));
	CHECK_EQ(v->ioapic.delivered, 2);
	/* Asserted while masked: delivered when unmasked. */
	wr(v, 0x10 + 2 * 9, 0x18051);
	vioapic_set_irq(v, 9, true);
	CHECK(!irr(v, 0x51));
	wr(v, 0x10 + 2 * 9, 0x8051);
	CHECK(irr(v, 0x51));
	fake_vcpu_free(v);
}

TEST(vioapic_destination_and_delivery_modes)
{
	struct vcpu *v = new_guest();
	wr(v, 0x11 + 8, 0x01000000); /* physical APIC ID 1: not this guest's */
	wr(v, 0x10 + 8, 0x34);
	vioapic_set_irq(v, 4, true);
	CHECK(!irr(v, 0x34));
	vioapic_set_irq(v, 4, false);
	wr(v, 0x11 + 8, 0xff000000u); /* broadcast */
	vioapic_set_irq(v, 4, true);
	CHECK(irr(v, 0x34));
	vioapic_set_irq(v, 4, false);
	/* Logical, flat model: LDR bit 24 is this APIC; destination mask 0x01 names it. */
	vlapic_mmio_write(&v->lapic, 0xd0, 4, 0x01000000, 0);
	wr(v, 0x11 + 8, 0x01000000);
	wr(v, 0x10 + 8, 0x935); /* lowest priority (001), logical (bit 11), vector 0x35 */
	vioapic_set_irq(v, 4, true);
	CHECK(irr(v, 0x35));
	vioapic_set_irq(v, 4, false);
	wr(v, 0x11 + 8, 0x02000000); /* another APIC's bit */
	vioapic_set_irq(v, 4, true);
	CHECK_EQ(v->ioapic.delivered, 2);
	vioapic_set_irq(v, 4, false);
	wr(v, 0x11 + 8, 0);
	wr(v, 0x10 + 8, 0x400); /* NMI */
	vioapic_set_irq(v, 4, true);
	CHECK(v->lapic.nmi_pending);
	fake_vcpu_free(v);
}

TEST(vioapic_page_and_npt_hole)
{
	CHECK(vioapic_mmio_covers(0xfec00000));
	CHECK(vioapic_mmio_covers(0xfec00fff));
	CHECK(!vioapic_mmio_covers(0xfec01000));
	CHECK(!vioapic_mmio_covers(0xfebfffff));
}
