/* Event delivery (hv/vintr.c) with the fake backend and the real virtual APIC. */
#include <string.h>
#include "hv/vcpu_request.h"
#include "hv/percpu.h"
#include "hv/vintr.h"
#include "hv/vlapic_regs.h"
#include "tests/host/fake_arch.h"
#include "tests/host/harness.h"

#define RFLAGS_IF 0x200u
#define TIMER_TSC_DEADLINE_MODE (2u << 17)
#define TIMER_ONE_SHOT_MODE 0u

static struct fake_guest *G(struct vcpu *v)
{
	return v->arch;
}

static uint64_t now(struct vcpu *v)
{
	return fake_tsc + v->tsc_offset;
}

static void apic_write(struct vcpu *v, uint32_t reg, uint32_t val)
{
	vlapic_mmio_write(&v->lapic, reg, 4, val, now(v));
}

/* A vcpu whose APIC is software-enabled, guest IF as given, the host timer disarmed. */
static struct vcpu *new_vcpu(bool if_set)
{
	struct vcpu *v = fake_vcpu_new(4 << 20);
	G(v)->mode.rflags = if_set ? 0x202 : 0x2;
	apic_write(v, APIC_SVR, SVR_ENABLE | 0xff);
	fake_timer_deadline = 0;
	fake_timer_arms = 0;
	fake_timer_reach = 0;
	return v;
}

static void self_ipi(struct vcpu *v, uint32_t mode, uint8_t vector)
{
	apic_write(v, APIC_ICR_LO, ((uint32_t)SH_SELF << ICR_SHORTHAND_SHIFT) | (mode << ICR_DM_SHIFT) |
					   ICR_LEVEL_ASSERT | vector);
}

static bool in_service(struct vcpu *v, uint8_t vector)
{
	return v->lapic.isr[vector / 32] & (1u << (vector % 32));
}

/* The guest took what was queued (the next VM entry delivered it). */
static void delivered(struct vcpu *v)
{
	G(v)->ev.queued = false;
}

TEST(vintr_injects_vector_when_interruptible)
{
	struct vcpu *v = new_vcpu(true);
	self_ipi(v, DM_FIXED, 0x40);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->injects, 1);
	CHECK_EQ(G(v)->last_vector, 0x40);
	CHECK(in_service(v, 0x40));          /* vlapic_accept: IRR -> ISR */
	CHECK_EQ(vlapic_pending_vector(&v->lapic), -1);
	CHECK(!G(v)->win_irq && !G(v)->win_nmi); /* nothing left: windows off */
	fake_vcpu_free(v);
}

/* IF = 0, an interrupt shadow, or an event already queued: no injection, the window. */
TEST(vintr_window_in_every_blocked_state)
{
	static const struct {
		bool if_set, shadow, queued;
	} blocked[] = { { false, false, false }, { true, true, false }, { true, false, true },
			{ false, true, true } };
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
		struct vcpu *v = new_vcpu(blocked[i].if_set);
		G(v)->ev.shadow = blocked[i].shadow;
		G(v)->ev.queued = blocked[i].queued;
		self_ipi(v, DM_FIXED, 0x41);
		CHECK_EQ(vcpu_deliver_events(v), 0);
		CHECK_EQ(G(v)->injects, 0);
		CHECK(G(v)->win_irq);
		CHECK(!G(v)->win_nmi);
		CHECK_EQ(vlapic_pending_vector(&v->lapic), 0x41); /* still requested */
		/* The window exit: the guest can take it now. */
		G(v)->mode.rflags = 0x202;
		G(v)->ev.shadow = false;
		G(v)->ev.queued = false;
		struct vm_exit e = { .kind = EXIT_IRQ_WINDOW };
		CHECK_EQ(hv_handle_exit(v, &e), ACT_RESUME);
		CHECK_EQ(vcpu_deliver_events(v), 0);
		CHECK_EQ(G(v)->injects, 1);
		CHECK_EQ(G(v)->last_vector, 0x41);
		CHECK(!G(v)->win_irq);
		fake_vcpu_free(v);
	}
}

