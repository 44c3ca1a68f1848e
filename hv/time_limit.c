/* [guest] timeout: stopping a guest whose time is up (see time_limit.h). */
#include "hv/time_limit.h"
#include "hv/fmt.h"
#include "hv/host_cpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"

void time_limit_start(struct vcpu *v)
{
	uint64_t ms = v->cfg->timeout_ms;
	if (!ms)
		return;
	/* kHz = TSC ticks per millisecond; at most 365 days (config_set_timeout), so even a
	 * 10 GHz TSC stays far below 2^64. */
	v->limit_tsc = host_rdtsc() + ms * platform_tsc_khz();
	v->host_timer_want = v->limit_tsc;
	v->host_timer_expiry = platform_timer_arm(v->limit_tsc);
}

uint64_t time_limit_clamp(const struct vcpu *v, uint64_t want)
{
	if (v->limit_tsc && (!want || want > v->limit_tsc))
		return v->limit_tsc;
	return want;
}

bool time_limit_reached(struct vcpu *v)
{
	if (!v->limit_tsc || host_rdtsc() < v->limit_tsc)
		return false;
	char t[32];
	time_limit_text(v->cfg->timeout_ms, t, sizeof(t));
	vcpu_stop(v, "time limit %s", t);
	return true;
}

void time_limit_text(uint64_t ms, char *buf, size_t len)
{
	if (ms % 1000)
		hv_snprintf(buf, len, "%llu ms", (unsigned long long)ms);
	else
		hv_snprintf(buf, len, "%llu s", (unsigned long long)(ms / 1000));
}
