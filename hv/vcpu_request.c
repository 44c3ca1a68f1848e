/* Cross-CPU requests to a guest's hypervisor (see vcpu_request.h). */
#include "hv/vcpu_request.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"

void vcpu_request_stop(struct vcpu *v, uint32_t from, const char *why)
{
	v->req_from = from;
	v->req_why = why;
	/* The reason is published before the bit (release); the target reads the bit, then
	 * the reason (acquire). The interrupt is sent after both. */
	__atomic_or_fetch(&v->requests, VCPU_REQ_STOP, __ATOMIC_RELEASE);
	platform_kick(hv_cpus[v->cpu].apic_id);
}

int vcpu_take_requests(struct vcpu *v)
{
	uint32_t req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_ACQUIRE);
	if (req & VCPU_REQ_STOP) {
		vcpu_stop(v, "stopped by the hypervisor at the request of cpu %u (%s)", v->req_from,
			  v->req_why ? v->req_why : "no reason given");
		return 1;
	}
	return 0;
}