TEST(vintr_nmi_goes_before_vectors)
{
	struct vcpu *v = new_vcpu(true);
	self_ipi(v, DM_FIXED, 0x42);
	self_ipi(v, DM_NMI, 0);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->nmi_injects, 1);
	CHECK_EQ(G(v)->injects, 1);
	CHECK(!v->lapic.nmi_pending);
	CHECK_EQ(vlapic_pending_vector(&v->lapic), 0x42); /* waits for the slot */
	CHECK(G(v)->win_irq);
	delivered(v);
	G(v)->ev.nmi_blocked = true; /* the NMI handler runs; IF is still 1 */
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->injects, 2);
	CHECK_EQ(G(v)->last_vector, 0x42);
	fake_vcpu_free(v);
}

/* Blocking by NMI or a shadow holds an NMI back (the NMI window is asked for); a vector
 * the guest can take meanwhile still goes in. */
TEST(vintr_nmi_blocked_asks_for_window)
{
	for (int shadow = 0; shadow < 2; shadow++) {
		struct vcpu *v = new_vcpu(true);
		G(v)->ev.nmi_blocked = !shadow;
		G(v)->ev.shadow = shadow;
		self_ipi(v, DM_NMI, 0);
		self_ipi(v, DM_FIXED, 0x43);
		CHECK_EQ(vcpu_deliver_events(v), 0);
		CHECK_EQ(G(v)->nmi_injects, 0);
		CHECK(G(v)->win_nmi);
		CHECK(v->lapic.nmi_pending);
		CHECK_EQ(G(v)->injects, shadow ? 0 : 1);
		CHECK_EQ(G(v)->win_irq, shadow); /* in a shadow the vector waits too */
		delivered(v);
		G(v)->ev.nmi_blocked = false;
		G(v)->ev.shadow = false;
		struct vm_exit e = { .kind = EXIT_NMI_WINDOW };
		CHECK_EQ(hv_handle_exit(v, &e), ACT_RESUME);
		CHECK_EQ(vcpu_deliver_events(v), 0);
		CHECK_EQ(G(v)->nmi_injects, 1);
		CHECK(!G(v)->win_nmi);
		fake_vcpu_free(v);
	}
}

/* Nothing is injected on top of a queued event (the fake aborts if it were), however often
 * the core runs before the guest takes it. */
TEST(vintr_no_double_injection_when_queued)
{
	struct vcpu *v = new_vcpu(true);
	self_ipi(v, DM_FIXED, 0x44);
	self_ipi(v, DM_FIXED, 0x45);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->injects, 1);
	CHECK_EQ(G(v)->last_vector, 0x45);
	/* 0x44 has 0x45's priority class: held back (PPR) until 0x45's EOI. */
	CHECK_EQ(vlapic_pending_vector(&v->lapic), -1);
	delivered(v);
	apic_write(v, APIC_EOI, 0);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->injects, 2);
	CHECK_EQ(G(v)->last_vector, 0x44);
	fake_vcpu_free(v);
}

static void arm_deadline(struct vcpu *v, uint8_t vector, uint64_t guest_tsc)
{
	apic_write(v, APIC_LVT_TIMER, TIMER_TSC_DEADLINE_MODE | vector);
	CHECK_EQ(vlapic_msr_write(&v->lapic, 0x6e0, guest_tsc, now(v)), 0);
}

TEST(vintr_hlt_waits_for_the_timer)
{
	struct vcpu *v = new_vcpu(true);
	v->tsc_offset = 0x100000;
	uint64_t deadline = now(v) + 5000;
	arm_deadline(v, 0x50, deadline);
	struct vm_exit e = { .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK(v->halted);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK(!v->halted);
	CHECK_EQ(G(v)->waits, 1);
	CHECK(now(v) >= deadline);            /* it waited until the deadline ... */
	CHECK_EQ(fake_tsc, deadline - v->tsc_offset); /* ... on the host timer, in host TSC */
	CHECK_EQ(G(v)->injects, 1);
	CHECK_EQ(G(v)->last_vector, 0x50);
	fake_vcpu_free(v);
}

/* A halt an NMI ends, even with IF = 0; and with IF = 0 and no NMI, it is the end. */
TEST(vintr_hlt_if0_only_nmi_wakes)
{
	struct vcpu *v = new_vcpu(false);
	arm_deadline(v, 0x51, now(v) + 100);
	struct vm_exit e = { .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "HLT with interrupts disabled") != NULL);
	fake_vcpu_free(v);
	v = new_vcpu(false);
	self_ipi(v, DM_NMI, 0);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK(!v->halted);
	CHECK_EQ(G(v)->nmi_injects, 1);
	CHECK_EQ(G(v)->waits, 0);
	fake_vcpu_free(v);
}

