/*
 * Event delivery into a guest (docs/interrupts.md): the core's half of interrupt and NMI
 * injection, HLT-until-the-next-interrupt, and the host timer that wakes the core when
 * the guest's virtual APIC timer is due. The backends carry out what this decides,
 * through the virt_backend ops event_state, inject_event, request_window and
 * wait_interrupt. Slow path only: nothing here runs on the hot exit path.
 */
#ifndef HV_VINTR_H
#define HV_VINTR_H

#include "hv/types.h"

struct vcpu;

/*
 * Called by each backend's slow path right before it re-enters the guest (never when the
 * guest has ended). Polls the virtual APIC timer at the guest's TSC; injects a pending NMI
 * (first) or the highest pending vector (vlapic_pending_vector, vlapic_accept) when
 * event_state says the guest can take it, else requests the window for what is pending
 * (and turns the windows off when nothing is); arms the host timer to the virtual
 * timer's next deadline, in host TSC, when that changed. While v->halted (HLT with IF = 1)
 * and nothing can be delivered, it waits (be->wait_interrupt) and polls again; a delivered
 * event ends the halt.
 * Returns 0: enter the guest; 1: the guest has ended (v->end is set: it halted with no
 * event source left that could ever wake it): do not re-enter, treat it as ended.
 */
int vcpu_deliver_events(struct vcpu *v);

/*
 * EXIT_HLT with the guest's RFLAGS.IF = 1 (hv/exit_dispatch.c): true when some event could
 * still wake the guest (an NMI or an unmasked vector pending, the APIC timer armed with
 * its LVT entry unmasked); the caller then sets v->halted and skips the HLT. false: the
 * guest can never wake up.
 */
bool vcpu_can_wake(struct vcpu *v);

#endif
