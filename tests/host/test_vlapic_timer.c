/* Virtual local APIC timer: one-shot, periodic, TSC-deadline, divide configuration and the
 * current count at given guest TSC values (hv/vlapic_timer.c). */
#include "hv/vlapic.h"
#include "tests/host/harness.h"
#include "tests/host/vlapic_test_util.h"

#define T0 1000000ull

static uint32_t rdt(struct vlapic *a, uint32_t off, uint64_t now)
{
	uint64_t v;
	vlapic_mmio_read(a, off, 4, &v, now);
	return (uint32_t)v;
}

static void wrt(struct vlapic *a, uint32_t off, uint32_t val, uint64_t now)
{
	vlapic_mmio_write(a, off, 4, val, now);
}

static bool irr_has(const struct vlapic *a, unsigned v)
{
	return a->irr[v / 32] & (1u << (v % 32));
}

TEST(vlapic_timer_one_shot_counts_down_and_fires_once)
{
	struct vlapic a;
	enabled_apic(&a);
	wrt(&a, 0x320, 0x30, T0);   /* one-shot, vector 0x30 */
	wrt(&a, 0x3e0, 0x0, T0);    /* divide by 2 */
	wrt(&a, 0x380, 1000, T0);
	CHECK_EQ(rdt(&a, 0x380, T0), 1000);
	CHECK_EQ(rdt(&a, 0x390, T0), 1000);
	CHECK_EQ(rdt(&a, 0x390, T0 + 200), 900);
	CHECK_EQ(rdt(&a, 0x390, T0 + 1999), 1);
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 2000);
	vlapic_timer_poll(&a, T0 + 1999);
	CHECK(!irr_has(&a, 0x30));
	vlapic_timer_poll(&a, T0 + 2000);
	CHECK(irr_has(&a, 0x30));
	CHECK_EQ(rdt(&a, 0x390, T0 + 2500), 0);
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	vlapic_accept(&a, 0x30);
	wrt(&a, 0xb0, 0, T0 + 2600);
	vlapic_timer_poll(&a, T0 + 100000);
	CHECK(!irr_has(&a, 0x30)); /* one shot only */
	CHECK_EQ(rdt(&a, 0x380, T0 + 100000), 1000); /* the initial count stays */
	/* Writing 0 stops a running count. */
	wrt(&a, 0x380, 10, T0 + 200000);
	wrt(&a, 0x380, 0, T0 + 200001);
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	CHECK_EQ(rdt(&a, 0x390, T0 + 200002), 0);
}

TEST(vlapic_timer_divide_configuration_encodings)
{
	/* DCR bits 3,1:0 -> divisor (SDM figure 11-10). */
	static const struct { uint32_t dcr, div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		struct vlapic a;
		enabled_apic(&a);
		wrt(&a, 0x320, 0x30, T0);
		wrt(&a, 0x3e0, t[i].dcr, T0);
		wrt(&a, 0x380, 100, T0);
		CHECK_EQ(rdt(&a, 0x390, T0 + 10 * t[i].div), 90);
		CHECK_EQ(rdt(&a, 0x390, T0 + 10 * t[i].div - 1), 91);
		CHECK_EQ(vlapic_timer_deadline(&a), T0 + 100 * t[i].div);
	}
}

TEST(vlapic_timer_bus_clock_slower_than_tsc)
{
	struct vlapic a;
	vlapic_init(&a, 0, 3000000, 1000000); /* TSC 3 GHz, bus 1 GHz */
	wrt(&a, 0xf0, 0x1ff, 0);
	wrt(&a, 0x320, 0x30, T0);
	wrt(&a, 0x3e0, 0xb, T0);
	wrt(&a, 0x380, 100, T0);
	CHECK_EQ(rdt(&a, 0x390, T0 + 30), 90);
	CHECK_EQ(rdt(&a, 0x390, T0 + 32), 90);
	CHECK_EQ(rdt(&a, 0x390, T0 + 33), 89);
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 300);
}

TEST(vlapic_timer_periodic_reloads)
{
	struct vlapic a;
	enabled_apic(&a);
	wrt(&a, 0x320, 0x20031, T0); /* periodic, vector 0x31 */
	wrt(&a, 0x3e0, 0xb, T0);     /* divide by 1 */
	wrt(&a, 0x380, 100, T0);
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 100);
	vlapic_timer_poll(&a, T0 + 100);
	CHECK(irr_has(&a, 0x31));
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 200);
	CHECK_EQ(rdt(&a, 0x390, T0 + 150), 50);
	vlapic_accept(&a, 0x31);
	wrt(&a, 0xb0, 0, T0 + 150);
	/* Nobody polled for 2.5 periods: one interrupt, the phase kept. */
	CHECK_EQ(rdt(&a, 0x390, T0 + 355), 45);
	CHECK(irr_has(&a, 0x31));
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 400);
	/* A new divide goes on from the current count. */
	wrt(&a, 0x3e0, 0x0, T0 + 360); /* 40 left, now /2 */
	CHECK_EQ(rdt(&a, 0x390, T0 + 360), 40);
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 440);
	vlapic_timer_poll(&a, T0 + 440);
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 640); /* reloaded with 100 at /2 */
}

