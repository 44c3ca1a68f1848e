/* Virtual local APIC: register read/write rules and priorities (hv/vlapic.c). */
#include "hv/vlapic.h"
#include "tests/host/harness.h"
#include "tests/host/vlapic_test_util.h"

TEST(vlapic_power_on_state)
{
	struct vlapic a;
	vlapic_init(&a, 0, TEST_TSC_KHZ, TEST_TSC_KHZ);
	uint64_t base;
	CHECK_EQ(vlapic_msr_read(&a, 0x1b, &base, 0), 0);
	CHECK_EQ(base, 0xfee00900ull); /* xAPIC, enabled, BSP */
	CHECK_EQ(rd(&a, 0x20), 0);
	CHECK_EQ(rd(&a, 0x30), 0x00060014); /* version 0x14, 7 LVTs, no EOI suppression */
	CHECK_EQ(rd(&a, 0xe0), 0xffffffffu);
	CHECK_EQ(rd(&a, 0xf0), 0xff);
	for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
		CHECK_EQ(rd(&a, off), 0x10000);
	CHECK_EQ(rd(&a, 0x2f0), 0x10000);
	CHECK(vlapic_mmio_covers(&a, 0xfee00000ull));
	CHECK(vlapic_mmio_covers(&a, 0xfee00fffull));
	CHECK(!vlapic_mmio_covers(&a, 0xfee01000ull));
}

TEST(vlapic_register_write_masks)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x20, 0x05000000); /* ID: read-only here */
	CHECK_EQ(rd(&a, 0x20), 0);
	wr(&a, 0x30, 0);
	CHECK_EQ(rd(&a, 0x30), 0x00060014);
	wr(&a, 0x80, 0xffffff35);
	CHECK_EQ(rd(&a, 0x80), 0x35);
	wr(&a, 0xd0, 0xffffffff);
	CHECK_EQ(rd(&a, 0xd0), 0xff000000u);
	wr(&a, 0xe0, 0);
	CHECK_EQ(rd(&a, 0xe0), 0x0fffffffu); /* cluster model, low bits read as ones */
	wr(&a, 0xf0, 0xffffffff);
	CHECK_EQ(rd(&a, 0xf0), 0x3ff); /* bit 12 reserved: no EOI-broadcast suppression */
	wr(&a, 0x320, 0xffffffff);
	CHECK_EQ(rd(&a, 0x320), 0x100ff); /* mode 11b reserved: mode kept (one-shot) */
	wr(&a, 0x320, 0x000500ff);
	CHECK_EQ(rd(&a, 0x320), 0x500ff); /* TSC-deadline, masked */
	wr(&a, 0x350, 0xffffffff);
	CHECK_EQ(rd(&a, 0x350), 0x1a7ff); /* delivery status and remote IRR read-only */
	wr(&a, 0x370, 0xffffffff);
	CHECK_EQ(rd(&a, 0x370), 0x100ff);
	wr(&a, 0x2f0, 0xffffffff);
	CHECK_EQ(rd(&a, 0x2f0), 0x107ff);
	wr(&a, 0x310, 0xffffffff);
	CHECK_EQ(rd(&a, 0x310), 0xff000000u);
	wr(&a, 0x3e0, 0xffffffff);
	CHECK_EQ(rd(&a, 0x3e0), 0xb);
	wr(&a, 0x390, 1234); /* current count read-only */
	CHECK_EQ(rd(&a, 0x390), 0);
	/* Narrow reads see the register's bytes; narrow writes are ignored. */
	uint64_t v;
	vlapic_mmio_read(&a, 0x31, 1, &v, 0);
	CHECK_EQ(v, 0x00);
	vlapic_mmio_read(&a, 0x32, 1, &v, 0);
	CHECK_EQ(v, 0x06);
	vlapic_mmio_write(&a, 0x80, 1, 0x77, 0);
	CHECK_EQ(rd(&a, 0x80), 0x35);
	vlapic_mmio_read(&a, 0x84, 4, &v, 0);
	CHECK_EQ(v, 0);
}

TEST(vlapic_software_disable_forces_lvt_masks)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x320, 0x40);
	wr(&a, 0x370, 0x41);
	CHECK_EQ(rd(&a, 0x320), 0x40);
	wr(&a, 0xf0, 0xff); /* software disable */
	CHECK_EQ(rd(&a, 0x320), 0x10040);
	CHECK_EQ(rd(&a, 0x370), 0x10041);
	wr(&a, 0x320, 0x42); /* mask bit cannot be cleared while disabled */
	CHECK_EQ(rd(&a, 0x320), 0x10042);
	/* No delivery, no fixed acceptance while disabled. */
	wr(&a, 0x300, 0x40050);
	CHECK_EQ(rd(&a, 0x200 + 0x20), 0);
	CHECK_EQ(vlapic_pending_vector(&a), -1);
	wr(&a, 0xf0, 0x1ff);
	CHECK_EQ(rd(&a, 0x320), 0x10042); /* enabling does not unmask */
	wr(&a, 0x320, 0x42);
	CHECK_EQ(rd(&a, 0x320), 0x42);
}

