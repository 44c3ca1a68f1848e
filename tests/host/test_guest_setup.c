/* What every guest starts with (hv/guest_setup.c, README "What a guest gets"): the real
 * set-up path, not the fake vCPU the other core tests build. */
#include <stdlib.h>
#include <string.h>
#include "hv/guest_setup.h"
#include "tests/host/harness.h"

TEST(guest_setup_power_on_state)
{
	static uint8_t ports[8192];
	struct hv_guest_cfg cfg = { .name = "g", .memory = 2 << 20, .kernel = "none.elf" };
	struct vcpu *v = calloc(1, sizeof(*v));
	struct blob none = { NULL, 0 };
	guest_setup(v, &cfg, 3, 0, NULL, &none, NULL, ports);
	/* Local APIC: fully virtual, APIC ID 0, enabled at 0xFEE00000 as the BSP. */
	CHECK_EQ(v->lapic.id, 0);
	CHECK_EQ(v->lapic.apic_base, 0xfee00900ull);
	CHECK_EQ(v->xcr0, 1); /* XCR0's power-on value: x87 only */
	CHECK_EQ(v->cpu, 3);
	CHECK(strstr(v->end.reason, "no memory") != NULL); /* the missing partition is named */
	free(v);
}
