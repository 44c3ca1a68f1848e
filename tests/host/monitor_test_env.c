/* The serial monitor's test environment (monitor_test_env.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/console.h"
#include "hv/log_ring.h"
#include "hv/monitor.h"
#include "hv/percpu.h"
#include "hv/vcpu_request.h"
#include "tests/host/fake_arch.h"
#include "tests/host/monitor_test_env.h"

struct mon_env mon_env;
static uint64_t saved_tsc;
static char captured[256 * 1024];
static size_t captured_len;

static void capture(const char *s, size_t n)
{
	if (captured_len + n >= sizeof(captured))
		abort(); /* a runaway output is a failure, not a silent truncation */
	memcpy(captured + captured_len, s, n);
	captured_len += n;
	captured[captured_len] = 0;
}

static int console_cpu(void)
{
	return 0;
}

/* The target CPU of a kick: when the env answers, it takes its requests as its slow path
 * would (hv/vintr.c). */
static void kicked(uint32_t apic_id)
{
	if (!mon_env.answer)
		return;
	for (int i = 0; i < MON_ENV_GUESTS; i++)
		if (hv_cpus[mon_env.v[i]->cpu].apic_id == apic_id &&
		    (mon_env.v[i]->requests & VCPU_REQ_SNAPSHOT))
			vcpu_take_requests(mon_env.v[i]);
}

void mon_env_setup(void)
{
	static const char *const names[MON_ENV_GUESTS] = { "alpha", "beta", "gamma" };
	memset(&mon_env, 0, sizeof(mon_env));
	for (int i = 0; i < MON_ENV_GUESTS; i++) {
		struct vcpu *v = fake_vcpu_new(MON_ENV_MEM);
		strcpy(mon_env.cfg[i].name, names[i]);
		mon_env.cfg[i].memory = MON_ENV_MEM;
		v->cfg = &mon_env.cfg[i];
		v->cpu = (uint32_t)i;
		v->start_tsc = 1000;
		mon_env.v[i] = v;
		hv_cpus[i].vcpu = v;
		hv_cpus[i].index = (uint32_t)i;
		hv_cpus[i].apic_id = 0x10 + (uint32_t)i;
	}
	hv_ncpus = MON_ENV_GUESTS;
	mon_env.answer = true;
	fake_kick_hook = kicked;
	saved_tsc = fake_tsc;
	fake_tsc = 1000;
	console_set_cpu_fn(console_cpu);
	monitor_set_output(capture);
	monitor_reset();
	captured_len = 0;
	captured[0] = 0;
}

void mon_env_teardown(void)
{
	for (int i = 0; i < MON_ENV_GUESTS; i++) {
		hv_cpus[i].vcpu = NULL;
		fake_vcpu_free(mon_env.v[i]);
	}
	hv_ncpus = 0;
	fake_kick_hook = NULL;
	fake_tsc_step = 0;
	fake_tsc = saved_tsc;
	console_set_cpu_fn(NULL);
	monitor_set_output(NULL);
	monitor_reset();
}

void mon_type(const char *s)
{
	captured_len = 0;
	captured[0] = 0;
	for (; *s; s++)
		monitor_input((uint8_t)*s);
}

const char *mon_out(void)
{
	if (getenv("MON_DEBUG")) /* MON_DEBUG=1 build/host/unit monitor: see what was printed */
		fprintf(stderr, "[%s]\n", captured);
	return captured;
}

const char *mon_answer(void)
{
	const char *p = strchr(mon_out(), '\n');
	return p ? p + 1 : captured;
}

int mon_count(const char *needle)
{
	int n = 0;
	for (const char *p = captured; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}