TEST(vlapic_reserved_register_sets_esr_on_write_then_read)
{
	struct vlapic a;
	enabled_apic(&a);
	CHECK_EQ(rd(&a, 0x40), 0); /* reserved */
	CHECK_EQ(rd(&a, 0x280), 0); /* not latched yet */
	wr(&a, 0x280, 0);
	CHECK_EQ(rd(&a, 0x280), 0x80);
	wr(&a, 0x280, 0xffffffff);
	CHECK_EQ(rd(&a, 0x280), 0); /* the write latched nothing new */
	/* Illegal vectors: sending sets bit 5; a timer with vector 3 sets bit 6. */
	wr(&a, 0x300, 0x40003);
	wr(&a, 0x320, 0x03);
	wr(&a, 0x380, 1);
	uint64_t v;
	vlapic_mmio_read(&a, 0x390, 4, &v, 100);
	wr(&a, 0x280, 0);
	CHECK_EQ(rd(&a, 0x280), 0x60);
	CHECK_EQ(vlapic_pending_vector(&a), -1);
}

TEST(vlapic_error_lvt_signals_errors)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x370, 0xee);
	wr(&a, 0x300, 0x40001); /* illegal vector to self */
	CHECK_EQ(vlapic_pending_vector(&a), 0xee);
}

TEST(vlapic_tpr_masks_by_class_and_ppr_apr_follow)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x300, 0x40055); /* self IPI vector 0x55 */
	CHECK_EQ(rd(&a, 0x200 + 0x20), 1u << (0x55 - 0x40));
	CHECK_EQ(rd(&a, 0x90), 0x50); /* APR follows the requested class */
	wr(&a, 0x80, 0x50);
	CHECK_EQ(vlapic_pending_vector(&a), -1); /* same class as TPR: held */
	CHECK_EQ(rd(&a, 0xa0), 0x50);
	wr(&a, 0x80, 0x4f);
	CHECK_EQ(vlapic_pending_vector(&a), 0x55);
	CHECK_EQ(rd(&a, 0x90), 0x50);
	wr(&a, 0x80, 0);
	vlapic_accept(&a, 0x55);
	CHECK_EQ(rd(&a, 0x100 + 0x20), 1u << (0x55 - 0x40));
	CHECK_EQ(rd(&a, 0x200 + 0x20), 0);
	CHECK_EQ(rd(&a, 0xa0), 0x50); /* PPR = class of the in-service vector */
	wr(&a, 0x80, 0x72);
	CHECK_EQ(rd(&a, 0xa0), 0x72);
	CHECK_EQ(rd(&a, 0x90), 0x72);
}

TEST(vlapic_eoi_orders_nested_vectors)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0xb0, 0); /* EOI with nothing in service: ignored */
	wr(&a, 0x300, 0x40041);
	CHECK_EQ(vlapic_pending_vector(&a), 0x41);
	vlapic_accept(&a, 0x41);
	wr(&a, 0x300, 0x40045); /* same class as in service: held */
	CHECK_EQ(vlapic_pending_vector(&a), -1);
	wr(&a, 0x300, 0x40091); /* higher class nests */
	CHECK_EQ(vlapic_pending_vector(&a), 0x91);
	vlapic_accept(&a, 0x91);
	CHECK_EQ(vlapic_pending_vector(&a), -1);
	wr(&a, 0xb0, 0); /* ends 0x91, the highest */
	CHECK_EQ(rd(&a, 0x100 + 0x40), 0);
	CHECK_EQ(rd(&a, 0x100 + 0x20), 2);
	CHECK_EQ(vlapic_pending_vector(&a), -1); /* 0x45 still behind 0x41 */
	wr(&a, 0xb0, 0);
	CHECK_EQ(vlapic_pending_vector(&a), 0x45);
	CHECK_EQ(rd(&a, 0x100 + 0x20), 0);
}

TEST(vlapic_level_self_ipi_sets_tmr)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x300, 0x4c060); /* self, level, assert, vector 0x60 */
	CHECK_EQ(rd(&a, 0x180 + 0x30), 1);
	wr(&a, 0x300, 0x40060); /* edge clears it */
	CHECK_EQ(rd(&a, 0x180 + 0x30), 0);
	CHECK_EQ(rd(&a, 0x300), 0x40060); /* delivery status idle */
}

TEST(vlapic_nmi_self_ipi)
{
	struct vlapic a;
	enabled_apic(&a);
	CHECK(!vlapic_take_nmi(&a));
	wr(&a, 0x310, 0);
	wr(&a, 0x300, 0x400); /* NMI, physical, ID 0 */
	CHECK(vlapic_take_nmi(&a));
	CHECK(!vlapic_take_nmi(&a));
	CHECK_EQ(a.dropped_ipis, 0);
}
