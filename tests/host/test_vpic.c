/* hv/vpic.c through the port I/O path: a masked, idle 8259A pair. */
#include <string.h>
#include "hv/vio.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

static uint8_t in8(struct vcpu *v, uint16_t port)
{
	uint64_t rax = 0x1234567800ull;
	CHECK_EQ(vio_access(v, &rax, port, 1, true), ACT_SKIP);
	CHECK_EQ(rax >> 8, 0x12345678); /* IN AL keeps the rest of RAX */
	return (uint8_t)rax;
}

static void out8(struct vcpu *v, uint16_t port, uint8_t val)
{
	uint64_t rax = val;
	CHECK_EQ(vio_access(v, &rax, port, 1, false), ACT_SKIP);
}

TEST(vpic_ports_are_exactly_the_pair)
{
	for (unsigned p = 0; p < 0x10000; p++)
		CHECK_EQ(vpic_port((uint16_t)p), p == 0x20 || p == 0x21 || p == 0xa0 || p == 0xa1);
}

TEST(vpic_starts_masked_and_idle)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	CHECK_EQ(in8(v, 0x21), 0xff);
	CHECK_EQ(in8(v, 0xa1), 0xff);
	CHECK_EQ(in8(v, 0x20), 0); /* IRR */
	CHECK_EQ(in8(v, 0xa0), 0);
	/* Not "unknown ports": nothing logged. */
	CHECK(!(v->ports_seen[0x20 >> 3] & 3));
	CHECK(!(v->ports_seen[0xa0 >> 3] & 3));
	fake_vcpu_free(v);
}

/* The sequence Linux (init_8259A), SeaBIOS and most test kernels use. */
TEST(vpic_init_sequence_and_masks)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	out8(v, 0x21, 0xff);
	out8(v, 0xa1, 0xff);
	out8(v, 0x20, 0x11); /* ICW1: edge, cascade, ICW4 needed */
	CHECK_EQ(in8(v, 0x21), 0); /* ICW1 clears the IMR */
	out8(v, 0x21, 0x20); /* ICW2: vectors 0x20-0x27 (not taken as a mask) */
	CHECK_EQ(in8(v, 0x21), 0);
	out8(v, 0x21, 0x04); /* ICW3: slave on IR2 */
	out8(v, 0x21, 0x01); /* ICW4: 8086 mode */
	CHECK_EQ(in8(v, 0x21), 0);
	out8(v, 0xa0, 0x11);
	out8(v, 0xa1, 0x28);
	out8(v, 0xa1, 0x02);
	out8(v, 0xa1, 0x01);
	out8(v, 0x21, 0xfb); /* OCW1: all but the cascade */
	out8(v, 0xa1, 0xff);
	CHECK_EQ(in8(v, 0x21), 0xfb);
	CHECK_EQ(in8(v, 0xa1), 0xff);
	CHECK_EQ(in8(v, 0xa0), 0); /* IRR after ICW1 */
	/* A single chip without ICW4: ICW1 SNGL, ICW2, then the data port is OCW1 again. */
	out8(v, 0x20, 0x12);
	out8(v, 0x21, 0x08);
	out8(v, 0x21, 0x5a);
	CHECK_EQ(in8(v, 0x21), 0x5a);
	CHECK_EQ(in8(v, 0xa1), 0xff); /* the slave is a separate chip */
	/* Cascade without ICW4: ICW1, ICW2, ICW3, then OCW1. */
	out8(v, 0xa0, 0x10);
	out8(v, 0xa1, 0x70);
	out8(v, 0xa1, 0x02);
	CHECK_EQ(in8(v, 0xa1), 0);
	out8(v, 0xa1, 0xc3);
	CHECK_EQ(in8(v, 0xa1), 0xc3);
	fake_vcpu_free(v);
}

TEST(vpic_ocw2_ocw3_and_poll)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	out8(v, 0x21, 0x3c);
	out8(v, 0x20, 0x20); /* OCW2: non-specific EOI */
	out8(v, 0x20, 0x62); /* OCW2: specific EOI, IR2 */
	out8(v, 0xa0, 0x20);
	CHECK_EQ(in8(v, 0x21), 0x3c); /* OCW2 is not ICW1 and does not touch the IMR */
	out8(v, 0x20, 0x0b); /* OCW3: read ISR */
	CHECK(v->pic.chip[0].read_isr);
	CHECK_EQ(in8(v, 0x20), 0);
	out8(v, 0x20, 0x0a); /* OCW3: read IRR */
	CHECK(!v->pic.chip[0].read_isr);
	CHECK_EQ(in8(v, 0x20), 0);
	out8(v, 0x20, 0x0c); /* OCW3: poll */
	CHECK(v->pic.chip[0].poll);
	CHECK_EQ(in8(v, 0x20), 0); /* bit 7 clear: no interrupt */
	CHECK(!v->pic.chip[0].poll); /* one-shot */
	CHECK(!v->pic.chip[1].poll);
	CHECK_EQ(in8(v, 0x21), 0x3c);
	/* A 16-bit read of 0x20 covers 0x20 and 0x21. */
	uint64_t rax = 0;
	vio_access(v, &rax, 0x20, 2, true);
	CHECK_EQ(rax, 0x3c00);
	fake_vcpu_free(v);
}
