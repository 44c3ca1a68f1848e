/* Virtual local APIC: the x2APIC MSR interface and IA32_APIC_BASE (hv/vlapic_msr.c). */
#include "hv/vlapic.h"
#include "tests/host/harness.h"
#include "tests/host/vlapic_test_util.h"

#define BASE VLAPIC_DEFAULT_BASE
#define EN BIT(11)
#define EXTD BIT(10)
#define BSP BIT(8)

static int rdm(struct vlapic *a, uint32_t msr, uint64_t *v)
{
	return vlapic_msr_read(a, msr, v, 0);
}

static int wrm(struct vlapic *a, uint32_t msr, uint64_t v)
{
	return vlapic_msr_write(a, msr, v, 0);
}

TEST(vlapic_x2apic_msrs_gp_outside_x2apic_mode)
{
	struct vlapic a;
	enabled_apic(&a);
	uint64_t v;
	CHECK_EQ(rdm(&a, 0x802, &v), -1);
	CHECK_EQ(wrm(&a, 0x808, 0), -1);
	CHECK_EQ(wrm(&a, 0x83f, 0x40), -1);
	CHECK_EQ(rdm(&a, 0x1c, &v), -1); /* not an APIC MSR at all */
}

TEST(vlapic_x2apic_register_rules)
{
	struct vlapic a;
	enabled_apic(&a);
	a.id = 0;
	to_x2apic(&a);
	uint64_t v;
	CHECK(!vlapic_mmio_covers(&a, BASE));
	CHECK_EQ(rdm(&a, 0x802, &v), 0);
	CHECK_EQ(v, 0); /* 32-bit ID, not shifted */
	CHECK_EQ(wrm(&a, 0x802, 0), -1); /* read-only */
	CHECK_EQ(rdm(&a, 0x803, &v), 0);
	CHECK_EQ(v, 0x00060014);
	CHECK_EQ(wrm(&a, 0x808, 0x20), 0);
	CHECK_EQ(rdm(&a, 0x808, &v), 0);
	CHECK_EQ(v, 0x20);
	CHECK_EQ(wrm(&a, 0x808, 1ull << 32), -1); /* bits 63:32 reserved */
	CHECK_EQ(rdm(&a, 0x809, &v), -1);        /* no APR */
	CHECK_EQ(rdm(&a, 0x80a, &v), 0);
	CHECK_EQ(v, 0x20);
	CHECK_EQ(wrm(&a, 0x80a, 0), -1);
	CHECK_EQ(rdm(&a, 0x80b, &v), -1); /* EOI write-only */
	CHECK_EQ(wrm(&a, 0x80b, 0), 0);
	CHECK_EQ(wrm(&a, 0x80b, 1), -1);
	CHECK_EQ(rdm(&a, 0x80c, &v), -1);
	CHECK_EQ(rdm(&a, 0x80d, &v), 0);
	CHECK_EQ(v, 1);                   /* LDR derived from ID 0 */
	CHECK_EQ(wrm(&a, 0x80d, 2), -1);
	CHECK_EQ(rdm(&a, 0x80e, &v), -1); /* no DFR */
	CHECK_EQ(rdm(&a, 0x80f, &v), 0);
	CHECK_EQ(v, 0x1ff);
	CHECK_EQ(rdm(&a, 0x810, &v), 0);
	CHECK_EQ(wrm(&a, 0x810, 0), -1);
	CHECK_EQ(wrm(&a, 0x828, 0), 0);
	CHECK_EQ(wrm(&a, 0x828, 1), -1); /* only 0 may be written */
	CHECK_EQ(rdm(&a, 0x831, &v), -1);
	CHECK_EQ(wrm(&a, 0x839, 0), -1); /* current count read-only */
	CHECK_EQ(rdm(&a, 0x83f, &v), -1); /* SELF IPI write-only */
	CHECK_EQ(wrm(&a, 0x83f, 0x100), -1);
	CHECK_EQ(rdm(&a, 0x840, &v), -1);
	CHECK_EQ(rdm(&a, 0x8ff, &v), -1);
	CHECK_EQ(wrm(&a, 0x83e, 0xb), 0);
	CHECK_EQ(rdm(&a, 0x83e, &v), 0);
	CHECK_EQ(v, 0xb);
}

