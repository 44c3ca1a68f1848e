/*
 * [guest] timeout: a guest that has not ended when its time is up is stopped with the
 * reason "time limit 30 s". The limit is a host TSC value. The host timer
 * (platform_timer_arm) is armed for it right before the first VM entry, and afterwards
 * hv/vintr.c arms it for the earlier of the limit and the guest's virtual APIC timer. Its
 * interrupt makes even a guest that never exits leave (VMX external-interrupt exiting,
 * SVM INTR intercept) to the slow path, where vcpu_deliver_events checks the limit: the
 * hot exit path does nothing for it. A guest with a limit never takes the idle shortcut
 * of vcpu_deliver_events (its host timer stays armed); guests without one are unchanged.
 */
#ifndef HV_TIME_LIMIT_H
#define HV_TIME_LIMIT_H

#include "hv/types.h"

struct vcpu;

/* On the guest's CPU right before its first VM entry: sets v->limit_tsc from the guest's
 * timeout and arms the host timer for it. Nothing without a timeout. */
void time_limit_start(struct vcpu *v);
/* The host TSC deadline the host timer should have: want (0 = none) or the time limit,
 * whichever comes first. */
uint64_t time_limit_clamp(const struct vcpu *v, uint64_t want);
/* Slow path: when the limit has passed, stops the guest ("time limit 30 s") and returns
 * true. */
bool time_limit_reached(struct vcpu *v);
/* "30 s", "1500 ms": a timeout as the stop reason and messages give it. */
void time_limit_text(uint64_t ms, char *buf, size_t len);

#endif