TEST(vlapic_timer_masked_counts_without_interrupts)
{
	struct vlapic a;
	enabled_apic(&a);
	wrt(&a, 0x320, 0x30031, T0); /* periodic, masked */
	wrt(&a, 0x3e0, 0xb, T0);
	wrt(&a, 0x380, 100, T0);
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	vlapic_timer_poll(&a, T0 + 250);
	CHECK(!irr_has(&a, 0x31));
	CHECK_EQ(rdt(&a, 0x390, T0 + 250), 50);
	wrt(&a, 0x320, 0x20031, T0 + 260); /* unmask: same mode, still armed */
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 300);
}

TEST(vlapic_timer_tsc_deadline_mode)
{
	struct vlapic a;
	enabled_apic(&a);
	uint64_t v;
	/* Outside deadline mode the MSR reads 0 and writes are ignored. */
	CHECK_EQ(vlapic_msr_write(&a, 0x6e0, T0 + 500, T0), 0);
	CHECK_EQ(vlapic_msr_read(&a, 0x6e0, &v, T0), 0);
	CHECK_EQ(v, 0);
	wrt(&a, 0x320, 0x40032, T0); /* TSC-deadline, vector 0x32 */
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	CHECK_EQ(vlapic_msr_write(&a, 0x6e0, T0 + 500, T0), 0);
	CHECK_EQ(vlapic_msr_read(&a, 0x6e0, &v, T0 + 1), 0);
	CHECK_EQ(v, T0 + 500);
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 500);
	wrt(&a, 0x380, 100, T0 + 2); /* initial count ignored in this mode */
	CHECK_EQ(rdt(&a, 0x380, T0 + 2), 0);
	CHECK_EQ(rdt(&a, 0x390, T0 + 2), 0);
	vlapic_timer_poll(&a, T0 + 499);
	CHECK(!irr_has(&a, 0x32));
	vlapic_timer_poll(&a, T0 + 500);
	CHECK(irr_has(&a, 0x32));
	CHECK_EQ(vlapic_msr_read(&a, 0x6e0, &v, T0 + 501), 0);
	CHECK_EQ(v, 0); /* fired: reset to 0 */
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	vlapic_accept(&a, 0x32);
	wrt(&a, 0xb0, 0, T0 + 502);
	/* A deadline in the past fires at once; 0 disarms. */
	vlapic_msr_write(&a, 0x6e0, 5, T0 + 600);
	CHECK(irr_has(&a, 0x32));
	vlapic_msr_write(&a, 0x6e0, T0 + 900, T0 + 700);
	vlapic_msr_write(&a, 0x6e0, 0, T0 + 701);
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
}

TEST(vlapic_timer_mode_change_disarms)
{
	struct vlapic a;
	enabled_apic(&a);
	uint64_t v;
	wrt(&a, 0x320, 0x40032, T0);
	vlapic_msr_write(&a, 0x6e0, T0 + 500, T0);
	wrt(&a, 0x320, 0x32, T0 + 10); /* to one-shot */
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	vlapic_msr_read(&a, 0x6e0, &v, T0 + 11);
	CHECK_EQ(v, 0);
	wrt(&a, 0x380, 100, T0 + 20);
	wrt(&a, 0x320, 0x40032, T0 + 30); /* back to deadline: the count is gone */
	CHECK_EQ(vlapic_timer_deadline(&a), UINT64_MAX);
	vlapic_timer_poll(&a, T0 + 100000);
	CHECK(!irr_has(&a, 0x32));
	wrt(&a, 0x320, 0x20032, T0 + 40); /* to periodic: initial count cleared */
	CHECK_EQ(rdt(&a, 0x380, T0 + 41), 0);
	wrt(&a, 0x380, 100, T0 + 50);
	wrt(&a, 0x320, 0x20033, T0 + 60); /* same mode, new vector: keeps counting */
	CHECK_EQ(vlapic_timer_deadline(&a), T0 + 50 + 100 * 2); /* divide by 2 (DCR 0) */
}