TEST(vintr_hlt_without_a_source_stops)
{
	struct vcpu *v = new_vcpu(true);
	struct vm_exit e = { .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	CHECK(strstr(v->end.reason, "can never wake up") != NULL);
	CHECK(!v->halted);
	fake_vcpu_free(v);
	/* A timer whose LVT entry is masked wakes nothing. */
	v = new_vcpu(true);
	arm_deadline(v, 0x52, now(v) + 100);
	apic_write(v, APIC_LVT_TIMER, LVT_MASKED | TIMER_TSC_DEADLINE_MODE | 0x52);
	CHECK_EQ(hv_handle_exit(v, &e), ACT_STOP);
	fake_vcpu_free(v);
}

/* The timer fires into a vector the TPR holds back: nothing is left to end the halt. */
TEST(vintr_hlt_ends_the_guest_when_the_source_is_gone)
{
	struct vcpu *v = new_vcpu(true);
	apic_write(v, APIC_TPR, 0xf0);
	apic_write(v, APIC_LVT_TIMER, TIMER_ONE_SHOT_MODE | 0x53);
	apic_write(v, APIC_TIMER_DCR, 0xb); /* divide by 1 */
	apic_write(v, APIC_TIMER_ICR, 1000);
	struct vm_exit e = { .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(vcpu_deliver_events(v), 1);
	CHECK_EQ(G(v)->waits, 1);
	CHECK_EQ(G(v)->injects, 0);
	CHECK(v->end.kind == GUEST_STOPPED);
	CHECK(strstr(v->end.reason, "never wake up") != NULL);
	CHECK_EQ(fake_timer_deadline, 0); /* the host timer is left disarmed */
	fake_vcpu_free(v);
}

/* Interrupts of a higher class than the one in service still wake a halt, in order. */
TEST(vintr_hlt_woken_by_pending_vector_without_wait)
{
	struct vcpu *v = new_vcpu(true);
	self_ipi(v, DM_FIXED, 0x60);
	struct vm_exit e = { .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->waits, 0);
	CHECK(!v->halted);
	CHECK_EQ(G(v)->last_vector, 0x60);
	fake_vcpu_free(v);
}

TEST(vintr_host_timer_armed_only_on_change)
{
	struct vcpu *v = new_vcpu(true);
	v->tsc_offset = (uint64_t)-0x2000; /* the guest's TSC runs behind the host's */
	uint64_t d1 = now(v) + 100000;
	arm_deadline(v, 0x54, d1);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 1);
	CHECK_EQ(fake_timer_deadline, d1 + 0x2000); /* in host TSC */
	CHECK_EQ(vcpu_deliver_events(v), 0);
	fake_tsc += 10;
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 1); /* unchanged: not armed again */
	arm_deadline(v, 0x54, d1 + 50);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 2);
	CHECK_EQ(fake_timer_deadline, d1 + 50 + 0x2000);
	CHECK_EQ(vlapic_msr_write(&v->lapic, 0x6e0, 0, now(v)), 0); /* the guest disarms */
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 3);
	CHECK_EQ(fake_timer_deadline, 0);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 3);
	/* The timer fires: the virtual one expires, the host one is disarmed, once. */
	arm_deadline(v, 0x54, now(v) + 10);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 4);
	fake_tsc += 10;
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->last_vector, 0x54);
	CHECK_EQ(fake_timer_arms, 5);
	CHECK_EQ(fake_timer_deadline, 0);
	fake_vcpu_free(v);
}

/* A deadline beyond the platform's reach: armed at its reach, and again once that passed. */
TEST(vintr_host_timer_rearmed_past_its_reach)
{
	struct vcpu *v = new_vcpu(true);
	fake_timer_reach = fake_tsc + 1000;
	arm_deadline(v, 0x55, now(v) + 5000);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 1);
	CHECK_EQ(fake_timer_deadline, fake_timer_reach);
	fake_tsc += 500;
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 1); /* its reach is still ahead */
	fake_tsc += 500;
	fake_timer_reach = 0;
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 2);
	CHECK_EQ(fake_timer_deadline, now(v) - 1000 + 5000);
	fake_vcpu_free(v);
}

