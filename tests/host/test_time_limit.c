/* [guest] timeout: the key's values, and a guest stopped when its time is up (hv/time_limit.c
 * through hv/vintr.c) with the fake backend and host timer. */
#include <string.h>
#include "hv/config.h"
#include "hv/time_limit.h"
#include "hv/vcpu_request.h"
#include "hv/vintr.h"
#include "hv/vlapic_regs.h"
#include "tests/host/config_test_util.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

TEST(config_timeout_values)
{
	static const struct {
		const char *val;
		uint64_t ms;
	} ok[] = { { "30s", 30000 },   { "30 s", 30000 },	  { "1500ms", 1500 },
		   { "2m", 120000 },   { "1h", 3600000 },	  { "1ms", 1 },
		   { "8760h", 8760ull * 3600000 }, { "31536000s", 31536000000ull } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), G("a", "0") "timeout = %s   # limit\n", ok[i].val);
		REQUIRE(parse(text) == 0);
		CHECK_EQ(cfg.guests[0].timeout_ms, ok[i].ms);
	}
	REQUIRE(parse(G("a", "0")) == 0);
	CHECK_EQ(cfg.guests[0].timeout_ms, 0); /* no key: no limit */
}

TEST(config_timeout_errors)
{
	CHECK_ERR(G("a", "0") "timeout = 0s\n", 5,
		  "timeout '0s' must be at least 1 ms (for no limit, leave the key out)");
	CHECK_ERR(G("a", "0") "timeout = 0ms\n", 5, "timeout '0ms' must be at least 1 ms");
	CHECK_ERR(G("a", "0") "timeout = 30\n", 5,
		  "bad timeout '30' (expected a number with ms, s, m or h, as in 30s)");
	CHECK_ERR(G("a", "0") "timeout = 30sec\n", 5, "bad timeout '30sec'");
	CHECK_ERR(G("a", "0") "timeout = 30S\n", 5, "bad timeout '30S'");
	CHECK_ERR(G("a", "0") "timeout = s\n", 5, "bad timeout 's'");
	CHECK_ERR(G("a", "0") "timeout = -1s\n", 5, "bad timeout '-1s'");
	CHECK_ERR(G("a", "0") "timeout = 1.5s\n", 5, "bad timeout '1.5s'");
	CHECK_ERR(G("a", "0") "timeout =\n", 5, "bad timeout ''");
	CHECK_ERR(G("a", "0") "timeout = 30s\ntimeout = 1s\n", 6, "duplicate key 'timeout' in [guest a]");
	/* One past a year, in each unit, and numbers that overflow 64 bits. */
	CHECK_ERR(G("a", "0") "timeout = 8761h\n", 5,
		  "timeout '8761h' is out of range (1 ms to 365 days)");
	CHECK_ERR(G("a", "0") "timeout = 31536000001ms\n", 5, "is out of range");
	CHECK_ERR(G("a", "0") "timeout = 525601m\n", 5, "is out of range");
	CHECK_ERR(G("a", "0") "timeout = 18446744073709551615s\n", 5, "is out of range");
	CHECK_ERR(G("a", "0") "timeout = 99999999999999999999999s\n", 5,
		  "timeout '99999999999999999999999s' is out of range");
	CHECK_ERR("[hv]\ntimeout = 30s\n", 2, "unknown key 'timeout' in [hv]");
}

TEST(time_limit_text_units)
{
	char t[32];
	time_limit_text(30000, t, sizeof(t));
	CHECK_STR(t, "30 s");
	time_limit_text(1500, t, sizeof(t));
	CHECK_STR(t, "1500 ms");
	time_limit_text(120000, t, sizeof(t));
	CHECK_STR(t, "120 s");
}

static struct hv_guest_cfg limited = { .name = "spin", .memory = 4 << 20, .timeout_ms = 2000 };
#define LIMIT_TICKS (2000 * FAKE_TSC_KHZ)

static struct vcpu *limited_vcpu(void)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	v->cfg = &limited;
	fake_timer_deadline = 0;
	fake_timer_arms = 0;
	fake_timer_reach = 0;
	return v;
}

static int host_irq_exit(struct vcpu *v)
{
	struct vm_exit e = fake_exit(EXIT_HOST_IRQ, 0);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_RESUME);
	return vcpu_deliver_events(v);
}

/* A guest that never exits: the host timer armed before the first entry is what brings
 * it back, and the exit it causes stops it. */
TEST(time_limit_stops_a_guest_that_never_exits)
{
	struct vcpu *v = limited_vcpu();
	uint64_t start = fake_tsc;
	time_limit_start(v);
	CHECK_EQ(v->limit_tsc, start + LIMIT_TICKS);
	CHECK_EQ(fake_timer_arms, 1);
	CHECK_EQ(fake_timer_deadline, start + LIMIT_TICKS);
	/* An early interrupt (another host IRQ, or a one-shot timer a little early): resumes,
	 * and the timer stays armed for the limit. */
	fake_tsc = start + LIMIT_TICKS - 1;
	CHECK_EQ(host_irq_exit(v), 0);
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	CHECK_EQ(fake_timer_deadline, start + LIMIT_TICKS);
	fake_tsc = start + LIMIT_TICKS;
	CHECK_EQ(host_irq_exit(v), 1);
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	CHECK_STR(v->end.reason, "time limit 2 s");
	CHECK_EQ(fake_timer_deadline, 0); /* disarmed: the guest has ended */
	CHECK_EQ(v->host_timer_want, 0);
	fake_vcpu_free(v);
}

