/*
 * [hv] debug_stop_cpu = N: the lowest-numbered CPU without a guest (the sender
 * debug_nmi_sender picks) asks CPU N's hypervisor to stop its guest, about 50 ms after
 * that guest started, through the cross-CPU request path (hv/vcpu_request.c). With a
 * guest that never exits (misbehave mode=spin) this shows the hypervisor can reach a
 * core whose guest never leaves on its own, with no work on the hot exit path.
 */
#include "hv/debug_nmi.h"
#include "hv/log.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"

#define STOP_AFTER_US 50000
#define STOP_WAIT_MS 5000

void debug_stop_request(uint32_t self, uint32_t target)
{
	struct vcpu *v = hv_cpus[target].vcpu;
	platform_delay_us(STOP_AFTER_US);
	if (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) != GUEST_RUNNING) {
		hv_printf("hv: debug_stop: cpu %u's guest had already ended\n", target);
		return;
	}
	hv_printf("hv: debug_stop: cpu %u asks cpu %u to stop its guest\n", self, target);
	vcpu_request_stop(v, self, "debug_stop_cpu");
	for (uint32_t ms = 0; ms < STOP_WAIT_MS; ms++) {
		if (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) != GUEST_RUNNING)
			return;
		platform_delay_us(1000);
	}
	hv_printf("hv: debug_stop: cpu %u's guest still runs %u ms after the request\n", target,
		  STOP_WAIT_MS);
}