/* A host timer that fires before the deadline (a one-shot timer's clock measured against
 * the TSC): after the host interrupt it is armed again, running or halted. */
static void fire_early(struct vcpu *v)
{
	if (fake_tsc < fake_timer_deadline - 100)
		fake_tsc = fake_timer_deadline - 100;
	fake_timer_deadline = 0;
	G(v)->on_wait = NULL; /* the next wait lasts until the deadline */
}

TEST(vintr_host_timer_rearmed_after_early_fire)
{
	struct vcpu *v = new_vcpu(true);
	uint64_t deadline = now(v) + 5000;
	arm_deadline(v, 0x56, deadline);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 1);
	fake_tsc = deadline - 100; /* the host timer fires early: EXIT_HOST_IRQ */
	fake_timer_deadline = 0;
	struct vm_exit e = { .kind = EXIT_HOST_IRQ };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_RESUME);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(fake_timer_arms, 2);
	CHECK_EQ(fake_timer_deadline, deadline);
	CHECK_EQ(G(v)->injects, 0);
	fake_vcpu_free(v);

	v = new_vcpu(true);
	deadline = now(v) + 5000;
	arm_deadline(v, 0x57, deadline);
	G(v)->on_wait = fire_early;
	e = (struct vm_exit){ .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	CHECK_EQ(vcpu_deliver_events(v), 0); /* without the re-arm: the fake aborts */
	CHECK_EQ(G(v)->waits, 2);
	CHECK_EQ(G(v)->last_vector, 0x57);
	CHECK(now(v) >= deadline);
	fake_vcpu_free(v);
}

/* Nothing pending and no window asked for: the backend's state is not even read (the
 * common slow exit). A window asked for earlier is still turned off once what it waited
 * for is gone (here: the guest software-disabled its APIC, which drops IRR's meaning). */
TEST(vintr_idle_exit_skips_backend_but_closes_windows)
{
	struct vcpu *v = new_vcpu(false);
	int calls = G(v)->window_calls;
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->window_calls, calls); /* idle: request_window not called */
	self_ipi(v, DM_FIXED, 0x40);
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK(G(v)->win_irq); /* IF = 0: the window */
	memset(v->lapic.irr, 0, sizeof(v->lapic.irr)); /* what it waited for is gone */
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK(!G(v)->win_irq && !G(v)->win_nmi);
	calls = G(v)->window_calls;
	CHECK_EQ(vcpu_deliver_events(v), 0);
	CHECK_EQ(G(v)->window_calls, calls);
	fake_vcpu_free(v);
}

/* Another CPU's request (hv/vcpu_request.c): it kicks the guest's CPU with a host
 * interrupt, and the slow path, right before re-entry, stops the guest with the reason;
 * a guest halted with a timer armed ends its halt for it. Nothing is injected. */
TEST(vintr_stop_request_from_another_cpu)
{
	struct vcpu *v = new_vcpu(true);
	hv_cpus[v->cpu].apic_id = 7;
	fake_kicks = 0;
	CHECK_EQ(vcpu_deliver_events(v), 0); /* nothing asked yet */
	vcpu_request_stop(v, 3, "a test");
	CHECK_EQ(fake_kicks, 1);
	CHECK_EQ(fake_kick_apic_id, 7);
	CHECK_EQ(vcpu_deliver_events(v), 1);
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	CHECK(strstr(v->end.reason, "at the request of cpu 3 (a test)") != NULL);
	CHECK_EQ(v->requests, 0);
	fake_vcpu_free(v);

	v = new_vcpu(true);
	arm_deadline(v, 0x50, now(v) + 1000000);
	struct vm_exit e = { .kind = EXIT_HLT, .insn_len = 1 };
	CHECK_EQ(hv_handle_exit(v, &e), ACT_SKIP);
	vcpu_request_stop(v, 0, "while halted"); /* arrives before the wait: taken first */
	CHECK_EQ(vcpu_deliver_events(v), 1);
	CHECK(!v->halted);
	CHECK_EQ(G(v)->injects, 0);
	CHECK_EQ(v->end.kind, GUEST_STOPPED);
	fake_vcpu_free(v);
	hv_cpus[0].apic_id = 0;
}
