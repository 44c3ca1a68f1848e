/*
 * Requests one CPU's hypervisor makes of another's (stop its guest; later: restart it,
 * hand it serial input, attach a debugger). The requester sets a bit in the target's
 * vcpu and sends the target CPU a host interrupt (HV_KICK_VECTOR). Wherever the target
 * is, that interrupt reaches its hypervisor without any work on the hot exit path: a
 * running guest exits (VMX external-interrupt exiting, SVM INTR intercept) to the slow
 * path, a halted one wakes from wait_interrupt, and one whose exit is being handled
 * finds the interrupt pending at its next VM entry, which then exits at once. The slow
 * path takes the requests right before it would re-enter the guest (hv/vintr.c).
 */
#ifndef HV_VCPU_REQUEST_H
#define HV_VCPU_REQUEST_H

#include "hv/types.h"

struct vcpu;

#define VCPU_REQ_STOP BIT(0)

/* Ask v's CPU to stop v, on behalf of CPU from, for the reason why (a static string). */
void vcpu_request_stop(struct vcpu *v, uint32_t from, const char *why);
/* On v's own CPU, slow path: act on what was asked. 1 when the guest has ended. */
int vcpu_take_requests(struct vcpu *v);

#endif
