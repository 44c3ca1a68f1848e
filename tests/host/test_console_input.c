/* hv/console_input.c: the Ctrl-A x3 focus sequence and routing of input to the guests. */
#include <string.h>
#include "hv/console_input.h"
#include "hv/percpu.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

extern uint32_t fake_kicks, fake_kick_apic_id;

static unsigned feed(struct focus_keys *k, const char *in, uint8_t *out, unsigned *switches)
{
	unsigned total = 0;
	*switches = 0;
	for (const char *p = in; *p; p++) {
		uint8_t b[CONSOLE_SWITCH_PRESSES];
		unsigned n;
		if (focus_keys_feed(k, (uint8_t)*p, b, &n))
			(*switches)++;
		memcpy(out + total, b, n);
		total += n;
	}
	return total;
}

TEST(console_focus_keys_three_ctrl_a_switch)
{
	struct focus_keys k = { 0 };
	uint8_t out[64];
	unsigned sw;
	CHECK_EQ(feed(&k, "ab", out, &sw), 2);
	CHECK_EQ(sw, 0);
	CHECK(!memcmp(out, "ab", 2));
	CHECK_EQ(feed(&k, "\x01\x01\x01", out, &sw), 0); /* nothing passes, one switch */
	CHECK_EQ(sw, 1);
	/* Two Ctrl-A and another key: all three pass through, in order, no switch. */
	CHECK_EQ(feed(&k, "\x01\x01x", out, &sw), 3);
	CHECK_EQ(sw, 0);
	CHECK(!memcmp(out, "\x01\x01x", 3));
	CHECK_EQ(feed(&k, "\x01y", out, &sw), 2);
	CHECK(!memcmp(out, "\x01y", 2));
	/* Six in a row: two switches; four: one, with one held back until the next key. */
	CHECK_EQ(feed(&k, "\x01\x01\x01\x01\x01\x01", out, &sw), 0);
	CHECK_EQ(sw, 2);
	CHECK_EQ(feed(&k, "\x01\x01\x01\x01", out, &sw), 0);
	CHECK_EQ(sw, 1);
	CHECK_EQ(feed(&k, "z", out, &sw), 2);
	CHECK(!memcmp(out, "\x01z", 2));
}

static bool eligible_set[8];
static bool eligible(unsigned cpu)
{
	return eligible_set[cpu];
}

TEST(console_focus_cycles_through_readers_and_the_hypervisor)
{
	memset(eligible_set, 0, sizeof(eligible_set));
	CHECK_EQ(focus_next(CONSOLE_FOCUS_HV, 4, eligible), CONSOLE_FOCUS_HV); /* nobody reads */
	eligible_set[1] = eligible_set[3] = true;
	CHECK_EQ(focus_next(CONSOLE_FOCUS_HV, 4, eligible), 1);
	CHECK_EQ(focus_next(1, 4, eligible), 3);
	CHECK_EQ(focus_next(3, 4, eligible), CONSOLE_FOCUS_HV);
	eligible_set[3] = false; /* ended or never read */
	CHECK_EQ(focus_next(1, 4, eligible), CONSOLE_FOCUS_HV);
}

static struct vcpu *guest_on(unsigned cpu)
{
	struct vcpu *v = fake_vcpu_new(1 << 20);
	v->cpu = cpu;
	hv_cpus[cpu].vcpu = v;
	hv_cpus[cpu].apic_id = 0x10 + cpu;
	return v;
}

static void type(const char *s)
{
	for (const char *p = s; *p; p++)
		console_input_raw((uint8_t)*p);
	console_input_poll();
}

static unsigned queued(const struct vuart *u)
{
	return u->rx_head - u->rx_tail;
}

/* Bytes go only to the guest with the focus, whose CPU is asked (VCPU_REQ_RX) and kicked;
 * a guest that does not read its UART is skipped; the hypervisor is in the cycle. */
TEST(console_input_routes_bytes_to_the_focused_guest_only)
{
	uint32_t ncpus = hv_ncpus;
	hv_ncpus = 3;
	struct vcpu *a = guest_on(1), *b = guest_on(2);
	hv_cpus[0].vcpu = NULL;
	a->uart.reads = b->uart.reads = true;
	REQUIRE(console_input_focus() == CONSOLE_FOCUS_HV);
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), 1);
	uint32_t kicks = fake_kicks;
	type("hi\r");
	CHECK_EQ(queued(&a->uart), 3);
	CHECK_EQ(queued(&b->uart), 0);
	CHECK(a->requests & VCPU_REQ_RX);
	CHECK_EQ(fake_kicks, kicks + 1); /* one kick for the batch */
	CHECK_EQ(fake_kick_apic_id, 0x11);
	type("\x01\x01x"); /* not a switch: passes through */
	CHECK_EQ(console_input_focus(), 1);
	CHECK_EQ(queued(&a->uart), 6);
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), 2);
	type("yo");
	CHECK_EQ(queued(&b->uart), 2);
	CHECK_EQ(queued(&a->uart), 6);
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), CONSOLE_FOCUS_HV);
	a->uart.reads = false; /* never read: not in the cycle */
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), 2);
	/* The focused guest ends: the next byte goes to the hypervisor instead. */
	b->end.kind = GUEST_PASSED;
	type("z");
	CHECK_EQ(console_input_focus(), CONSOLE_FOCUS_HV);
	CHECK_EQ(queued(&b->uart), 2);
	/* Focus on a guest that ends: Ctrl-A x3 moves on to the next reader, not the monitor. */
	b->end.kind = GUEST_RUNNING;
	a->uart.reads = true;
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), 1);
	a->end.kind = GUEST_PASSED;
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), 2);
	/* The monitor ticks only while it has the focus. Later tests run "on" CPU 0, the
	 * console CPU, whose halt waits honour the tick: leave none behind. */
	CHECK_EQ(console_input_tick_deadline(), 0);
	type("\x01\x01\x01");
	CHECK_EQ(console_input_focus(), CONSOLE_FOCUS_HV);
	CHECK(console_input_tick_deadline() != 0);
	console_input_tick_at(0);
	hv_cpus[1].vcpu = hv_cpus[2].vcpu = NULL;
	hv_ncpus = ncpus;
	fake_vcpu_free(a);
	fake_vcpu_free(b);
}
