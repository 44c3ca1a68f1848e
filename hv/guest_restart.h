/*
 * Restarting one guest, as a platform reset would, without touching any other guest.
 *
 * Asked for by the guest itself (the FADT reset register, hv/guest_power.c) or by another
 * CPU's hypervisor (vcpu_request_restart: the serial monitor's `restart NAME`). Either way
 * the guest's run loop ends first (the request path of hv/vcpu_request.h: no work on the
 * hot exit path), and the restart itself runs on the guest's own CPU, between two runs
 * (hv/guest_run.c): its partition is zeroed, the firmware tables, kernel and modules are
 * loaded again from the images read at boot (kept in the vcpu: they stay in memory after
 * ExitBootServices), the boot state is rebuilt, and the vCPU goes back to its start state:
 * VMCB/VMCS guest state and controls (the backend's vcpu_reset, which reuses the pages it
 * has), virtual local APIC, UART registers, 8259, emulated MSRs, TSC offset 0, extended
 * state in its init state, CPUID view. Then the guest is entered again.
 *
 * Kept across a restart: the exit counts and the console counters (they are the run's,
 * printed at its end), the logged-once state, the time limit (counted from the first
 * start). The guest learns how often it has been restarted from CPUID 0x40000001 EDX (0 on
 * its first start), as a platform's reset-cause register would tell it.
 */
#ifndef HV_GUEST_RESTART_H
#define HV_GUEST_RESTART_H

#include "hv/types.h"

struct vcpu;

/* From another CPU (the target's hypervisor is reached through a host IPI): restart v, on
 * behalf of CPU from, for the reason why (a static string). A guest that has already ended
 * is not restarted (its end has been accounted). */
void vcpu_request_restart(struct vcpu *v, uint32_t from, const char *why);

/* On v's own CPU, in an exit handler: a restart is due for this reason (the first reason
 * wins; nothing if the guest has ended). The caller then ends the run (ACT_STOP). */
void guest_restart_due(struct vcpu *v, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* After the backend's run returned: is a restart due? */
bool guest_restart_wanted(const struct vcpu *v);

/* On v's own CPU, between runs: carry out the restart. 0 when v is ready to run again;
 * -1 when it could not be restarted (v is then stopped with the reason). */
int guest_restart(struct vcpu *v);

#endif
