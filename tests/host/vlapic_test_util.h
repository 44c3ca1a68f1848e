/* Helpers the virtual local APIC tests share: 32-bit xAPIC register accesses and an
 * APIC in a known state. */
#ifndef TESTS_HOST_VLAPIC_TEST_UTIL_H
#define TESTS_HOST_VLAPIC_TEST_UTIL_H

#include "hv/vlapic.h"

#define TEST_TSC_KHZ 2000000u /* 2 GHz */

static inline uint32_t rd(struct vlapic *a, uint32_t off)
{
	uint64_t v;
	vlapic_mmio_read(a, off, 4, &v, 0);
	return (uint32_t)v;
}

static inline void wr(struct vlapic *a, uint32_t off, uint32_t val)
{
	vlapic_mmio_write(a, off, 4, val, 0);
}

/* Power-on state, then software-enabled with spurious vector 0xFF. */
static inline void enabled_apic(struct vlapic *a)
{
	vlapic_init(a, 0, TEST_TSC_KHZ, TEST_TSC_KHZ);
	a->x2apic_allowed = true;
	wr(a, 0xf0, 0x1ff);
}

static inline void to_x2apic(struct vlapic *a)
{
	vlapic_msr_write(a, 0x1b, VLAPIC_DEFAULT_BASE | BIT(11) | BIT(10) | BIT(8), 0);
}

#endif
