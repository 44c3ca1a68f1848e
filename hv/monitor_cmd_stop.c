/* The monitor's `stop NAME`: that guest's CPU stops it (vcpu_request_stop); the others run on. */
#include "hv/console.h"
#include "hv/monitor_cmds.h"
#include "hv/vcpu.h"
#include "hv/vcpu_request.h"

static void run_stop(unsigned argc, char **argv)
{
	(void)argc;
	struct vcpu *v = mon_guest("stop", argv[1]);
	if (!v)
		return;
	if (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) != GUEST_RUNNING || !v->start_tsc) {
		char state[200];
		mon_guest_state_text(v, state, sizeof(state));
		mon_printf("stop: guest %s is not running (%s)\n", v->cfg->name, state);
		return;
	}
	int here = console_this_cpu();
	/* Its end line says: stopped by the hypervisor at the request of cpu N (monitor: stop). */
	vcpu_request_stop(v, here < 0 ? 0 : (uint32_t)here, "monitor: stop");
	mon_printf("stop: asked cpu %u to stop guest %s\n", v->cpu, v->cfg->name);
}

const struct monitor_cmd mon_cmd_stop = {
	"stop", "NAME", "stop the guest (the others keep running)", 1, 1, run_stop,
};
