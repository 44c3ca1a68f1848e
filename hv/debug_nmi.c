/*
 * [hv] debug_nmi_cpu = N: the lowest-numbered CPU without a guest sends NMIs to CPU N,
 * about every 50 us, for as long as N's guest runs. Real machines deliver NMIs
 * (watchdogs, performance monitoring, platform errors) at any moment; this makes them
 * arrive while the guest runs (an NMI exit: SVM #VMEXIT(NMI), VMX "NMI exiting"), in
 * the middle of the hypervisor's exit path, and before the first entry, so the emulator
 * tests can check that every one is taken by the hypervisor's handler and that the
 * guest neither sees them nor loses any state.
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

void debug_nmi_storm(uint32_t self, uint32_t target)
{
	struct percpu *t = &hv_cpus[target];
	struct vcpu *v = t->vcpu;
	hv_printf("hv: debug_nmi: cpu %u sends NMIs to cpu %u while its guest runs\n", self, target);
	uint64_t sent = 0;
	while (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) == GUEST_RUNNING) {
		platform_send_nmi(t->apic_id);
		sent++;
		platform_delay_us(50);
	}
	platform_delay_us(1000); /* the last one lands */
	/* NMIs that arrive while one is pending merge (SDM vol. 3A 6.7.1): taken <= sent. */
	hv_printf("hv: debug_nmi: %llu NMIs sent to cpu %u, %llu taken by its hypervisor\n",
		  (unsigned long long)sent, target,
		  (unsigned long long)__atomic_load_n(&t->nmis, __ATOMIC_RELAXED));
}