/* Without a timeout nothing is armed and the idle shortcut stays. */
TEST(time_limit_none_arms_nothing)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	fake_timer_arms = 0;
	time_limit_start(v);
	CHECK_EQ(v->limit_tsc, 0);
	CHECK_EQ(fake_timer_arms, 0);
	fake_tsc += 1ull << 40;
	CHECK_EQ(host_irq_exit(v), 0);
	CHECK_EQ(fake_timer_arms, 0);
	CHECK_EQ(v->end.kind, GUEST_RUNNING);
	fake_vcpu_free(v);
}

static void apic_write(struct vcpu *v, uint32_t reg, uint32_t val)
{
	vlapic_mmio_write(&v->lapic, reg, 4, val, fake_tsc + v->tsc_offset);
}

/* The host timer serves both: the guest's APIC timer when it comes first, then the limit. */
TEST(time_limit_shares_the_host_timer_with_the_apic_timer)
{
	struct vcpu *v = limited_vcpu();
	uint64_t start = fake_tsc;
	time_limit_start(v);
	apic_write(v, APIC_SVR, SVR_ENABLE | 0xff);
	apic_write(v, APIC_TIMER_DCR, 0xb);      /* divide by 1: bus = TSC here */
	apic_write(v, APIC_LVT_TIMER, 0x40);     /* one-shot, vector 0x40 (guest IF = 0: held) */
	apic_write(v, APIC_TIMER_ICR, 1000);
	CHECK_EQ(host_irq_exit(v), 0);
	CHECK(fake_timer_deadline < start + LIMIT_TICKS); /* the APIC timer's deadline first */
	fake_tsc = fake_timer_deadline;
	CHECK_EQ(host_irq_exit(v), 0);
	CHECK_EQ(fake_timer_deadline, start + LIMIT_TICKS); /* then the limit again */
	/* An APIC timer beyond the limit: the limit still wins. */
	apic_write(v, APIC_TIMER_DCR, 0xa); /* divide by 128 */
	apic_write(v, APIC_TIMER_ICR, 0xffffffffu);
	CHECK_EQ(host_irq_exit(v), 0);
	CHECK_EQ(fake_timer_deadline, start + LIMIT_TICKS);
	fake_tsc = start + LIMIT_TICKS + 5;
	CHECK_EQ(host_irq_exit(v), 1);
	CHECK_STR(v->end.reason, "time limit 2 s");
	fake_vcpu_free(v);
}

/* The host timer fires (time jumps to its deadline); a wait loop that never ends is cut
 * short by a stop request, which then fails the check of the reason. */
static void timer_fires(struct vcpu *v)
{
	if (((struct fake_guest *)v->arch)->waits > 10)
		vcpu_request_stop(v, 0, "test: the halt did not end");
	if (fake_tsc < fake_timer_deadline)
		fake_tsc = fake_timer_deadline;
}

/* A guest halted waiting for an APIC timer due after its limit: the wait ends at the
 * limit, and the guest is stopped there. */
TEST(time_limit_ends_a_halt)
{
	struct vcpu *v = limited_vcpu();
	uint64_t start = fake_tsc;
	time_limit_start(v);
	((struct fake_guest *)v->arch)->mode.rflags = 0x202;
	((struct fake_guest *)v->arch)->on_wait = timer_fires;
	apic_write(v, APIC_SVR, SVR_ENABLE | 0xff);
	apic_write(v, APIC_TIMER_DCR, 0xa);      /* divide by 128 */
	apic_write(v, APIC_LVT_TIMER, 0x40);
	apic_write(v, APIC_TIMER_ICR, 0xffffffffu);
	struct vm_exit e = fake_exit(EXIT_HLT, 1);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK(v->halted);
	CHECK_EQ(vcpu_deliver_events(v), 1);
	CHECK_EQ(fake_tsc, start + LIMIT_TICKS);
	CHECK_STR(v->end.reason, "time limit 2 s");
	CHECK(!v->halted);
	CHECK_EQ(fake_timer_deadline, 0);
	fake_vcpu_free(v);
}

/* A one-shot host timer that cannot count as far as the limit fires early: armed again
 * until the limit is reached. */
TEST(time_limit_beyond_the_host_timer_reach)
{
	struct vcpu *v = limited_vcpu();
	uint64_t start = fake_tsc;
	fake_timer_reach = start + LIMIT_TICKS / 3;
	time_limit_start(v);
	CHECK_EQ(fake_timer_deadline, start + LIMIT_TICKS / 3);
	int exits = 0;
	while (v->end.kind == GUEST_RUNNING && exits < 10) {
		fake_tsc = fake_timer_deadline;
		fake_timer_reach = fake_tsc + LIMIT_TICKS / 3;
		host_irq_exit(v);
		exits++;
	}
	CHECK_EQ(exits, 4); /* at 1/3, 2/3, 3/3 - rounding, then the limit */
	CHECK_STR(v->end.reason, "time limit 2 s");
	CHECK(fake_tsc >= start + LIMIT_TICKS);
	fake_vcpu_free(v);
}