TEST(vlapic_x2apic_icr_and_self_ipi)
{
	struct vlapic a;
	enabled_apic(&a);
	to_x2apic(&a);
	uint64_t v;
	CHECK_EQ(wrm(&a, 0x830, 0x2000 | 0x50), -1); /* bit 13 reserved */
	CHECK_EQ(wrm(&a, 0x830, 0x100000 | 0x50), -1);
	CHECK_EQ(wrm(&a, 0x830, (7ull << 32) | 0x50), 0);
	CHECK_EQ(rdm(&a, 0x830, &v), 0);
	CHECK_EQ(v, (7ull << 32) | 0x50);
	CHECK_EQ(a.dropped_ipis, 1);
	CHECK_EQ(wrm(&a, 0x830, 0x51), 0);
	CHECK_EQ(wrm(&a, 0x83f, 0x52), 0);
	CHECK_EQ(rdm(&a, 0x822, &v), 0);
	CHECK_EQ(v, 0x60000); /* IRR 0x51 and 0x52 */
	CHECK_EQ(vlapic_pending_vector(&a), 0x52);
	CHECK_EQ(wrm(&a, 0x83f, 0x05), 0); /* illegal vector: ESR bit 5 */
	wrm(&a, 0x828, 0);
	CHECK_EQ(rdm(&a, 0x828, &v), 0);
	CHECK_EQ(v, 0x20);
}

TEST(vlapic_apic_base_transitions)
{
	struct vlapic a;
	uint64_t v;
	enabled_apic(&a);
	/* xAPIC: invalid (EN=0, EXTD=1), reserved bits, a moved base: #GP. */
	CHECK_EQ(wrm(&a, 0x1b, BASE | EXTD | BSP), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN | BSP | BIT(9)), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN | BSP | 1), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN | BSP | BIT(63)), -1);
	CHECK(!vlapic_base_move_refused(&a, BASE | EN | BIT(63)));
	CHECK_EQ(wrm(&a, 0x1b, 0xfec00000ull | EN | BSP), -1);
	CHECK(vlapic_base_move_refused(&a, 0xfec00000ull | EN | BSP));
	CHECK(!vlapic_base_move_refused(&a, BASE | EN));
	/* The BSP flag is read-only. */
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN), 0);
	rdm(&a, 0x1b, &v);
	CHECK_EQ(v, BASE | EN | BSP);
	/* xAPIC -> x2APIC -> (no) xAPIC -> disabled -> (no) x2APIC -> xAPIC. */
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN | EXTD), 0);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EXTD), -1);
	rdm(&a, 0x1b, &v);
	CHECK_EQ(v, BASE | EN | EXTD | BSP);
	CHECK_EQ(wrm(&a, 0x1b, BASE), 0);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN | EXTD), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EXTD), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN), 0);
	rdm(&a, 0x1b, &v);
	CHECK_EQ(v, BASE | EN | BSP);
	/* EXTD only when CPUID offers x2APIC. */
	a.x2apic_allowed = false;
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN | EXTD), -1);
}

TEST(vlapic_global_disable_resets_state)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x80, 0x30);
	wr(&a, 0x300, 0x40070);
	vlapic_accept(&a, 0x70);
	wr(&a, 0x300, 0x40071);
	wr(&a, 0x320, 0x20040);
	wr(&a, 0x380, 1000);
	wr(&a, 0xd0, 0x01000000);
	CHECK_EQ(wrm(&a, 0x1b, BASE), 0);
	uint64_t v;
	CHECK(!vlapic_mmio_covers(&a, BASE));
	CHECK_EQ(vlapic_pending_vector(&a), -1);
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	CHECK_EQ(rdm(&a, 0x808, &v), -1);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN), 0);
	CHECK(vlapic_mmio_covers(&a, BASE));
	CHECK_EQ(rd(&a, 0x80), 0);
	CHECK_EQ(rd(&a, 0xf0), 0xff);
	CHECK_EQ(rd(&a, 0xd0), 0);
	CHECK_EQ(rd(&a, 0x320), 0x10000);
	CHECK_EQ(rd(&a, 0x380), 0);
	CHECK_EQ(rd(&a, 0x100 + 0x70), 0);
	CHECK_EQ(rd(&a, 0x200 + 0x70), 0);
	/* x2APIC -> disabled -> xAPIC: back in xAPIC form. */
	a.id = 0;
	to_x2apic(&a);
	CHECK_EQ(rdm(&a, 0x80d, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(wrm(&a, 0x1b, BASE), 0);
	CHECK_EQ(wrm(&a, 0x1b, BASE | EN), 0);
	CHECK_EQ(rd(&a, 0xd0), 0);
	CHECK_EQ(rd(&a, 0xe0), 0xffffffffu);
}
