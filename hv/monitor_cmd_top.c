/*
 * The monitor's `top`: every second, each guest's exits per second by kind, until a key is
 * pressed. Driven by monitor_tick (the console input path calls it periodically); the
 * counts are the guests' own counters, read without stopping anything.
 */
#include "hv/fmt.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/monitor_cmds.h"
#include "hv/percpu.h"
#include "hv/platform.h"
#include "hv/vcpu.h"

static bool active;
static uint64_t last_tsc;
static uint32_t frames;
static uint64_t last[HV_MAX_CPUS][EXIT_KIND_COUNT]; /* per guest (by index), per kind */

static void remember(void)
{
	for (unsigned i = 0; i < mon_guest_count() && i < HV_MAX_CPUS; i++) {
		const struct vcpu *v = mon_guest_at(i);
		for (int k = 0; k < EXIT_KIND_COUNT; k++)
			last[i][k] = __atomic_load_n(&v->exits[k], __ATOMIC_RELAXED);
	}
}

/* One frame: the rates over the ms since the last one. */
static void frame(uint64_t ms)
{
	mon_printf("top: exits per second over the last %llu ms (any key stops)\n",
		   (unsigned long long)ms);
	for (unsigned i = 0; i < mon_guest_count() && i < HV_MAX_CPUS; i++) {
		const struct vcpu *v = mon_guest_at(i);
		char kinds[320], state[200];
		size_t n = 0;
		uint64_t total = 0;
		kinds[0] = 0;
		for (int k = 0; k < EXIT_KIND_COUNT; k++) {
			uint64_t c = __atomic_load_n(&v->exits[k], __ATOMIC_RELAXED);
			uint64_t d = c - last[i][k];
			total += d;
			if (d && n < sizeof(kinds))
				n += (size_t)hv_snprintf(kinds + n, sizeof(kinds) - n, " %s=%llu",
							 exit_kind_name((enum exit_kind)k),
							 (unsigned long long)(d * 1000 / ms));
		}
		mon_guest_state_text(v, state, sizeof(state));
		mon_printf("  %-20s cpu %-2u %llu/s%s  [%s]\n", v->cfg->name, v->cpu,
			   (unsigned long long)(total * 1000 / ms), kinds, state);
	}
	remember();
}

static void run_top(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (!mon_guest_count()) {
		mon_printf("top: no guests\n");
		return;
	}
	active = true;
	frames = 0;
	last_tsc = host_rdtsc();
	remember();
	mon_printf("top: first figures in a second; any key stops\n");
}

bool mon_top_active(void)
{
	return active;
}

void mon_top_key(void)
{
	active = false;
	mon_printf("top: stopped after %u updates\n", frames);
}

void mon_top_tick(uint64_t now)
{
	if (!active)
		return;
	uint64_t ms = mon_tsc_to_ms(now - last_tsc);
	if (ms < 1000)
		return;
	last_tsc = now;
	frames++;
	frame(ms);
}

void mon_top_reset(void)
{
	active = false;
	frames = 0;
}

const struct monitor_cmd mon_cmd_top = {
	"top", "", "exits per second by kind per guest, every second, until a key is pressed",
	0, 0, run_top,
};
