/* Running the guest pinned to this CPU and accounting for every guest's end. */
#ifndef HV_GUEST_RUN_H
#define HV_GUEST_RUN_H

#include "hv/percpu.h"
#include "hv/vcpu.h"

/* Set before any CPU runs: how many guests there are, the backend, what happens at the end. */
void guest_run_init(uint32_t nguests, const struct virt_backend *be, enum hv_on_finish on_finish,
		    const struct hv_debug *debug);
/* On each CPU: enable virtualization, run its guest, account, park. Never returns. */
NORETURN void guest_run_cpu(struct percpu *pc);
/* The guest has ended (or could not run): print its line; the last one prints the summary. */
void guest_finished(struct vcpu *v);

#endif
