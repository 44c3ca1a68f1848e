/*
 * The monitor's `restart NAME`: that guest's CPU reloads its image and starts it again
 * from its boot state (hv/guest_restart.h); the other guests keep running.
 */
#include "hv/console.h"
#include "hv/guest_restart.h"
#include "hv/monitor_cmds.h"
#include "hv/vcpu.h"

static void run_restart(unsigned argc, char **argv)
{
	(void)argc;
	struct vcpu *v = mon_guest("restart", argv[1]);
	if (!v)
		return;
	if (__atomic_load_n(&v->end.kind, __ATOMIC_ACQUIRE) != GUEST_RUNNING || !v->start_tsc) {
		char state[200];
		mon_guest_state_text(v, state, sizeof(state));
		mon_printf("restart: guest %s is not running (%s): an ended guest is not restarted\n",
			   v->cfg->name, state);
		return;
	}
	int here = console_this_cpu();
	vcpu_request_restart(v, here < 0 ? 0 : (uint32_t)here, "monitor: restart");
	mon_printf("restart: asked cpu %u to restart guest %s\n", v->cpu, v->cfg->name);
}

const struct monitor_cmd mon_cmd_restart = {
	"restart", "NAME", "reload the guest's image and start it again (the others keep running)",
	1, 1, run_restart,
};
