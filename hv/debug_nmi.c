/*
 * [hv] debug_nmi_cpu = N: the lowest-numbered CPU without a guest sends NMIs to CPU N,
 * one at a time, about 50 us after the last was taken, for as long as N's guest runs. Real
 * machines deliver NMIs (watchdogs, performance monitoring, platform errors) at any
 * moment; this makes them arrive while the guest runs (an NMI exit: SVM #VMEXIT(NMI), VMX
 * "NMI exiting"), in the middle of the hypervisor's exit path, and before the first entry,
 * so the emulator tests can check that every one is taken by the hypervisor's handler and
 * that the guest neither sees them nor loses any state. Sending the next only once the
 * last was taken (or after NMI_TAKEN_WAIT_US) means none can merge into one still pending
 * (SDM vol. 3A 6.7.1): the count taken must equal the count sent, and one that is not
 * taken (a lost NMI, an NMI exit that does not reach the handler) shows as a difference.
 */
#include "hv/debug_nmi.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"

bool debug_nmi_sender(uint32_t self, uint32_t target)
{
	if (target >= hv_ncpus || !hv_cpus[target].vcpu)
		return false;
	for (uint32_t i = 0; i < hv_ncpus; i++)
		if (i != target && !hv_cpus[i].vcpu)
			return i == self;
	return false;
}

#define NMI_TAKEN_WAIT_US 20000 /* far longer than any exit path, even under Bochs */
#define NMI_POLL_US 10
#define REPORT_WAIT_US 100000

enum { STORM_NONE, STORM_SENDING, STORM_REPORTED };
static uint32_t storm_state = STORM_NONE;

/* Waits until `target` has taken `sent` NMIs, at most NMI_TAKEN_WAIT_US (and, while
 * `running`, only as long as its guest runs: an NMI sent just before the guest ended is
 * waited for after the loop, with running = false). */
static void wait_taken(struct percpu *t, struct vcpu *v, uint64_t sent, bool running)
{
	for (uint32_t us = 0; us < NMI_TAKEN_WAIT_US; us += NMI_POLL_US) {
		if (__atomic_load_n(&t->nmis, __ATOMIC_RELAXED) >= sent)
			return;
		if (running && __atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) != GUEST_RUNNING)
			return;
		platform_delay_us(NMI_POLL_US);
	}
}

void debug_nmi_storm(uint32_t self, uint32_t target)
{
	struct percpu *t = &hv_cpus[target];
	struct vcpu *v = t->vcpu;
	__atomic_store_n(&storm_state, STORM_SENDING, __ATOMIC_RELEASE);
	hv_printf("hv: debug_nmi: cpu %u sends NMIs to cpu %u while its guest runs\n", self, target);
	uint64_t sent = 0, base = __atomic_load_n(&t->nmis, __ATOMIC_RELAXED);
	while (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) == GUEST_RUNNING) {
		platform_send_nmi(t->apic_id);
		sent++;
		wait_taken(t, v, base + sent, true);
		platform_delay_us(50);
	}
	wait_taken(t, v, base + sent, false); /* the last one lands */
	hv_printf("hv: debug_nmi: %llu NMIs sent to cpu %u, %llu taken by its hypervisor\n",
		  (unsigned long long)sent, target,
		  (unsigned long long)(__atomic_load_n(&t->nmis, __ATOMIC_RELAXED) - base));
	__atomic_store_n(&storm_state, STORM_REPORTED, __ATOMIC_RELEASE);
}

void debug_nmi_wait_report(void)
{
	for (uint32_t us = 0; us < REPORT_WAIT_US; us += NMI_POLL_US) {
		if (__atomic_load_n(&storm_state, __ATOMIC_ACQUIRE) != STORM_SENDING)
			return;
		platform_delay_us(NMI_POLL_US);
	}
}
