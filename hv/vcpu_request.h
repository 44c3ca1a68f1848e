/*
 * Requests one CPU's hypervisor makes of another's (stop its guest, restart it; later:
 * hand it serial input, attach a debugger). The requester sets a bit in the target's
 * vcpu and sends the target CPU a host interrupt (HV_KICK_VECTOR). Wherever the target
 * is, that interrupt reaches its hypervisor without any work on the hot exit path: a
 * running guest exits (VMX external-interrupt exiting, SVM INTR intercept) to the slow
 * path, a halted one wakes from wait_interrupt, and one whose exit is being handled
 * finds the interrupt pending at its next VM entry, which then exits at once. The slow
 * path takes the requests right before it would re-enter the guest (hv/vintr.c).
 * (Bochs 2.7 breaks this for a VMX guest entered with RFLAGS.IF = 0 that has not changed IF
 * since: docs/interrupts.md. The product follows the SDM; the tests avoid such a guest.)
 */
#ifndef HV_VCPU_REQUEST_H
#define HV_VCPU_REQUEST_H

#include "hv/types.h"

struct vcpu;

#define VCPU_REQ_STOP BIT(0)
#define VCPU_REQ_SNAPSHOT BIT(1) /* fill v->snap (hv/guest_state.h) and publish its number */
#define VCPU_REQ_CONSOLE BIT(4)  /* console CPU: serial input to process (hv/console_input.h) */
#define VCPU_REQ_RX BIT(5)       /* input queued in its UART: update its interrupt line */
#define VCPU_REQ_GDB BIT(6)      /* the gdb stub: stop for gdb, or give debug state back (hv/gdb_stop.h) */
#define VCPU_REQ_RESTART BIT(2) /* hv/guest_restart.h: vcpu_request_restart */

/* Ask v's CPU for what (VCPU_REQ_STOP, VCPU_REQ_RESTART), on behalf of CPU from, for the
 * reason why (a static string). */
void vcpu_request(struct vcpu *v, uint32_t what, uint32_t from, const char *why);

/* A snapshot request's outcome. */
#define VCPU_SNAP_OK 0
#define VCPU_SNAP_NOT_RUNNING (-1) /* not started yet, or ended: there is no live state */
#define VCPU_SNAP_NO_ANSWER (-2)   /* the target did not answer within the timeout */

/* Ask v's CPU to stop v, on behalf of CPU from, for the reason why (a static string). */
void vcpu_request_stop(struct vcpu *v, uint32_t from, const char *why);
struct guest_state;
/* The guest's state (hv/guest_state.h) into *out, asked of v's CPU by CPU from (taken
 * directly when from is v's CPU: the caller is then in that guest's slow path). Waits at
 * most timeout_us; a target that does not answer in time (stuck, interrupts off) costs
 * the caller only that wait, and a late answer never reaches *out. Requesters are
 * serialized per vcpu; the target never waits for them. VCPU_SNAP_*. */
int vcpu_request_snapshot(struct vcpu *v, uint32_t from, struct guest_state *out,
			  uint64_t timeout_us);
/* On v's own CPU, slow path: act on what was asked. 1 when the guest has ended. */
int vcpu_take_requests(struct vcpu *v);

#endif
