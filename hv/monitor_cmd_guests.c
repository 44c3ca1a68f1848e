/* The monitor's `guests`: every guest's CPU, state, run time and exits by kind. */
#include "hv/fmt.h"
#include "hv/host_cpu.h"
#include "hv/lib.h"
#include "hv/monitor_cmds.h"
#include "hv/vcpu.h"

/* " cpuid=11 io=1731 ..." for the non-zero counts; the total. Counters are written by the
 * guests' own CPUs: relaxed reads of aligned 64-bit words, a moment's view. */
static uint64_t exit_kinds(const struct vcpu *v, char *buf, size_t size)
{
	size_t n = 0;
	uint64_t total = 0;
	buf[0] = 0;
	for (int k = 0; k < EXIT_KIND_COUNT; k++) {
		uint64_t c = __atomic_load_n(&v->exits[k], __ATOMIC_RELAXED);
		total += c;
		if (c && n < size)
			n += (size_t)hv_snprintf(buf + n, size - n, " %s=%llu",
						 exit_kind_name((enum exit_kind)k), (unsigned long long)c);
	}
	return total;
}

static void run_guests(unsigned argc, char **argv)
{
	(void)argc;
	(void)argv;
	unsigned n = mon_guest_count();
	if (!n) {
		mon_printf("guests: none configured\n");
		return;
	}
	uint64_t now = host_rdtsc();
	for (unsigned i = 0; i < n; i++) {
		const struct vcpu *v = mon_guest_at(i);
		char state[200], kinds[320];
		mon_guest_state_text(v, state, sizeof(state));
		uint64_t start = v->start_tsc, end = v->end_tsc;
		uint64_t ms = start ? mon_tsc_to_ms((end ? end : now) - start) : 0;
		uint64_t total = exit_kinds(v, kinds, sizeof(kinds));
		mon_printf("%-20s cpu %-2u %s, run time %llu.%03llu s\n", v->cfg->name, v->cpu, state,
			   (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
		mon_printf("%-20s exits: %llu total%s\n", "", (unsigned long long)total, kinds);
	}
}

const struct monitor_cmd mon_cmd_guests = {
	"guests", "", "every guest: CPU, state, run time, exits by kind", 0, 0, run_guests,
};
