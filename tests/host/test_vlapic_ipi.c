/* Virtual local APIC: the IPI routing matrix (hv/vlapic_ipi.c). */
#include "hv/vlapic.h"
#include "tests/host/harness.h"
#include "tests/host/vlapic_test_util.h"

#define VEC 0x66

struct outcome {
	bool irr, nmi;
	uint32_t dropped;
};

/* Send one IPI (xAPIC: ICR high then low) from a fresh, enabled APIC and see what happened. */
static struct outcome send_x(uint32_t ldr, uint32_t dfr, uint32_t lo, uint32_t dest8)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0xd0, ldr);
	wr(&a, 0xe0, dfr);
	wr(&a, 0x310, dest8 << 24);
	wr(&a, 0x300, lo);
	struct outcome o = { (a.irr[VEC / 32] >> (VEC % 32)) & 1, vlapic_take_nmi(&a), a.dropped_ipis };
	return o;
}

static struct outcome send_x2(uint64_t icr)
{
	struct vlapic a;
	enabled_apic(&a);
	to_x2apic(&a);
	int rc = vlapic_msr_write(&a, 0x830, icr, 0);
	CHECK_EQ(rc, 0);
	struct outcome o = { (a.irr[VEC / 32] >> (VEC % 32)) & 1, vlapic_take_nmi(&a), a.dropped_ipis };
	return o;
}

#define FLAT 0xffffffffu
#define CLUSTER 0x0fffffffu
#define FIXED VEC
#define NMI (0x400u | VEC)
#define INIT 0x4500u
#define SIPI (0x600u | 0x10)
#define SMI 0x200u
#define LOWEST (0x100u | VEC)
#define LOGICAL 0x800u
#define SH_SELF (1u << 18)
#define SH_ALL (2u << 18)
#define SH_OTHERS (3u << 18)

#define EXPECT(o, i, n, d)                          \
	do {                                        \
		struct outcome _o = (o);            \
		CHECK_EQ(_o.irr, i);                \
		CHECK_EQ(_o.nmi, n);                \
		CHECK_EQ(_o.dropped, d);            \
	} while (0)

TEST(vlapic_ipi_shorthands)
{
	EXPECT(send_x(0, FLAT, FIXED | SH_SELF, 0), 1, 0, 0);
	EXPECT(send_x(0, FLAT, FIXED | SH_ALL, 0), 1, 0, 1);    /* self part delivered */
	EXPECT(send_x(0, FLAT, FIXED | SH_OTHERS, 0), 0, 0, 1);
	EXPECT(send_x(0, FLAT, NMI | SH_ALL, 0), 0, 1, 1);
	EXPECT(send_x(0, FLAT, NMI | SH_OTHERS, 0), 0, 0, 1);
	EXPECT(send_x(0, FLAT, INIT | SH_OTHERS, 0), 0, 0, 1);
	EXPECT(send_x(0, FLAT, SIPI | SH_OTHERS, 0), 0, 0, 1);
	EXPECT(send_x(0, FLAT, INIT | SH_ALL, 0), 0, 0, 1);
	EXPECT(send_x(0, FLAT, SMI | SH_SELF, 0), 0, 0, 1);
}

TEST(vlapic_ipi_physical_destinations)
{
	EXPECT(send_x(0, FLAT, FIXED, 0), 1, 0, 0);
	EXPECT(send_x(0, FLAT, FIXED, 1), 0, 0, 1);
	EXPECT(send_x(0, FLAT, FIXED, 0xff), 1, 0, 1); /* broadcast includes self */
	EXPECT(send_x(0, FLAT, NMI, 0), 0, 1, 0);
	EXPECT(send_x(0, FLAT, NMI, 3), 0, 0, 1);
	EXPECT(send_x(0, FLAT, INIT, 0), 0, 0, 1);     /* INIT never delivered, even to self */
	EXPECT(send_x(0, FLAT, SIPI, 0), 0, 0, 1);
	EXPECT(send_x(0, FLAT, LOWEST, 0), 1, 0, 0);
}

TEST(vlapic_ipi_logical_flat_and_cluster)
{
	EXPECT(send_x(0x01000000, FLAT, FIXED | LOGICAL, 0x01), 1, 0, 0);
	EXPECT(send_x(0x01000000, FLAT, FIXED | LOGICAL, 0x03), 1, 0, 1);
	EXPECT(send_x(0x01000000, FLAT, FIXED | LOGICAL, 0x02), 0, 0, 1);
	EXPECT(send_x(0x01000000, FLAT, NMI | LOGICAL, 0x01), 0, 1, 0);
	EXPECT(send_x(0x01000000, FLAT, FIXED | LOGICAL, 0xff), 1, 0, 1);
	EXPECT(send_x(0x21000000, CLUSTER, FIXED | LOGICAL, 0x21), 1, 0, 0);
	EXPECT(send_x(0x21000000, CLUSTER, FIXED | LOGICAL, 0x31), 0, 0, 1);
	EXPECT(send_x(0x21000000, CLUSTER, FIXED | LOGICAL, 0x23), 1, 0, 1);
	EXPECT(send_x(0x21000000, CLUSTER, FIXED | LOGICAL, 0xf1), 1, 0, 1); /* all clusters */
	EXPECT(send_x(0x21000000, CLUSTER, FIXED | LOGICAL, 0x22), 0, 0, 1);
}

TEST(vlapic_ipi_x2apic_destinations)
{
	EXPECT(send_x2(FIXED), 1, 0, 0);
	EXPECT(send_x2((0x100ull << 32) | FIXED), 0, 0, 1);
	EXPECT(send_x2((0xffffffffull << 32) | FIXED), 1, 0, 1);
	EXPECT(send_x2((1ull << 32) | FIXED | LOGICAL), 1, 0, 0);       /* cluster 0, bit 0 */
	EXPECT(send_x2((0x10001ull << 32) | FIXED | LOGICAL), 0, 0, 1); /* cluster 1 */
	EXPECT(send_x2((3ull << 32) | NMI | LOGICAL), 0, 1, 1);
	EXPECT(send_x2(INIT | SH_OTHERS), 0, 0, 1);
}

TEST(vlapic_ipi_first_drop_recorded)
{
	struct vlapic a;
	enabled_apic(&a);
	wr(&a, 0x310, 0x05000000);
	wr(&a, 0x300, INIT);
	wr(&a, 0x300, SIPI | SH_OTHERS);
	CHECK_EQ(a.dropped_ipis, 2);
	CHECK_EQ(a.first_dropped_icr_lo, INIT);
	CHECK_EQ(a.first_dropped_dest, 5);
}
