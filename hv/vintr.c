/*
 * Event delivery into a guest: the decisions (hv/vintr.h); the backends carry them out.
 *
 * Order (SDM vol. 3A 6.9, priorities among simultaneous events; APM vol. 2 8.5): an NMI
 * before any maskable interrupt. Blocking (SDM vol. 3A 6.8.3, 6.7.1; APM vol. 2 15.20,
 * 15.21): a maskable interrupt needs RFLAGS.IF = 1 and no interrupt shadow (STI, MOV SS,
 * POP SS); an NMI needs no blocking by NMI (its handler has not yet executed IRET) and,
 * as KVM does, no interrupt shadow either (SDM vol. 3A 6.8.3: STI blocks NMIs on some
 * processors; VMX refuses an NMI injection with blocking by MOV SS, vol. 3C 26.3.1.5).
 * Either needs the event slot free: an event the last exit cut off is queued again by the
 * backend first (SVM EXITINTINFO, VMX IDT-vectoring information) and goes before anything
 * new, so nothing is ever injected on top of it.
 */
#include "hv/vintr.h"
#include "hv/console.h"
#include "hv/host_cpu.h"
#include "hv/platform.h"
#include "hv/time_limit.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"
#include "hv/vlapic.h"
#include "hv/vuart_irq.h"
#include "hv/console_input.h"

static uint64_t guest_tsc(const struct vcpu *v)
{
	return host_rdtsc() + v->tsc_offset;
}

static uint64_t earlier(uint64_t want, uint64_t t)
{
	return t && (!want || t < want) ? t : want;
}

/* The console CPU also wakes for the monitor's tick (hv/console_input.h); a guest waiting
 * for its THRE interrupt while the console had no room, or a halted guest while console
 * lines are still queued (which its host timer interrupt writes out), looks again every
 * millisecond (about 11 bytes of the serial line). */
static uint64_t input_clamp(const struct vcpu *v, uint64_t want)
{
	if (v->cpu == HV_CONSOLE_CPU)
		want = earlier(want, console_input_tick_deadline());
	if (v->uart.tx_wait || (v->halted && console_pending()))
		want = earlier(want, host_rdtsc() + platform_tsc_khz());
	return want;
}

/*
 * The host timer follows the virtual timer's next deadline, converted to host TSC (guest
 * TSC = host TSC + tsc_offset, so the same instant), or the guest's time limit when that
 * comes first (hv/time_limit.c). Armed only when the deadline changed,
 * or when the platform could not count that far (it returned an earlier expiry) and that
 * expiry has passed. A deadline that was due when the timer fired has been expired by
 * vlapic_timer_poll before this runs, so the deadline then differs and the timer is armed
 * again. A one-shot host timer may still fire a little early (its input clock is measured
 * against the TSC, and emulators' clocks drift): after any host interrupt (EXIT_HOST_IRQ,
 * a return from wait_interrupt) host_timer_expiry is 0, so a deadline not yet reached is
 * armed again, and nothing is lost.
 */
static void host_timer_follow(struct vcpu *v)
{
	uint64_t d = vlapic_timer_deadline(&v->lapic);
	uint64_t want = 0;
	if (d != UINT64_MAX) {
		want = d - v->tsc_offset;
		if (!want)
			want = 1; /* 0 means "disarm" to the platform */
	}
	want = time_limit_clamp(v, want); /* [guest] timeout: the earlier of the two */
	want = input_clamp(v, want);
	if (want == v->host_timer_want &&
	    (!want || v->host_timer_expiry >= want || host_rdtsc() < v->host_timer_expiry))
		return;
	v->host_timer_want = want;
	v->host_timer_expiry = platform_timer_arm(want);
}

/* One decision. Returns whether an event is on its way into the guest (injected now, or
 * already queued by the backend). */
