/* Restarting one guest (see guest_restart.h). */
#include <stdarg.h>
#include "hv/console.h"
#include "hv/fmt.h"
#include "hv/guest_restart.h"
#include "hv/guest_setup.h"
#include "hv/lib.h"
#include "hv/log.h"
#include "hv/msr_policy.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/time_limit.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"
#include "hv/xcr0_policy.h"
#include "hv/xstate.h"

void vcpu_request_restart(struct vcpu *v, uint32_t from, const char *why)
{
	vcpu_request(v, VCPU_REQ_RESTART, from, why);
}

void guest_restart_due(struct vcpu *v, const char *fmt, ...)
{
	if (v->restart_due || v->end.kind != GUEST_RUNNING)
		return;
	va_list ap;
	va_start(ap, fmt);
	hv_vsnprintf(v->restart_reason, sizeof(v->restart_reason), fmt, ap);
	va_end(ap);
	v->restart_due = true;
}

bool guest_restart_wanted(const struct vcpu *v)
{
	return v->restart_due && v->end.kind == GUEST_RUNNING;
}

/* The UART's registers and line back to their reset state; its drop counters are the
 * run's (the end-of-run summary prints them), so they stay. */
static void uart_reset(struct vcpu *v)
{
	vuart_flush(&v->uart);
	uint64_t dropped = v->uart.dropped, unreported = v->uart.dropped_unreported;
	vuart_init(&v->uart, v->cfg->name);
	v->uart.dropped = dropped;
	v->uart.dropped_unreported = unreported;
}

/* Everything the core keeps for the vCPU and its devices, as guest_setup left it. */
static void core_state_reset(struct vcpu *v)
{
	/* The virtual timer's deadline goes; a time limit stays armed (it counts from the
	 * first start, hv/time_limit.c), so a guest that never exits is still stopped. */
	v->host_timer_want = time_limit_clamp(v, 0);
	v->host_timer_expiry = platform_timer_arm(v->host_timer_want);
	memset(&v->gprs, 0, sizeof(v->gprs));
	uart_reset(v);
	vpic_init(&v->pic);
	vrtc_init(&v->rtc);
	msr_emulate_reset(v);
	vlapic_init(&v->lapic, 0, platform_tsc_khz(), platform_tsc_khz());
	vioapic_attach(v); /* after vlapic_init: the I/O APIC and its EOI link (hv/vioapic.h) */
	v->halted = false;
	v->window_asked = false;
	v->tsc_offset = 0;
	v->xcr0 = XFEATURE_X87;
}

int guest_restart(struct vcpu *v)
{
	v->restart_due = false;
	v->restarts++;
	hv_printf("hv: guest %s cpu %u: rebooted (%s); restart %u\n", v->cfg->name, v->cpu,
		  v->restart_reason, v->restarts);
	core_state_reset(v);
	memset(v->mem.base, 0, v->mem.size);
	memset(&v->boot, 0, sizeof(v->boot)); /* the loader fills it afresh */
	if (guest_load(v))
		return -1; /* stopped with the loader's reason */
	char err[160];
	if (v->be->vcpu_reset(v, err, sizeof(err))) {
		vcpu_stop(v, "restart: %s", err);
		return -1;
	}
	struct cpuid_backend_caps caps;
	v->be->cpuid_caps(v, &caps);
	guest_cpuid_setup(v, &caps);
	v->cpuid.hv[1].edx = v->restarts; /* CPUID 0x40000001 EDX: restarts so far */
	xstate_guest_start(v);
	hv_printf("hv: guest %s restarting on cpu %u (entry 0x%llx)\n", v->cfg->name, v->cpu,
		  (unsigned long long)v->boot.entry);
	return 0;
}