static bool deliver_once(struct vcpu *v)
{
	struct vlapic *a = &v->lapic;
	struct guest_events s;
	vlapic_timer_poll(a, guest_tsc(v));
	/* The common slow exit (an MSR access, say) has nothing to decide: no NMI, no vector
	 * requested, no window asked for. Skip the backend's state reads (VMREADs on VMX). A
	 * halted guest always goes on: a re-queued event must end its halt. */
	if (!a->nmi_pending && !v->window_asked && !v->halted && !vlapic_irr_any(a))
		return false;
	v->be->event_state(v, &s);
	bool nmi = a->nmi_pending;
	int vec = vlapic_pending_vector(a);
	bool injected = false;
	if (!s.queued && nmi && !s.nmi_blocked && !s.shadow) {
		vlapic_take_nmi(a);
		v->be->inject_event(v, true, 2);
		nmi = false;
		injected = true;
	} else if (!s.queued && vec >= 0 && s.if_set && !s.shadow) {
		v->be->inject_event(v, false, (uint8_t)vec);
		vlapic_accept(a, (uint8_t)vec);
		vec = vlapic_pending_vector(a);
		injected = true;
	}
	/* Whatever is still pending: exit as soon as the guest can take it. */
	v->be->request_window(v, vec >= 0, nmi);
	v->window_asked = vec >= 0 || nmi;
	return injected || s.queued;
}

bool vcpu_can_wake(struct vcpu *v)
{
	struct vlapic *a = &v->lapic;
	struct guest_events s;
	v->be->event_state(v, &s);
	vlapic_timer_poll(a, guest_tsc(v));
	if (a->nmi_pending && !s.nmi_blocked)
		return true;
	if (!s.if_set)
		return false; /* only an NMI wakes a CPU halted with IF = 0 */
	/* The deadline is UINT64_MAX when the timer is off, masked or the APIC disabled. A
	 * guest whose UART may interrupt it waits for input (hv/vuart_irq.h). */
	return vlapic_pending_vector(a) >= 0 || vlapic_timer_deadline(a) != UINT64_MAX ||
	       vuart_irq_can_wake(v);
}

/* The guest has just been stopped: no halt to wait out, no host timer left for it. */
static int guest_ended(struct vcpu *v)
{
	v->halted = false;
	if (v->host_timer_want)
		v->host_timer_expiry = platform_timer_arm(v->host_timer_want = 0);
	return 1;
}

/* Another CPU asked something of this guest's hypervisor (hv/vcpu_request.c): its host
 * interrupt brought the guest here. 1 when the guest has ended. */
static int requests(struct vcpu *v)
{
	if (__builtin_expect(!__atomic_load_n(&v->requests, __ATOMIC_RELAXED), 1))
		return 0;
	return vcpu_take_requests(v) ? guest_ended(v) : 0;
}

/* [guest] timeout (hv/time_limit.c): its host timer brought the guest here, or any other
 * slow exit found the time up. 1 when the guest has been stopped. */
static int out_of_time(struct vcpu *v)
{
	return time_limit_reached(v) ? guest_ended(v) : 0;
}

/* The common slow exit of a guest without APIC activity (an MSR access, say): no virtual
 * timer counting, no host timer armed, nothing requested, pending, asked for or waited
 * on. Nothing to poll, decide or arm: vcpu_deliver_events returns at once. */
static bool idle(const struct vcpu *v)
{
	const struct vlapic *a = &v->lapic;
	return !__atomic_load_n(&v->requests, __ATOMIC_RELAXED) && !v->halted && !v->window_asked &&
	       !v->uart.tx_wait &&
	       !a->nmi_pending && !a->timer_armed && !a->tsc_deadline && !v->host_timer_want &&
	       !vlapic_irr_any(a);
}

int vcpu_deliver_events(struct vcpu *v)
{
	if (idle(v))
		return 0;
	if (requests(v) || out_of_time(v))
		return 1;
	for (;;) {
		if (v->uart.tx_wait)
			vuart_irq_tx_poll(v); /* the console had no room: has it now? */
		if (deliver_once(v))
			v->halted = false; /* any event delivered ends a halt (SDM vol. 2A HLT) */
		if (!v->halted)
			break;
		if (!vcpu_can_wake(v)) {
			/* The timer expired into a vector the guest's TPR/ISR hold back, or was
			 * masked meanwhile: nothing is left that could end the halt. */
			struct guest_mode m;
			v->be->read_mode(v, &m);
			vcpu_stop(v, "HLT before RIP 0x%llx: nothing left that could wake the guest "
				     "(APIC timer off or masked, no deliverable interrupt or NMI pending): "
				     "it can never wake up",
				  (unsigned long long)m.rip);
			return guest_ended(v);
		}
		console_drain(); /* the guest waits anyway: queued console lines (hv/console.h) */
		host_timer_follow(v);
		v->be->wait_interrupt(v);
		v->host_timer_expiry = 0; /* the interrupt may have been the timer, early */
		if (requests(v) || out_of_time(v))
			return 1;
	}
	host_timer_follow(v);
	return 0;
}
